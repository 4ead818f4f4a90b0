import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from engine import runtime
from engine.deploy import deploy_source
from engine.models import HumanTask
from forms.resident_id import check_character
from portal.cases.models import Case, CaseConflict, Household, IncomeItem, Member, Program, StaffRelative
from portal.cases.services import CaseRefused, check_household, open_case

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


@pytest.fixture
def program(db):
    # Only the demo process: these tests must not depend on the real programs' BPMN.
    source = (settings.WORKFLOWS_DIR / "demo" / "demo_assistance.bpmn").read_text(encoding="utf-8")
    deploy_source("demo/demo_assistance.bpmn", source)
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


def started_data(case: Case) -> dict:
    (started,) = [e for e in runtime.history(case.instance_id) if e.kind == "instance.started"]
    return started.payload["data"]


def test_the_process_starts_with_the_household_facts_and_no_id_numbers(village, program, staff):
    head, child = rid("19650412", "124"), rid("20100101", "131")
    home = household(("王秀英", "head", head), ("李明", "child", child))
    Member.objects.filter(name="李明").update(student=True, severely_disabled=True, single_parent=True)
    wang = home.members.get(name="王秀英")
    IncomeItem.objects.create(household=home, member=wang, kind="wages", monthly_amount=Decimal("500.50"))
    IncomeItem.objects.create(household=home, member=wang, kind="transfer", monthly_amount=Decimal("120"))
    IncomeItem.objects.create(household=home, kind="property", monthly_amount=Decimal("30"))  # no member
    case = open_case(home, program, actor=staff["caseworker"], data={"reason": "重病", "household_size": 9})
    data = started_data(case)
    assert data["household_size"] == 9  # ``data`` is merged on top
    assert (data["county"], data["applicant_name"], data["program_name"]) == ("522601", "王秀英", "演示救助")
    assert data["as_of"] == timezone.localtime(case.opened_at).date().isoformat() and data["reason"] == "重病"
    assert data["separately_registered"] is False
    assert data["members"] == [
        {"name": "王秀英", "birth_date": "1965-04-12", "monthly_income": 620.5, "severely_disabled": False,
         "seriously_ill": False, "student": False, "single_parent": False},
        {"name": "李明", "birth_date": "2010-01-01", "monthly_income": 0.0, "severely_disabled": True,
         "seriously_ill": False, "student": True, "single_parent": True},
    ]
    assert runtime.task_data(HumanTask.objects.get(instance=case.instance).pk)["members"] == data["members"]
    payload = json.dumps(started_data(case), ensure_ascii=False)
    assert head not in payload and child not in payload and head[:14] not in payload


def test_staff_relatives_are_registered_before_the_process_starts(village, program, staff, make_user):
    son = rid("19900305", "137")
    cadre = make_user("cadre", "village_committee", village=VILLAGE)
    StaffRelative.objects.create(staff=cadre, name="李明", resident_id=son, relation="child")
    home = household(("王秀英", "head", rid("19650412", "124")), ("李明", "child", son))
    case = open_case(home, program, actor=staff["caseworker"],
                     declared={"staff_name": "无此人", "member_name": "王秀英", "relation": "其侄子"})
    assert case.separately_registered and started_data(case)["separately_registered"] is True
    assert set(CaseConflict.objects.filter(case=case).values_list("staff", "member_name", "source")) == {
        (cadre.pk, "李明", "matched"), (None, "王秀英", "declared"),
    }


def test_a_death_recorded_in_another_household_is_refused(village, program, staff):
    person = rid("19300101", "011")
    old_home = household(("李老汉", "head", person))
    old_home.members.update(deceased_on="2025-01-01")
    home = household(("王秀英", "head", rid("19650412", "124")), ("李老汉", "parent", person))
    with pytest.raises(CaseRefused, match="已死亡"):
        open_case(home, program, actor=staff["caseworker"])
    assert not Case.objects.exists()


def test_a_clash_is_found_by_id_number_even_if_the_name_is_spelt_differently(village, program, staff):
    person = rid("19650412", "124")
    open_case(household(("王秀英", "head", person)), program, actor=staff["caseworker"])
    second = household(("张三", "head", rid("19700101", "011")), ("王秀瑛", "spouse", person))
    with pytest.raises(CaseRefused, match="成员 王秀瑛 已在其他家庭的在办案件 DEMO-"):
        open_case(second, program, actor=staff["caseworker"])


# --- several open cases per household, where the program allows it ----------------------------------------------------


@pytest.fixture
def shipped(village, program, shipped_programs):
    """The programs of data/programs.json, each running the demo process instead of its own."""
    Program.objects.exclude(code="demo").update(process_key="demo_assistance")
    return {p.code: p for p in Program.objects.all()}


def two_member_household() -> Household:
    return household(("王秀英", "head", rid("19650412", "124")), ("李明", "child", rid("19950101", "131")))


def test_medical_claims_of_two_members_of_one_household_are_open_at_once(shipped, staff):
    home, medical = two_member_household(), shipped["medical"]
    first = open_case(home, medical, actor=staff["caseworker"], data={"patient_name": "王秀英"})
    second = open_case(home, medical, actor=staff["caseworker"], data={"patient_name": "李明"})
    third = open_case(home, medical, actor=staff["caseworker"], data={"patient_name": "李明"})  # a second stay
    open_ids = set(Case.objects.filter(household=home, program=medical, status=Case.Status.OPEN).values_list("pk"))
    assert open_ids == {(first.pk,), (second.pk,), (third.pk,)}
    assert not any(c.one_open_case_per_household for c in (first, second, third))
    assert started_data(second)["patient_name"] == "李明"


def test_a_second_dibao_case_of_the_household_is_still_refused(shipped, staff):
    home = two_member_household()
    first = open_case(home, shipped["dibao"], actor=staff["caseworker"])
    assert first.one_open_case_per_household
    with pytest.raises(CaseRefused) as refused:
        open_case(home, shipped["dibao"], actor=staff["caseworker"])
    assert refused.value.problems == ["该家庭已有在办的农村最低生活保障案件"]
    # DOMAIN.md gives 临时救助 no several open claims: one at a time, as before.
    open_case(home, shipped["temporary"], actor=staff["caseworker"])
    with pytest.raises(CaseRefused, match="该家庭已有在办的临时救助案件"):
        open_case(home, shipped["temporary"], actor=staff["caseworker"])
    assert Case.objects.filter(household=home).count() == 2


def test_the_database_allows_a_second_open_case_only_where_the_program_does(shipped):
    home = two_member_household()
    Case.objects.create(household=home, program=shipped["dibao"], business_key="DIBAO-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(household=home, program=shipped["dibao"], business_key="DIBAO-2")
    for key in ("MEDICAL-1", "MEDICAL-2"):
        Case.objects.create(household=home, program=shipped["medical"], business_key=key)
    assert Case.objects.filter(household=home, status=Case.Status.OPEN).count() == 3


def test_a_case_keeps_the_rule_of_its_program_when_it_was_created(shipped):
    home, medical = two_member_household(), shipped["medical"]
    # Even a row written with the wrong flag takes the program's: the flag is a copy, never set by hand.
    case = Case.objects.create(household=home, program=medical, business_key="MEDICAL-1",
                               one_open_case_per_household=True)
    assert case.one_open_case_per_household is False
    Program.objects.filter(code="medical").update(one_open_case_per_household=True)
    case.refresh_from_db()
    assert case.one_open_case_per_household is False
    medical.refresh_from_db()
    assert check_household(home, medical) == ["该家庭已有在办的医疗救助案件"]
