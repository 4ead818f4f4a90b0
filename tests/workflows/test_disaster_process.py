"""The 受灾人员救助 process (workflows/disaster/disaster.bpmn) through the engine API, worked by township staff,
the village committee and the county's emergency-management department: the emergency fast path, transitional
living aid, the house rebuilding subsidy (低保 and ordinary households), refusals, an objection during the notice,
delegation of the county's role per county, separation of duties and the confirmation clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from engine import runtime
from engine.errors import ProcessError, TaskForbidden
from engine.models import AuditEvent, HumanTask, TimerEvent
from portal.cases.models import Case, Program
from portal.cases.services import open_case
from portal.notices.models import PublicNotice
from portal.programs.disaster.models import DisasterAid
from portal.records import service
from portal.records import verify as record_verify
from portal.records.models import Record
from tests.records.conftest import pdf_text, sealed_by

from .driver import DELEGATED_VILLAGE, HOUSEHOLD, VILLAGE, CaseDriver, make_household, rid, today

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time: Kaili's 2026 rules (emergency 30 yuan per person and day for at most 15 days,
# confirmation within 2 working days; transitional 20 yuan for at most 90 days, democratic review, 7-day notice).
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EVENT = {"disaster_name": "2026年3月舟溪镇暴雨洪涝灾害", "disaster_date": "2026-03-01", "disaster_type": "flood"}
NOTICE_KINDS = {"notice.published", "notice.closed"}


@pytest.fixture
def disaster_program(deployed, jurisdictions, shipped_programs):
    return shipped_programs["disaster"]


class DisasterDriver(CaseDriver):
    def open(self, village: str = VILLAGE, members: list | None = None, **application: Any) -> Case:
        data = {**EVENT, "registered_poor": False, **application}
        return open_case(make_household(village, members), self.program, actor=self.people["jingban"], data=data)

    def record_emergency(self, case: Case, persons: int = 3, days: int = 5, who: str = "jingban") -> None:
        self.complete(case, "Task_emergency_record", who, {
            "verified_on": today(), "situation": "房屋进水无法居住，全家转移到村小学安置点。",
            "given_persons": persons, "given_days": days, "given_on": today(), "aid_form": "cash",
            "resettlement": "centralized", "resettlement_place": "舟溪村小学安置点", "recipient_signed": True})

    def verify_loss(self, case: Case, persons: int = 3, days: int = 90) -> None:
        self.complete(case, "Task_loss_verification", "jingban", {
            "visited_on": today(), "investigators": ["李经办", "吴经办"], "housing": "collapsed",
            "findings": "住房倒塌，暂住亲戚家，无生活来源。", "verified_persons": persons, "verified_days": days,
            "members_signed": ["王秀英"], "conclusion": "eligible"})
        self.complete(case, "Task_loss_verification_cosign", "jingban2", {"confirmed": True, "signed_on": today()})

    def assess_damage(self, case: Case, level: str = "collapsed", area: float = 96.5, who: str = "jingban",
                      cosigner: str = "jingban2") -> None:
        self.complete(case, "Task_damage_assessment", who, {
            "assessed_on": today(), "assessors": ["李经办", "县住建局 王工"], "damage_level": level,
            "damaged_area": area, "structure": "brick_wood", "findings": "山体滑坡冲毁房屋主体，须恢复重建。",
            "owner_signed": "王秀英"})
        self.complete(case, "Task_damage_assessment_cosign", cosigner, {"confirmed": True, "signed_on": today()})

    def township_review(self, case: Case, decision: str = "approve", amount: float = 0, who: str = "shenhe") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经评估核查和公示，提出审核意见。"}
        if decision == "refuse":
            data["reasons"] = "房屋损坏系年久失修所致，不属于本次灾害造成。"
        self.complete(case, "Task_township_review", who, data)

    def county_decision(self, case: Case, decision: str = "approve", amount: float = 0, who: str = "yingji",
                        spec_id: str = "Task_county_approval") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经审核，予以确认。"}
        if decision == "refuse":
            data["reasons"] = "经核实，该户未受本次灾害影响。"
        self.complete(case, spec_id, who, data)


@pytest.fixture
def driver(disaster_program, people):
    return DisasterDriver(disaster_program, people)


def completed_tasks(case: Case) -> list[str]:
    return [e.payload["task"] for e in AuditEvent.objects.filter(instance=case.instance, kind="task.completed")
            .order_by("seq")]


def signers(record: Record) -> list[str]:
    return [r["org_code"] for r in record.revisions]


def test_emergency_living_aid_fast_path(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        # No intake check, verification, democratic review or notice: the township records the aid at once.
        assert driver.ready(case) == ["Task_emergency_record"]
        assert DisasterAid.objects.get(case=case).event_name == EVENT["disaster_name"]
        driver.record_emergency(case, persons=3, days=5)
        assert driver.ready(case) == ["Task_county_approval"]
        confirm = driver.task(case, "Task_county_approval")
        assert confirm.candidate_group == "emergency_management:522601"
        # Kaili 2026: confirmed within 2 working days (Wednesday 3-04, end of day).
        assert confirm.due_at.date().isoformat() == "2026-03-04"
        data = driver.data(case, "Task_county_approval")
        assert (data["daily_rate"], data["max_days"], data["aid"]["amount"]) == (30, 15, 450.0)
        assert not any(number in json.dumps(data, ensure_ascii=False) for _n, _r, number, _i, _f in HOUSEHOLD)
        with pytest.raises(TaskForbidden):
            runtime.complete_task(confirm.pk, driver.people["shenpi"], {"decision": "approve", "opinion": "同意"})
        driver.county_decision(case)
        assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 450.0
        assert case.payment_starts.isoformat() == "2026-03-01"  # paid at once, not from next month
        driver.deliver(case)
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"
    assert not TimerEvent.objects.filter(instance=case.instance, status=TimerEvent.Status.PENDING).exists()
    assert completed_tasks(case) == ["Task_emergency_record", "Task_county_approval", "Task_deliver_decision"]
    kinds = set(AuditEvent.objects.filter(instance=case.instance).values_list("kind", flat=True))
    assert not kinds & NOTICE_KINDS and not PublicNotice.objects.filter(case=case).exists()
    assert {"disaster.registered", "disaster.amount_calculated", "case.closed", "record.signed"} <= kinds
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert set(records) == {"emergency_aid", "decision_notice"}
    assert signers(records["emergency_aid"]) == ["522601101", "522601-emergency_management"]
    assert signers(records["decision_notice"]) == ["522601-emergency_management"]
    assert records["emergency_aid"].title == "受灾人员应急救助登记表"
    report = record_verify.verify_bytes(records["emergency_aid"].file.read())
    assert report.ok and len(report.signatures) == 2, report
    # The emergency-management bureau decides disaster relief: its seal, not civil affairs', and its name as issuer.
    assert [s.organisation for s in report.signatures] == ["凯里市舟溪镇人民政府", "凯里市应急管理局"]
    assert sealed_by(records["decision_notice"]) == ["凯里市应急管理局"]
    notice_text = pdf_text(service.read(records["decision_notice"]))
    assert "凯里市应急管理局" in notice_text and "民政局" not in notice_text
    aid = DisasterAid.objects.get(case=case)
    assert (aid.persons, aid.days, float(aid.daily_rate), float(aid.amount)) == (3, 5, 30.0, 450.0)


def test_emergency_transfer_days_over_the_maximum_are_capped(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_transfer", aid_persons=2, aid_days=20)
        driver.record_emergency(case, persons=2, days=20)
        aid = driver.data(case, "Task_county_approval")["aid"]
    assert (aid["days"], aid["capped"], aid["amount"]) == (15, True, 900.0)  # 2 × 15 × 30
    assert "按 15 天计" in aid["basis"]


def test_more_persons_than_the_household_is_refused_and_nothing_saved(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        with pytest.raises(ProcessError, match="不能超过家庭人口"):
            driver.record_emergency(case, persons=5)
        assert driver.ready(case) == ["Task_emergency_record"]
        assert DisasterAid.objects.get(case=case).amount is None


def test_emergency_confirmation_clock_escalates(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        driver.record_emergency(case)
        clock.tick(timedelta(days=3))  # Thursday: past the end of Wednesday
        runtime.fire_instance_timers(case.instance_id)
        assert driver.ready(case) == ["Task_approval_overdue", "Task_county_approval"]
        assert driver.task(case, "Task_approval_overdue").candidate_group == "county_admin:522601"
        driver.county_decision(case)
        driver.deliver(case)
    assert not HumanTask.objects.filter(instance=case.instance, status=HumanTask.Status.READY).exists()


def test_county_may_hand_the_emergency_role_to_civil_affairs(driver, settings):
    settings.ENGINE_ROLE_OVERRIDES = {"522601": {"emergency_management": "county_approver"}}
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        driver.record_emergency(case)
        assert driver.task(case, "Task_county_approval").candidate_group == "county_approver:522601"
        driver.county_decision(case, who="shenpi")
    assert case.status == Case.Status.APPROVED


def test_whoever_recorded_the_emergency_aid_may_not_confirm_it(driver, make_user):
    dual = make_user("dual", "township_caseworker", "emergency_management", village=VILLAGE)
    driver.people["dual"] = dual
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        driver.record_emergency(case, who="dual")
        with pytest.raises(TaskForbidden, match="职责分离"):
            driver.county_decision(case, who="dual")


def test_county_refuses_emergency_aid(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        driver.record_emergency(case)
        driver.county_decision(case, decision="refuse")
        assert case.status == Case.Status.REFUSED
        assert driver.ready(case) == ["Task_deliver_refusal"]
    refusal = Record.objects.get(instance=case.instance)
    assert (refusal.kind, signers(refusal)) == ("refusal_notice", ["522601-emergency_management"])


def test_county_return_sends_the_emergency_record_back_to_the_township(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="emergency_living", aid_persons=3, aid_days=5)
        driver.record_emergency(case, persons=3, days=5)
        driver.complete(case, "Task_county_approval", "yingji", {"decision": "return", "opinion": "人数有误，请核实。"})
        assert driver.ready(case) == ["Task_emergency_record"]
        driver.record_emergency(case, persons=2, days=5)
        assert driver.data(case, "Task_county_approval")["aid"]["amount"] == 300.0
        driver.county_decision(case)
    assert float(case.monthly_amount) == 300.0


def test_transitional_living_aid_amount(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open(aid_type="transitional_living", aid_persons=3, aid_days=90)
        assert driver.ready(case) == ["Task_intake_check"]
        driver.accept(case)
        driver.verify_loss(case, persons=3, days=90)
        # Kaili 2026: 3 people × 90 days × 20 yuan = 5,400; a democratic review, then a 7-day notice.
        assert driver.ready(case) == ["Task_democratic_review"]
        driver.democratic_review(case)
        notice = PublicNotice.objects.get(case=case)
        assert (notice.household_size, float(notice.amount), notice.ends_on.isoformat()) == (3, 5400.0, "2026-03-08")
        driver.end_notice(case, clock)
        driver.township_review(case)
        data = driver.data(case, "Task_county_approval")
        assert (data["aid"]["amount"], data["aid"]["days"], data["aid"]["capped"]) == (5400.0, 90, False)
        driver.county_decision(case)
        driver.deliver(case)
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 5400.0
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert set(records) == {"approval_form", "decision_notice"}
    assert signers(records["approval_form"]) == ["522601101", "522601-emergency_management"]
    assert completed_tasks(case) == [
        "Task_intake_check", "Task_loss_verification", "Task_loss_verification_cosign", "Task_democratic_review",
        "Task_township_review", "Task_county_approval", "Task_deliver_decision"]


def test_transitional_request_over_the_maximum_days_is_capped(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="transitional_living", aid_persons=3, aid_days=120)
        driver.accept(case)
        driver.verify_loss(case, persons=3, days=120)
        aid = driver.data(case, "Task_democratic_review")["aid"]
    assert (aid["days_requested"], aid["days"], aid["max_days"], aid["capped"]) == (120, 90, 90, True)
    assert aid["amount"] == 5400.0
    assert "核定 120 天，超过最长 90 天，按 90 天计" in aid["basis"]


def test_transitional_aid_skips_democratic_review_where_the_county_says_so(disaster_program, delegated_people):
    driver = DisasterDriver(disaster_program, delegated_people)
    with freeze_time(MONDAY):
        case = driver.open(village=DELEGATED_VILLAGE, aid_type="transitional_living", aid_persons=2, aid_days=30)
        driver.accept(case)
        driver.verify_loss(case, persons=2, days=30)
        # Huangping 2026: no democratic review for transitional aid, a 5-day notice; 2 × 30 × 20 = 1,200.
        assert driver.ready(case) == ["Task_objection"]
        notice = PublicNotice.objects.get(case=case)
        assert (float(notice.amount), notice.ends_on.isoformat()) == (1200.0, "2026-03-06")


def make_dibao_case(dibao_program: Program, status: str) -> Case:
    """A rural 低保 case of another household row that lists the same head (王秀英) as HOUSEHOLD."""
    home = make_household(VILLAGE, HOUSEHOLD[:1])
    return Case.objects.create(household=home, program=dibao_program, business_key=f"DIBAO-TEST-{status}",
                               status=status)


def rebuilding_amount(driver: DisasterDriver, **application: Any) -> tuple[Case, dict]:
    case = driver.open(aid_type="house_rebuilding", damage_declared="collapsed", **application)
    driver.accept(case)
    driver.assess_damage(case, level="collapsed", area=96.5)
    return case, driver.data(case, "Task_democratic_review")


def test_rebuilding_subsidy_for_a_collapsed_house_of_a_dibao_household_vs_an_ordinary_one(driver, dibao_program):
    with freeze_time(MONDAY) as clock:
        _ordinary, data = rebuilding_amount(driver, members=[("张大山", "head", rid("19700101", "015"), 0, {})])
        assert (data["household_category"], data["aid"]["amount"]) == ("ordinary", 20000.0)

        make_dibao_case(dibao_program, Case.Status.APPROVED)
        case, data = rebuilding_amount(driver)
        assert (data["household_category"], data["aid"]["amount"]) == ("dibao", 30000.0)
        category = AuditEvent.objects.get(instance=case.instance, kind="disaster.household_category")
        assert category.payload["dibao_case"] == "DIBAO-TEST-approved"
        # Democratic review is mandatory for the rebuilding subsidy; then the notice, township review, county.
        driver.democratic_review(case)
        assert float(PublicNotice.objects.get(case=case).amount) == 30000.0
        driver.end_notice(case, clock)
        driver.township_review(case)
        driver.county_decision(case)
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 30000.0
    approval = Record.objects.get(instance=case.instance, kind="approval_form")
    assert signers(approval) == ["522601101", "522601-emergency_management"]
    assert DisasterAid.objects.get(case=case).household_category == "dibao"


def test_registered_poor_and_refused_dibao_households(driver, dibao_program):
    with freeze_time(MONDAY):
        _case, poor = rebuilding_amount(driver, registered_poor=True,
                                        members=[("张大山", "head", rid("19700101", "015"), 0, {})])
        make_dibao_case(dibao_program, Case.Status.REFUSED)  # a refused 低保 application does not count
        _case, refused = rebuilding_amount(driver)
    assert (poor["household_category"], poor["aid"]["amount"]) == ("registered_poor", 30000.0)
    assert (refused["household_category"], refused["aid"]["amount"]) == ("ordinary", 20000.0)


def test_rebuilding_needs_democratic_review_even_where_transitional_aid_does_not(disaster_program,
                                                                               delegated_people):
    driver = DisasterDriver(disaster_program, delegated_people)
    with freeze_time(MONDAY):
        case = driver.open(village=DELEGATED_VILLAGE, aid_type="house_rebuilding", damage_declared="general")
        driver.accept(case)
        driver.assess_damage(case, level="general", area=30)
        assert driver.ready(case) == ["Task_democratic_review"]
        assert driver.data(case, "Task_democratic_review")["aid"]["amount"] == 1500.0  # 30 m² × 50


def test_township_refuses_the_rebuilding_subsidy(driver):
    with freeze_time(MONDAY) as clock:
        case, _data = rebuilding_amount(driver)
        driver.democratic_review(case)
        driver.end_notice(case, clock)
        driver.township_review(case, decision="refuse")
        assert case.status == Case.Status.REFUSED
        driver.deliver(case, "Task_deliver_refusal")
    refusal = Record.objects.get(instance=case.instance)
    assert (refusal.kind, signers(refusal)) == ("refusal_notice", ["522601101"])
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"


def test_county_refuses_the_rebuilding_subsidy(driver):
    with freeze_time(MONDAY) as clock:
        case, _data = rebuilding_amount(driver)
        driver.democratic_review(case)
        driver.end_notice(case, clock)
        driver.township_review(case)
        driver.county_decision(case, decision="refuse")
    assert case.status == Case.Status.REFUSED
    refusal = Record.objects.get(instance=case.instance)
    assert (refusal.kind, signers(refusal)) == ("refusal_notice", ["522601-emergency_management"])


def test_objection_during_the_rebuilding_notice_reassesses_and_renotices(driver):
    with freeze_time(MONDAY) as clock:
        case, _data = rebuilding_amount(driver)
        driver.democratic_review(case)
        driver.object(case)
        assert PublicNotice.objects.get(case=case, round=1).status == "objected"
        assert driver.ready(case) == ["Task_objection_handling"]
        driver.complete(case, "Task_objection_handling", "jingban", {
            "route": "reinvestigate", "assessment": "异议称房屋未倒塌，仅部分损坏，重新评估。"})
        assert driver.ready(case) == ["Task_damage_assessment"]
        # Re-assessed by the other pair: severely damaged, 80 m² × 150 = 12,000, capped at 10,000 (ordinary).
        driver.assess_damage(case, level="severe", area=80, who="jingban2", cosigner="jingban")
        aid = driver.data(case, "Task_democratic_review")["aid"]
        assert (aid["amount"], aid["capped"]) == (10000.0, True)
        driver.democratic_review(case)
        second = PublicNotice.objects.get(case=case, round=2)
        assert (second.status, float(second.amount)) == ("open", 10000.0)
        driver.end_notice(case, clock)
        driver.township_review(case)
        driver.county_decision(case)
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 10000.0
    assert DisasterAid.objects.get(case=case).damage_level == "severe"


def test_objection_can_go_to_democratic_review(driver):
    with freeze_time(MONDAY):
        case, _data = rebuilding_amount(driver)
        driver.democratic_review(case)
        driver.object(case)
        driver.complete(case, "Task_objection_handling", "jingban", {
            "route": "democratic_review", "assessment": "异议涉及受灾情况，提请民主评议。"})
        assert driver.ready(case) == ["Task_democratic_review"]


def test_withdrawn_rebuilding_application(driver):
    with freeze_time(MONDAY):
        case = driver.open(aid_type="house_rebuilding", damage_declared="general")
        driver.complete(case, "Task_intake_check", "jingban", {
            "checked_on": today(), "application_signed": True, "authorization_signed": True,
            "complete": "incomplete", "missing_items": ["房屋产权或使用权证明"], "notice_method": "phone"})
        driver.complete(case, "Task_await_supplement", "jingban", {"outcome": "withdrawn", "recorded_on": today()})
    assert case.status == Case.Status.WITHDRAWN
