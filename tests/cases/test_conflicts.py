"""Conflicts of interest at case opening: declared staff relatives matched by ID, and the applicant's declaration."""

import pytest
from django.core.management import call_command

from forms.resident_id import check_character
from portal.cases.conflicts import ConflictFinding, find_conflicts, register_conflicts, resolve_staff
from portal.cases.models import Case, CaseConflict, Household, Member, Program, StaffRelative

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"  # 舟溪村, township 522601101, county 522601


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


HEAD, SON = rid("19650412", "124"), rid("19900305", "137")


@pytest.fixture
def home(db):
    call_command("load_jurisdictions", verbosity=0)
    household = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
    Member.objects.create(household=household, name="王秀英", relation="head", resident_id=HEAD)
    Member.objects.create(household=household, name="李明", relation="child", resident_id=SON)
    return household


def named(make_user, username, first, last="", *roles, village=VILLAGE):
    user = make_user(username, *roles, village=village)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_no_relatives_no_declaration_no_findings(home, make_user):
    cadre = make_user("cadre", "village_committee")
    StaffRelative.objects.create(staff=cadre, name="张某", resident_id=rid("19700101", "011"), relation="spouse")
    assert find_conflicts(home, home.members.all(), None) == []


def test_a_declared_staff_relative_is_matched_by_id_number(home, make_user):
    cadre = named(make_user, "cadre", "李建国", "", "village_committee")
    StaffRelative.objects.create(staff=cadre, name="李明", resident_id=SON.lower(), relation="child")
    (finding,) = find_conflicts(home, home.members.all(), None)
    assert finding == ConflictFinding(staff=cadre, staff_name="李建国", member_name="李明", relation="子女",
                                      source=CaseConflict.Source.MATCHED)


def test_the_applicants_declaration_resolves_to_one_user_of_the_county(home, make_user):
    # Stored split (family name in last_name) and written with a space by the caseworker.
    officer = named(make_user, "officer", "芳", "刘", "township_caseworker", village="522601103201")
    named(make_user, "namesake", "刘芳", "", "township_caseworker", village="520102001001")  # another county
    declared = {"staff_name": "刘 芳", "member_name": "李明", "relation": "其姑母，旁海镇民政办"}
    (finding,) = find_conflicts(home, home.members.all(), declared)
    assert finding.staff == officer and finding.source == CaseConflict.Source.DECLARED
    assert (finding.member_name, finding.relation) == ("李明", "其姑母，旁海镇民政办")
    assert resolve_staff("刘芳", "522601") == officer


def test_an_unresolved_or_ambiguous_name_keeps_the_declared_name(home, make_user):
    named(make_user, "a", "张伟", "", "village_committee")
    named(make_user, "b", "张伟", "", "township_reviewer")
    declared = {"staff_name": "张伟", "member_name": "王秀英", "relation": "侄子"}
    (finding,) = find_conflicts(home, home.members.all(), declared)
    assert finding.staff is None and finding.staff_name == "张伟"
    (finding,) = find_conflicts(home, home.members.all(), {**declared, "staff_name": "无此人"})
    assert finding.staff is None and finding.staff_name == "无此人"
    assert resolve_staff("张伟", "522601") is None


def test_register_conflicts_records_rows_and_the_flag(home, make_user):
    program = Program.objects.create(code="demo", name="演示救助", process_key="demo_assistance")  # not a real program
    case = Case.objects.create(household=home, program=program, business_key="DEMO-1")
    assert register_conflicts(case, []) == []
    case.refresh_from_db()
    assert not case.separately_registered
    cadre = make_user("cadre", "village_committee")
    findings = [
        ConflictFinding(staff=cadre, staff_name="cadre", member_name="李明", relation="子女", source="matched"),
        ConflictFinding(staff=None, staff_name="张伟", member_name="王秀英", relation="侄子", source="declared"),
    ]
    rows = register_conflicts(case, findings)
    case.refresh_from_db()
    assert case.separately_registered and len(rows) == 2
    assert set(CaseConflict.objects.filter(case=case).values_list("staff", "staff_name", "source")) == {
        (cadre.pk, "cadre", "matched"), (None, "张伟", "declared"),
    }
