"""The service task operators of disaster relief, called as the engine calls them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine import operators
from engine.operators import OperatorError
from portal.cases.models import Case
from portal.programs.disaster.models import DisasterAid
from portal.programs.disaster.operators import emergency_record_data
from tests.program_data import shipped_program

from .conftest import HEAD_ID, Events, context_for, disaster_case, household

pytestmark = pytest.mark.django_db


def call(name: str, case: Case, events: Events | None = None, **arguments):
    return operators.call(name, arguments, context_for(case, events))


def test_register_writes_the_event_and_aid_type(kaili):
    case = Case.objects.create(household=household(), program=shipped_program("disaster"), business_key="D-1")
    events = Events()
    result = call("register_disaster_aid", case, events, event_name=" 2026年3月舟溪镇暴雨洪涝灾害 ",
                  event_date="2026-03-01", event_type="landslide", aid_type="emergency_transfer", as_of="2026-03-02")
    aid = DisasterAid.objects.get(case=case)
    assert (aid.event_name, aid.event_type, aid.aid_type) == ("2026年3月舟溪镇暴雨洪涝灾害", "landslide",
                                                             "emergency_transfer")
    assert result["event_date"] == "2026-03-01" and events[0][0] == "disaster.registered"


@pytest.mark.parametrize(("changes", "message"), [
    ({"event_date": "2026-03-03"}, "不能晚于申请日期"),
    ({"event_type": "volcano"}, "event_type should be one of"),
    ({"aid_type": "pension"}, "aid_type should be one of"),
    ({"event_date": "3月1日"}, "ISO dates"),
])
def test_register_refuses_bad_events(kaili, changes, message):
    case = Case.objects.create(household=household(), program=shipped_program("disaster"), business_key="D-2")
    arguments = {"event_name": "暴雨洪涝", "event_date": "2026-03-01", "event_type": "flood",
                 "aid_type": "emergency_living", "as_of": "2026-03-02", **changes}
    with pytest.raises(OperatorError, match=message):
        call("register_disaster_aid", case, **arguments)


def dibao_case(status: str, members: list | None = None) -> Case:
    return Case.objects.create(household=household(members=members), program=shipped_program("dibao"),
                               business_key=f"DIBAO-{status}-{Case.objects.count()}", status=status)


@pytest.mark.parametrize(("status", "category"), [
    (Case.Status.OPEN, "dibao"), (Case.Status.APPROVED, "dibao"),
    (Case.Status.REFUSED, "ordinary"), (Case.Status.WITHDRAWN, "ordinary"), (Case.Status.CLOSED, "ordinary"),
])
def test_dibao_household_is_an_open_or_approved_dibao_case_of_a_member(case, status, category):
    dibao_case(status, members=[("王秀英", "head", HEAD_ID)])
    events = Events()
    assert call("disaster_household_category", case, events, registered_poor=False) == category
    assert DisasterAid.objects.get(case=case).household_category == category
    kind, payload = events[0]
    assert kind == "disaster.household_category"
    assert payload["dibao_case"] == (Case.objects.get(program_id="dibao").business_key if category == "dibao" else "")
    assert HEAD_ID not in str(payload)


def test_dibao_of_another_household_does_not_count(case):
    from tests.workflows.driver import rid

    dibao_case(Case.Status.APPROVED, members=[("张大山", "head", rid("19700101", "015"))])
    assert call("disaster_household_category", case, registered_poor=False) == "ordinary"


def test_registered_poor_flag_and_dibao_first(case):
    assert call("disaster_household_category", case, registered_poor=True) == "registered_poor"
    dibao_case(Case.Status.APPROVED, members=[("李建国", "head", case.household.members.get(relation="spouse")
                                               .resident_id)])
    assert call("disaster_household_category", case, registered_poor=True) == "dibao"


def test_living_aid_operator_writes_the_register(kaili):
    case = disaster_case(aid_type="transitional_living")
    events = Events()
    result = call("calculate_disaster_living_aid", case, events, aid_type="transitional_living", persons=2, days=120,
                  daily_rate=20, max_days=90, household_size=2)
    assert (result["amount"], result["days"], result["capped"]) == (3600.0, 90, True)
    assert result["basis"].startswith("过渡期生活救助：2 人 × 90 天 × 20.00 元/人·天 = 3,600.00 元")
    aid = DisasterAid.objects.get(case=case)
    assert (aid.persons, aid.days_requested, aid.days, aid.max_days, float(aid.amount)) == (2, 120, 90, 90, 3600.0)
    assert aid.calculated_at is not None and events[0][0] == "disaster.amount_calculated"


def test_living_aid_operator_refuses_rebuilding_and_oversized_households(case):
    with pytest.raises(OperatorError, match="not a living aid type"):
        call("calculate_disaster_living_aid", case, aid_type="house_rebuilding", persons=1, days=1, daily_rate=20,
             max_days=90, household_size=2)
    with pytest.raises(OperatorError, match="救助人数（3 人）不能超过家庭人口（2 人）"):
        call("calculate_disaster_living_aid", case, aid_type="emergency_living", persons=3, days=1, daily_rate=20,
             max_days=15, household_size=2)


def test_rebuilding_subsidy_operator(case):
    result = call("calculate_rebuilding_subsidy", case, damage_level="severe", damaged_area=80,
                  household_category="dibao", subsidy_base=0, subsidy_per_sqm=200, subsidy_max=15000)
    assert (result["amount"], result["capped"]) == (15000.0, True)
    assert result["basis"] == ("倒损房屋补助（严重损坏，低保户）：80 平方米 × 200.00 元/平方米，"
                               "每户最高 15,000.00 元，核定 15,000.00 元")
    aid = DisasterAid.objects.get(case=case)
    assert (aid.damage_level, float(aid.damaged_area), aid.household_category) == ("severe", 80.0, "dibao")
    with pytest.raises(OperatorError, match="damage_level should be one of"):
        call("calculate_rebuilding_subsidy", case, damage_level="flooded", damaged_area=80,
             household_category="dibao", subsidy_base=0, subsidy_per_sqm=200, subsidy_max=15000)


def test_operators_need_the_register_row(kaili):
    case = Case.objects.create(household=household(), program=shipped_program("disaster"), business_key="D-3")
    with pytest.raises(OperatorError, match="no disaster aid registered"):
        call("disaster_household_category", case, registered_poor=False)


def test_emergency_record_needs_an_amount(kaili):
    case = disaster_case(aid_type="emergency_living")
    with pytest.raises(OperatorError, match="has not been calculated"):
        call("issue_disaster_emergency_record", case)


def test_emergency_record_data_masks_the_id_and_names_the_event(kaili):
    case = disaster_case(aid_type="emergency_transfer")
    aid = DisasterAid.objects.get(case=case)
    aid.amount = 900
    recorded = SimpleNamespace(actor=None, actor_label="system", payload={"data": {
        "situation": "房屋进水，全家转移。", "given_on": "2026-03-02", "aid_form": "cash",
        "resettlement": "dispersed", "resettlement_place": "投亲靠友（舟南村）"}})
    data = emergency_record_data(aid, recorded)
    assert HEAD_ID not in str(data) and data["id_number"].startswith("5226") and "*" in data["id_number"]
    assert data["situation"].startswith("2026年3月舟溪镇暴雨洪涝灾害（2026-03-01，洪涝）")
    assert data["aid_form"] == "紧急转移安置 · 现金 · 分散安置（投亲靠友（舟南村））"
    assert (data["amount"], data["household_size"], data["handler"]) == ("900.00", 2, "舟溪镇 system")
