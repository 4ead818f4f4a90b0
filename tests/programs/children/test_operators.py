"""The children program's operators and referral logic, called directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from engine import operators
from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Household, Member, Program
from portal.programs.children import risk
from portal.programs.children.operators import _months_between
from portal.programs.children.referrals import Referral, own_field_problems, refer, start_data
from tests.program_data import shipped_program
from tests.workflows.driver import rid

CONTEXT = OperatorContext(instance_id=None, process_key="children", jurisdiction="522601101200", task_spec="test")
MEMBERS = [{"name": "张明", "birth_date": "1988-03-15"}, {"name": "张小宇", "birth_date": "2008-03-02"}]


def call(name: str, **arguments):
    return operators.call(name, arguments, CONTEXT)


def test_score_points_and_unknown_answers():
    result = risk.score({"safety": "hazards", "guardianship": "none", "health": "minor", "education": "irregular"})
    assert result == {"points": {"safety": 1, "guardianship": 3, "health": 1, "education": 1}, "highest": 3,
                      "total": 6, "no_effective_guardian": True}
    with pytest.raises(OperatorError, match="safety: unknown answer 'fine'"):
        call("children_risk_score", safety="fine", guardianship="none", health="good", education="in_school")


def test_child_facts_find_the_child_and_refuse_adults_and_strangers():
    # Born 2008-03-02: 17 the day before the 18th birthday, 18 on it.
    assert call("children_child_facts", child_name=" 张小宇 ", members=MEMBERS, as_of="2026-03-01") == {
        "name": "张小宇", "birth_date": "2008-03-02", "age": 17}
    with pytest.raises(OperatorError, match="已年满十八周岁"):
        call("children_child_facts", child_name="张小宇", members=MEMBERS, as_of="2026-03-02")
    with pytest.raises(OperatorError, match="不在登记的家庭成员中"):
        call("children_child_facts", child_name="李四", members=MEMBERS, as_of="2026-03-01")


def test_deadline_is_hours_from_now_within_bounds():
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with freeze_time(now):
        assert datetime.fromisoformat(call("children_deadline", hours=24)) == now + timedelta(hours=24)
    for hours in (0, 169, True):
        with pytest.raises(OperatorError, match="hours should be 1-168"):
            call("children_deadline", hours=hours)


@pytest.mark.parametrize(("start", "end", "months"), [
    ("2025-09-02", "2026-03-02", 6), ("2025-09-03", "2026-03-02", 5), ("2025-08-31", "2026-02-28", 5),
    ("2025-08-31", "2026-03-01", 6), ("2026-03-02", "2026-03-02", 0),
])
def test_whole_months_between(start, end, months):
    assert _months_between(date.fromisoformat(start), date.fromisoformat(end)) == months


def referral(program: str, **changes) -> Referral:
    values = {"program": program, "reason": "家庭生活困难。", "referred_from": "CHILDREN-20260302-000001",
              "discovered_on": "2026-03-02", "found_place": "舟溪村五组"}
    return Referral(**{**values, **changes})


def test_start_data_for_temporary_aid_satisfies_its_form():
    data = start_data(referral("temporary", aid_months=2))
    assert (data["aid_kind"], data["procedure"], data["requested_basis"], data["requested_months"]) == (
        "emergency", "normal", "months", 2)
    assert data["incident_place"] == "舟溪村五组" and data["referred_from"] == "CHILDREN-20260302-000001"
    assert own_field_problems("temporary_application", data) == []
    missing = own_field_problems("temporary_application", start_data(referral("temporary")))
    assert missing == ["申请救助月数：按月数计算时须填写救助月数"]
    assert own_field_problems("dibao_application", start_data(referral("dibao"))) == []


@pytest.fixture
def household(db):
    call_command("load_jurisdictions", verbosity=0)
    home = Household.objects.create(village_id="522601101200", address="舟溪村五组 7 号")
    Member.objects.create(household=home, name="张明", relation="head", resident_id=rid("19880315", "031"))
    return home


def test_refer_unknown_program_or_program_without_form_fails_without_a_case(household):
    outcome = refer(referral("tekun"), household=household, actor=None)
    assert (outcome.status, outcome.case, outcome.problems) == ("failed", None, ["未登记该救助项目"])
    # Registered without an application form, unlike the shipped 特困.
    Program.objects.create(code="tekun", name="特困人员救助供养", process_key="tekun", application_form="")
    outcome = refer(referral("tekun"), household=household, actor=None)
    assert (outcome.status, outcome.program_name) == ("failed", "特困人员救助供养")
    assert outcome.problems == ["该项目未设置申请表，不能转介受理"]
    assert not household.cases.exists()


def test_refer_to_a_program_whose_process_is_not_deployed_fails_and_leaves_nothing(household):
    shipped_program("dibao")  # no workflow deployed in these tests
    outcome = refer(referral("dibao"), household=household, actor=None)
    assert (outcome.status, outcome.problems) == ("failed", ["该项目的审批流程尚未部署"])
    assert not household.cases.exists()


def test_refer_with_data_the_program_form_refuses_fails_before_opening(household):
    shipped_program("temporary")
    outcome = refer(referral("temporary", aid_months=9), household=household, actor=None)
    assert outcome.status == "failed" and outcome.problems == ["申请救助月数：救助月数为 1 至 6 个月"]
    assert not household.cases.exists()
