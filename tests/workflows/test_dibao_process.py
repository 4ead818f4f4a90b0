"""The 农村低保 process (workflows/dibao/dibao.bpmn and its common sub-processes) through the engine API,
as four or more people at three levels work it: approval, refusals, objections, delegation, skipped
democratic review, separation of duties, statutory clocks, records and the amount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from engine import runtime
from engine.errors import TaskForbidden
from engine.models import AuditEvent, HumanTask, TimerEvent
from portal.cases.models import Case, CaseConflict, StaffRelative
from portal.notices.models import PublicNotice
from portal.records import verify as record_verify
from portal.records.models import Record

from .driver import DELEGATED_VILLAGE, EXPECTED_AMOUNT, HOUSEHOLD, CaseDriver, first_of_next_month

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time: Kaili's 2026 rules (standard 480, democratic review, county approval).
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def to_township_review(driver: CaseDriver, case: Case) -> None:
    driver.accept(case)
    driver.home_visit(case)
    driver.democratic_review(case)


def test_approval_end_to_end(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        assert driver.ready(case) == ["Task_intake_check"]
        to_township_review(driver, case)
        data = driver.data(case, "Task_township_review")
        assert (data["standard"], data["dibao"]["amount"]) == (480, EXPECTED_AMOUNT)
        assert data["verification"]["consistent"] is True
        driver.township_review(case)
        notice = PublicNotice.objects.get(case=case)
        assert (notice.applicant_name, notice.household_size, float(notice.amount)) == ("王秀英", 3, EXPECTED_AMOUNT)
        assert driver.ready(case) == ["Task_objection"]
        driver.end_notice(case, clock)
        notice.refresh_from_db()
        assert notice.status == "completed"
        assert driver.ready(case) == ["Task_county_approval"]
        driver.county_decision(case)
        assert case.status == Case.Status.APPROVED
        assert float(case.monthly_amount) == EXPECTED_AMOUNT
        assert case.payment_starts == first_of_next_month(clock().date())
        assert driver.ready(case) == ["Task_deliver_decision"]
        driver.deliver(case)
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"
    # Terminate end: the whole-case clock and its escalation are gone with the case.
    assert not TimerEvent.objects.filter(instance=case.instance, status=TimerEvent.Status.PENDING).exists()
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert set(records) == {"approval_form", "decision_notice"}
    assert [r["org_code"] for r in records["approval_form"].revisions] == ["522601101", "522601"]
    assert [r["org_code"] for r in records["decision_notice"].revisions] == ["522601"]
    report = record_verify.verify_bytes(records["approval_form"].file.read())
    assert report.ok and len(report.signatures) == 2, report
    # Every step is in the chain, and the chain verifies.
    kinds = list(AuditEvent.objects.filter(instance=case.instance).values_list("kind", flat=True))
    assert {"verification.completed", "notice.published", "notice.closed", "case.closed", "record.signed"} <= set(kinds)
    completed = [e.payload["task"] for e in AuditEvent.objects.filter(instance=case.instance, kind="task.completed")]
    assert completed == ["Task_intake_check", "Task_home_visit", "Task_home_visit_cosign", "Task_democratic_review",
                         "Task_township_review", "Task_county_approval", "Task_deliver_decision"]
    actors = {e.payload["task"]: e.actor.username for e in
              AuditEvent.objects.filter(instance=case.instance, kind="task.completed")}
    assert len(set(actors.values())) >= 5 and {"cunwei", "shenhe", "shenpi"} <= set(actors.values())


def test_incomplete_application_is_told_everything_missing_once_then_accepted(driver):
    with freeze_time(MONDAY):
        case = driver.open()
        missing = ["残疾证复印件", "村委会出具的家庭情况说明"]
        driver.complete(case, "Task_intake_check", "jingban", {
            "checked_on": "2026-03-02", "application_signed": True, "authorization_signed": False,
            "complete": "incomplete", "missing_items": missing, "notice_method": "written"})
        assert driver.ready(case) == ["Task_await_supplement"]
        driver.complete(case, "Task_await_supplement", "jingban", {
            "outcome": "supplemented", "recorded_on": "2026-03-04", "received_items": missing})
        assert driver.ready(case) == ["Task_intake_check"]
        driver.accept(case)
        assert driver.ready(case) == ["Task_home_visit"]
    told = AuditEvent.objects.filter(instance=case.instance, kind="task.completed").first()
    assert told.payload["data"]["missing_items"] == missing


def test_withdrawn_application_closes_the_case(driver):
    with freeze_time(MONDAY):
        case = driver.open()
        driver.complete(case, "Task_intake_check", "jingban", {
            "checked_on": "2026-03-02", "application_signed": True, "authorization_signed": True,
            "complete": "incomplete", "missing_items": ["收入证明"], "notice_method": "phone"})
        driver.complete(case, "Task_await_supplement", "jingban", {"outcome": "withdrawn", "recorded_on": "2026-03-03"})
    assert case.status == Case.Status.WITHDRAWN and driver.ready(case) == []
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"


def test_refusal_at_township_ends_with_a_signed_refusal_notice(driver):
    with freeze_time(MONDAY):
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, decision="refuse")
        assert case.status == Case.Status.REFUSED
        assert driver.ready(case) == ["Task_deliver_refusal"]
        driver.deliver(case, "Task_deliver_refusal")
    refusal = Record.objects.get(instance=case.instance)
    assert refusal.kind == "refusal_notice"
    assert [r["org_code"] for r in refusal.revisions] == ["522601101"]
    assert not PublicNotice.objects.filter(case=case).exists()


def test_refusal_at_county(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case)
        driver.end_notice(case, clock)
        driver.county_decision(case, decision="refuse")
    assert case.status == Case.Status.REFUSED
    refusal = Record.objects.get(instance=case.instance)
    assert (refusal.kind, [r["org_code"] for r in refusal.revisions]) == ("refusal_notice", ["522601"])
    assert driver.ready(case) == ["Task_deliver_refusal"]


def test_county_return_sends_the_case_back_to_township_review(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case)
        driver.end_notice(case, clock)
        driver.complete(case, "Task_county_approval", "shenpi",
                        {"decision": "return", "opinion": "金额测算有误，退回。"})
        assert driver.ready(case) == ["Task_township_review"]


def test_objection_during_notice_reinvestigates_and_renotices(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case)
        driver.object(case)
        assert PublicNotice.objects.get(case=case, round=1).status == "objected"
        assert driver.ready(case) == ["Task_objection_handling"]
        driver.complete(case, "Task_objection_handling", "jingban", {
            "route": "reinvestigate", "assessment": "异议涉及收入，重新入户调查。"})
        assert driver.ready(case) == ["Task_home_visit"]
        driver.home_visit(case, who="jingban2", cosigner="jingban")
        driver.democratic_review(case)
        driver.township_review(case, amount=1300.0)
        second = PublicNotice.objects.get(case=case, round=2)
        assert (second.status, float(second.amount)) == ("open", 1300.0)
        driver.end_notice(case, clock)
        # A case with a complaint gets the county's own home visit before approval.
        assert driver.ready(case) == ["Task_county_home_visit"]
        driver.complete(case, "Task_county_home_visit", "xianguan", {
            "visited_on": "2026-03-20", "investigators": ["钱管理", "县民政局 孙某"],
            "findings": "县级入户核查，子女务工收入不稳定，异议不成立。", "conclusion": "consistent"})
        driver.county_decision(case, amount=1300.0)
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 1300.0
    approval = Record.objects.get(instance=case.instance, kind="approval_form")
    assert approval.revisions and len(PublicNotice.objects.filter(case=case)) == 2


def test_objection_can_go_to_democratic_review(driver):
    with freeze_time(MONDAY):
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case)
        driver.object(case)
        driver.complete(case, "Task_objection_handling", "jingban", {
            "route": "democratic_review", "assessment": "异议涉及家庭情况，提请民主评议。"})
        assert driver.ready(case) == ["Task_democratic_review"]


def test_delegated_confirmation_without_democratic_review(dibao_program, delegated_people):
    driver = CaseDriver(dibao_program, delegated_people)
    with freeze_time(MONDAY) as clock:
        case = driver.open(village=DELEGATED_VILLAGE)
        driver.accept(case)
        driver.home_visit(case)
        # Huangping 2026: uncontested cases skip the democratic review; standard 420, no stacking.
        assert driver.ready(case) == ["Task_township_review"]
        data = driver.data(case, "Task_township_review")
        assert (data["standard"], data["township_confirms"], data["total_days"]) == (420, True, 20)
        driver.township_review(case, amount=data["dibao"]["amount"])
        driver.end_notice(case, clock)
        assert driver.ready(case) == ["Task_township_confirm"]
        driver.county_decision(case, amount=data["dibao"]["amount"], who="queren", spec_id="Task_township_confirm")
    assert case.status == Case.Status.APPROVED
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert [r["org_code"] for r in records["approval_form"].revisions] == ["522622100"]
    assert [r["org_code"] for r in records["decision_notice"].revisions] == ["522622100"]
    assert not AuditEvent.objects.filter(instance=case.instance, payload__task="Task_democratic_review").exists()


def test_whole_case_clock_is_20_working_days_when_delegated(dibao_program, delegated_people):
    driver = CaseDriver(dibao_program, delegated_people)
    with freeze_time(MONDAY):
        case = driver.open(village=DELEGATED_VILLAGE)
    deadline = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_case_deadline")
    # The 20th working day after Monday 2026-03-02 (no holidays in March): Monday 2026-03-30, end of day China time.
    assert deadline.due_at == datetime(2026, 3, 30, 15, 59, 59, tzinfo=UTC)


def test_statutory_clocks_show_on_tasks_and_escalate(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        driver.accept(case)
        visit = driver.task(case, "Task_home_visit")
        # Investigation within 3 working days: Thursday 2026-03-05, end of day.
        assert visit.due_at == datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC)
        case_deadline = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_case_deadline")
        assert case_deadline.due_at == datetime(2026, 4, 14, 15, 59, 59, tzinfo=UTC)  # 30 working days (清明 4-4..6)
        clock.tick(timedelta(days=4))
        runtime.fire_instance_timers(case.instance_id)
        assert driver.ready(case) == ["Task_home_visit", "Task_visit_overdue"]
        overdue = driver.task(case, "Task_visit_overdue")
        assert overdue.candidate_group == "county_admin:522601"
        # The escalation does not stop the case.
        driver.home_visit(case)
        assert "Task_democratic_review" in driver.ready(case)
        driver.complete(case, "Task_visit_overdue", "xianguan",
                        {"handled_on": "2026-03-06", "action": "电话催办经办人"})
        clock.tick(timedelta(days=40))
        runtime.fire_instance_timers(case.instance_id)
        assert "Task_case_overdue" in driver.ready(case)


def test_home_visitor_and_township_reviewer_cannot_approve(driver, people):
    people["shenpi"].groups.add(*people["jingban"].groups.all(), *people["shenhe"].groups.all())
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        driver.accept(case)
        driver.home_visit(case, who="shenpi")  # the county approver also holds a township caseworker post
        driver.democratic_review(case)
        driver.township_review(case)
        driver.end_notice(case, clock)
        task = driver.task(case, "Task_county_approval")
        with pytest.raises(TaskForbidden, match="职责分离"):
            runtime.complete_task(task.pk, people["shenpi"], {"decision": "approve", "opinion": "同意",
                                                              "approved_amount": EXPECTED_AMOUNT})
        with pytest.raises(TaskForbidden, match="职责分离"):
            runtime.claim_task(task.pk, people["shenpi"])
    task.refresh_from_db()
    assert task.status == HumanTask.Status.READY


def test_township_reviewer_cannot_confirm_delegated_case(dibao_program, delegated_people):
    reviewer = delegated_people["shenhe"]
    reviewer.groups.add(*delegated_people["queren"].groups.all())
    driver = CaseDriver(dibao_program, delegated_people)
    with freeze_time(MONDAY) as clock:
        case = driver.open(village=DELEGATED_VILLAGE)
        driver.accept(case)
        driver.home_visit(case)
        driver.township_review(case)
        driver.end_notice(case, clock)
        with pytest.raises(TaskForbidden, match="职责分离"):
            driver.county_decision(case, who="shenhe", spec_id="Task_township_confirm")


def test_cosign_must_be_another_investigator(driver, people):
    with freeze_time(MONDAY):
        case = driver.open()
        driver.accept(case)
        driver.complete(case, "Task_home_visit", "jingban", {
            "visited_on": "2026-03-02", "investigators": ["李经办", "吴经办"], "findings": "情况属实"})
        with pytest.raises(TaskForbidden, match="会签"):
            driver.complete(case, "Task_home_visit_cosign", "jingban", {"confirmed": True, "signed_on": "2026-03-02"})


def test_relative_of_staff_is_registered_separately_and_recused(driver, people):
    head = HOUSEHOLD[0]
    StaffRelative.objects.create(staff=people["shenhe"], name=head[0], resident_id=head[2], relation="sibling")
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        assert case.separately_registered
        conflict = CaseConflict.objects.get(case=case)
        assert (conflict.staff, conflict.source) == (people["shenhe"], "matched")
        driver.accept(case)
        driver.home_visit(case)
        driver.democratic_review(case)
        with pytest.raises(TaskForbidden, match="回避"):
            driver.township_review(case, who="shenhe")
        other = driver.people["shenhe"].__class__.objects.create_user("shenhe2")
        other.groups.add(*people["shenhe"].groups.all())
        driver.people["shenhe2"] = other
        driver.township_review(case, who="shenhe2")
        driver.end_notice(case, clock)
        # 单独登记备案: the county visits the household itself before approving.
        assert driver.ready(case) == ["Task_county_home_visit"]
        driver.complete(case, "Task_county_home_visit", "xianguan", {
            "visited_on": "2026-03-12", "investigators": ["钱管理", "县民政局 孙某"], "findings": "县级入户核查属实。"})
        driver.county_decision(case)
    assert case.status == Case.Status.APPROVED
