"""Offices a user holds: ``<role>:<code>`` groups of known roles, nothing else."""

from django.contrib.auth.models import Group

from engine.actors import office_codes, user_offices


def test_offices_come_from_role_groups_only(make_user):
    user = make_user("multi", "township_caseworker", "county_admin", village="522601101200")
    user.groups.add(Group.objects.create(name="newsletter"), Group.objects.create(name="unknown_role:522601"),
                    Group.objects.create(name="county_admin:not-a-code"))
    user = type(user).objects.get(pk=user.pk)  # a fresh object: groups are cached per user object
    assert user_offices(user) == [("county_admin", "522601"), ("township_caseworker", "522601101")]
    assert office_codes(user) == ["522601", "522601101"]
    assert office_codes(user, ["township_caseworker"]) == ["522601101"]
    assert office_codes(user, []) == []
    assert user_offices(None) == []
