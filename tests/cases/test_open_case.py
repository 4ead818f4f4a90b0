import pytest

from engine.models import HumanTask
from forms.resident_id import check_character
from portal.cases.models import Case, Household, Member, Program
from portal.cases.services import CaseRefused, open_case

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


@pytest.fixture
def program(deployed):
    return Program.objects.create(code="demo", name="演示救助", process_key="demo_assistance")


@pytest.fixture
def village(db):
    from django.core.management import call_command

    call_command("load_jurisdictions", verbosity=0)


def household(*members) -> Household:
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
    for name, relation, number in members:
        Member.objects.create(household=home, name=name, relation=relation, resident_id=number)
    return home


def test_member_facts_come_from_the_id_number(village):
    home = household(("王秀英", "head", rid("19650412", "124").lower()))
    member = home.members.get()
    assert member.resident_id.endswith(check_character(member.resident_id[:17]))
    assert (member.birth_date.isoformat(), member.sex) == ("1965-04-12", "F")


def test_open_case_starts_the_process(village, program, staff):
    home = household(("王秀英", "head", rid("19650412", "124")), ("李明", "child", rid("19950101", "131")))
    case = open_case(home, program, actor=staff["village"])
    assert case.business_key.startswith("DEMO-") and case.status == Case.Status.OPEN
    assert case.instance.subject == case and case.instance.jurisdiction == VILLAGE
    task = HumanTask.objects.get(instance=case.instance)
    assert task.candidate_group == f"village_committee:{VILLAGE}"


def test_second_open_case_and_shared_members_are_refused(village, program, staff):
    person = rid("19650412", "124")
    first = household(("王秀英", "head", person))
    open_case(first, program, actor=staff["village"])
    with pytest.raises(CaseRefused, match="已有在办"):
        open_case(first, program, actor=staff["village"])
    # 违规保人不保户: the same person listed in a second household.
    second = household(("张三", "head", rid("19700101", "011")), ("王秀英", "spouse", person))
    with pytest.raises(CaseRefused) as refused:
        open_case(second, program, actor=staff["village"])
    assert any("王秀英" in p and "DEMO-" in p for p in refused.value.problems)
    assert all(person not in p for p in refused.value.problems)


def test_deceased_members_are_refused(village, program, staff):
    home = household(("王秀英", "head", rid("19650412", "124")), ("李老汉", "parent", rid("19300101", "011")))
    home.members.filter(name="李老汉").update(deceased_on="2025-01-01")
    with pytest.raises(CaseRefused, match="已死亡"):
        open_case(home, program, actor=staff["village"])
    assert not Case.objects.exists()


def test_a_closed_case_allows_a_new_one(village, program, staff):
    home = household(("王秀英", "head", rid("19650412", "124")))
    first = open_case(home, program, actor=staff["village"])
    Case.objects.filter(pk=first.pk).update(status=Case.Status.REFUSED)
    assert open_case(home, program, actor=staff["village"]).pk != first.pk


def test_only_the_offices_of_the_case_see_it(village, program, staff, make_user):
    from portal.cases.permissions import visible_cases

    home = household(("王秀英", "head", rid("19650412", "124")))
    case = open_case(home, program, actor=staff["village"])
    same_village = make_user("cw2", "village_committee", village=VILLAGE)
    township = make_user("tw2", "township_reviewer", village=VILLAGE)
    county_auditor = make_user("au2", "auditor", village=VILLAGE)
    other_township = make_user("ot2", "township_reviewer", village="522601103201")
    other_village = make_user("ov2", "village_committee", village="522601101203")
    for user in (same_village, township, county_auditor):
        assert list(visible_cases(user)) == [case], user.username
    for user in (other_township, other_village):
        assert list(visible_cases(user)) == [], user.username
