"""Temporary assistance (workflows/temporary/temporary.bpmn with its DMN tables and the collective decision
sub-process) through the engine API: the normal path, refusals, tiered approval by amount (delegated to the
township, county, collective decision, the 50,000 yuan ceiling), emergency aid from the township reserve fund
with its paperwork deadline, 小额快救, and the overdue report.

Worked examples use Kaili's 2026 rules: urban 低保 standard 780 yuan a month; the township approves up to
1,500 yuan on the county's delegation; the county decides collectively above 20,000; nothing above 50,000;
cases the county approves are noticed for 7 days; emergency aid paperwork within 5 working days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from engine import runtime, worklist
from engine.errors import ProcessError, TaskForbidden
from engine.models import AuditEvent, HumanTask, TimerEvent
from forms import renderer
from portal.cases.models import Case
from portal.notices.models import PublicNotice
from portal.programs.temporary import funds
from portal.programs.temporary.models import EmergencyAid, ReserveFundEntry
from portal.records import service as record_service
from portal.records import verify as record_verify
from portal.records.models import Record
from tests.programs.temporary.driver import TemporaryDriver
from tests.workflows.driver import DELEGATED_VILLAGE

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time: Kaili's 2026 rules.
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TOWNSHIP = "522601101"  # 舟溪镇
DELEGATED_BASIS = ("舟溪镇人民政府依凯里市民政局委托审批"
                   "（临时救助委托审批额度 1500 元，凯里市2026年临时救助分级审批规则）")


@pytest.fixture
def temporary_program(deployed, jurisdictions, shipped_programs):
    return shipped_programs["temporary"]


@pytest.fixture
def driver(temporary_program, people):
    return TemporaryDriver(temporary_program, people)


@pytest.fixture
def rendered(monkeypatch):
    """The data of every record rendered, by kind (the PDF's own text is not extracted)."""
    seen: dict[str, list[dict]] = {}
    original = record_service.render

    def spy(kind, data, **kwargs):
        seen.setdefault(kind, []).append(data)
        return original(kind, data, **kwargs)

    monkeypatch.setattr(record_service, "render", spy)
    return seen


def completed_tasks(case: Case) -> list[str]:
    return [e.payload["task"] for e in AuditEvent.objects.filter(instance=case.instance, kind="task.completed")
            .order_by("seq")]


def events(case: Case, kind: str) -> list[dict]:
    return [e.payload for e in AuditEvent.objects.filter(instance=case.instance, kind=kind).order_by("seq")]


def signed_by(case: Case, kind: str) -> list[str]:
    return [r["org_code"] for r in Record.objects.get(instance=case.instance, kind=kind).revisions]


def fire(case: Case, clock, days: int) -> None:  # noqa: ANN001 - freezegun's clock
    clock.tick(timedelta(days=days))
    runtime.fire_instance_timers(case.instance_id)
    case.refresh_from_db()


def to_township_review(driver: TemporaryDriver, case: Case) -> None:
    driver.accept(case)
    driver.home_visit(case)


# --- the normal path -------------------------------------------------------------------------------------------

def test_main_path_county_approval_after_notice(driver, rendered):
    with freeze_time(MONDAY) as clock:
        case = driver.open(requested_months=2)
        assert driver.ready(case) == ["Task_intake_check"]
        to_township_review(driver, case)
        data = driver.data(case, "Task_township_review")
        # 2 months × 780 = 1,560 requested; the rules in force when the case was opened.
        assert (data["urban_standard"], data["requested_amount"], data["procedure_used"]) == (780, 1560, "normal")
        assert data["verification"]["consistent"] is True
        driver.township_review(case, months=3)
        # 3 months × 780 = 2,340 > 1,500: the county approves, and Kaili notices county cases for 7 days.
        notice = PublicNotice.objects.get(case=case)
        assert (notice.applicant_name, float(notice.amount)) == ("王秀英", 2340.0)
        assert driver.ready(case) == ["Task_objection"]
        driver.end_notice(case, clock)
        assert driver.ready(case) == ["Task_county_approval"]
        county_task = driver.task(case, "Task_county_approval")
        assert (county_task.candidate_group, county_task.form_key) == ("county_approver:522601",
                                                                       "temporary_county_decision")
        driver.decide(case, "Task_county_approval", amount=2340)
        assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("2340.00")
        assert driver.ready(case) == ["Task_deliver_decision"]
        driver.deliver(case)
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"
    assert completed_tasks(case) == ["Task_intake_check", "Task_home_visit", "Task_home_visit_cosign",
                                     "Task_township_review", "Task_county_approval", "Task_deliver_decision"]
    assert signed_by(case, "approval_form") == ["522601101", "522601"]
    assert signed_by(case, "decision_notice") == ["522601"]
    report = record_verify.verify_bytes(Record.objects.get(instance=case.instance, kind="approval_form").file.read())
    assert report.ok and len(report.signatures) == 2, report
    basis = "凯里市民政局审批（凯里市2026年临时救助分级审批规则）"
    assert rendered["approval_form"][0]["basis"] == basis and rendered["approval_form"][0]["amount"] == "2340.00"
    assert events(case, "temporary.decision_basis") == [
        {"basis": basis, "level": "county", "tier": "county", "amount": "2340.00", "delegated": False}]
    assert not TimerEvent.objects.filter(instance=case.instance, status=TimerEvent.Status.PENDING).exists()


def test_refusal_at_township_ends_with_a_written_refusal(driver, rendered):
    with freeze_time(MONDAY):
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, "refuse")
        assert case.status == Case.Status.REFUSED
        assert driver.ready(case) == ["Task_deliver_refusal"]
        driver.deliver(case, "Task_deliver_refusal")
    assert signed_by(case, "refusal_notice") == ["522601101"]
    assert rendered["refusal_notice"][0]["reasons"] == ["家庭经济状况核对发现存款超过规定，不属于生活陷入困境。"]
    assert not PublicNotice.objects.filter(case=case).exists()
    assert events(case, "emergency_aid.settled") == []


def test_refusal_at_county(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, amount=3000)
        driver.end_notice(case, clock)
        driver.decide(case, "Task_county_approval", "refuse")
    assert case.status == Case.Status.REFUSED and signed_by(case, "refusal_notice") == ["522601"]


def test_objection_during_notice_reinvestigates_and_the_county_visits(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, amount=3000)
        driver.object(case)
        assert driver.ready(case) == ["Task_objection_handling"]
        driver.complete(case, "Task_objection_handling", "jingban", {
            "route": "reinvestigate", "assessment": "异议称房屋并未垮塌，重新入户调查。"})
        driver.home_visit(case, who="jingban2", cosigner="jingban")
        driver.township_review(case, amount=2500)
        assert PublicNotice.objects.get(case=case, round=2).amount == Decimal("2500.00")
        driver.end_notice(case, clock)
        # A case with a complaint gets the county's own home visit before approval.
        assert driver.ready(case) == ["Task_county_home_visit"]
        driver.complete(case, "Task_county_home_visit", "xianguan", {
            "visited_on": "2026-03-12", "investigators": ["钱管理", "县民政局 孙某"],
            "findings": "县级入户核查，房屋部分垮塌属实，异议不成立。", "conclusion": "consistent"})
        driver.decide(case, "Task_county_approval", amount=2500)
    assert case.status == Case.Status.APPROVED


# --- tiered approval by amount ---------------------------------------------------------------------------------

def test_delegated_small_amount_is_approved_by_the_township(driver, rendered):
    with freeze_time(MONDAY):
        case = driver.open(requested_months=1)
        to_township_review(driver, case)
        driver.township_review(case, months=1)
        # 1 × 780 = 780 ≤ 1,500: the township approves on the county's delegation; no notice for that tier.
        assert driver.ready(case) == ["Task_township_confirm"]
        assert driver.task(case, "Task_township_confirm").candidate_group == "township_approver:522601101"
        assert not PublicNotice.objects.filter(case=case).exists()
        driver.decide(case, "Task_township_confirm", amount=780)
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("780.00")
    # Township seal only, on both records; the basis names the delegating office and the rule.
    assert signed_by(case, "approval_form") == ["522601101"]
    assert signed_by(case, "decision_notice") == ["522601101"]
    assert rendered["approval_form"][0]["basis"] == DELEGATED_BASIS
    assert rendered["decision_notice"][0]["basis"] == DELEGATED_BASIS
    assert events(case, "temporary.decision_basis") == [
        {"basis": DELEGATED_BASIS, "level": "township", "tier": "township", "amount": "780.00", "delegated": True}]
    assert "Task_county_approval" not in completed_tasks(case)


@pytest.mark.parametrize(("amount", "approver"), [(1500, "Task_township_confirm"), (1500.01, "Task_county_approval")])
def test_amount_at_and_just_over_the_delegation_threshold(driver, amount, approver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, amount=amount)
        if approver == "Task_county_approval":
            assert driver.ready(case) == ["Task_objection"]  # Kaili notices the cases its county approves
            driver.end_notice(case, clock)
        assert driver.ready(case) == [approver]
        assert driver.data(case, approver)["delegation_threshold"] == 1500
        driver.decide(case, approver, amount=amount)
    assert case.status == Case.Status.APPROVED


def test_township_cannot_approve_beyond_its_delegation(driver):
    with freeze_time(MONDAY) as clock:
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, months=1)
        # The township raises the amount to 2,000, beyond its 1,500 delegation: the county decides.
        driver.decide(case, "Task_township_confirm", amount=2000)
        assert case.status == Case.Status.OPEN
        assert driver.ready(case) == ["Task_county_approval"]
        assert driver.data(case, "Task_county_approval")["proposed_amount"] == 2000
        driver.decide(case, "Task_county_approval", amount=2000)
        assert case.status == Case.Status.APPROVED
        assert signed_by(case, "approval_form") == ["522601101", "522601"]
        # And a county approval beyond 20,000 goes to the collective decision.
        other = driver.open()
        to_township_review(driver, other)
        driver.township_review(other, amount=18000)
        driver.end_notice(other, clock)
        driver.decide(other, "Task_county_approval", amount=22000)
        assert driver.task(other, "Task_county_approval").form_key == "temporary_collective_decision"


def test_above_the_second_threshold_the_county_decides_collectively(driver, rendered):
    with freeze_time(MONDAY) as clock:
        case = driver.open(requested_basis="sum", requested_sum=25000, sum_reasons="住房倒塌后租房和购置生活用品")
        to_township_review(driver, case)
        driver.township_review(case, amount=25000)
        driver.end_notice(case, clock)
        task = driver.task(case, "Task_county_approval")
        assert (task.form_key, task.name, task.candidate_group) == (
            "temporary_collective_decision", "县级集体研究决定", "county_approver:522601")
        # The meeting record must be signed by all and name every member's opinion.
        problems = renderer.validate("temporary_collective_decision", {
            "meeting_date": "2026-03-10", "meeting_name": "局务会", "chair": "孙局长",
            "attendees": ["孙局长", "李副局长"], "member_opinions": [], "decision": "approve", "opinion": "同意",
            "approved_amount": 25000})
        assert {"attendees", "member_opinions", "all_signed"} <= set(problems)
        driver.collective(case, amount=25000)
        meeting_day = clock().date().isoformat()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("25000.00")
    basis = f"凯里市民政局集体研究决定（{meeting_day} 凯里市民政局局务会，4 人参加；凯里市2026年临时救助分级审批规则）"
    assert rendered["approval_form"][0]["basis"] == basis
    assert rendered["approval_form"][0]["county_decision"]["text"] == "经集体研究，同意给予临时救助。"
    assert signed_by(case, "approval_form") == ["522601101", "522601"]
    meeting = AuditEvent.objects.get(instance=case.instance, kind="task.completed",
                                     payload__task="Task_county_approval")
    assert len(meeting.payload["data"]["member_opinions"]) == 4 and meeting.payload["data"]["all_signed"] is True
    assert events(case, "temporary.decision_basis")[0]["level"] == "collective"


def test_requested_amount_above_the_ceiling_is_refused_in_writing(driver, rendered):
    # The form refuses it ...
    problems = renderer.validate("temporary_application", {"requested_basis": "sum", "requested_sum": 60000})
    assert problems["requested_sum"] == ["临时救助金额最高不超过 50,000 元"]
    # ... and so does the process, for an application that reaches it another way.
    with freeze_time(MONDAY):
        case = driver.open(requested_basis="sum", requested_sum=60000, sum_reasons="房屋重建费用")
    assert case.status == Case.Status.REFUSED
    assert driver.ready(case) == ["Task_deliver_refusal"]
    assert signed_by(case, "refusal_notice") == ["522601101"]
    assert rendered["refusal_notice"][0]["reasons"] == [
        "申请救助金额 60,000.00 元，超过临时救助最高金额 50,000 元（凯里市2026年临时救助分级审批规则）。"]


def test_proposed_amount_above_the_ceiling_is_refused(driver, people, rendered):
    with freeze_time(MONDAY):
        case = driver.open()
        to_township_review(driver, case)
        task = driver.task(case, "Task_township_review")
        runtime.complete_task(task.pk, people["shenhe"], {
            "decision": "approve", "opinion": "拟按实际损失救助", "amount_basis": "sum", "proposed_sum": 50000.01,
            "sum_reasons": "房屋重建"})
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED
    assert rendered["refusal_notice"][0]["reasons"] == [
        "救助金额 50,000.01 元，超过临时救助最高金额 50,000 元（凯里市2026年临时救助分级审批规则）。"]


def test_township_reviewer_cannot_also_approve(driver, people):
    people["shenhe"].groups.add(*people["queren"].groups.all())
    with freeze_time(MONDAY):
        case = driver.open()
        to_township_review(driver, case)
        driver.township_review(case, months=1)
        with pytest.raises(TaskForbidden, match="职责分离"):
            driver.decide(case, "Task_township_confirm", amount=780, who="shenhe")


# --- emergency aid: rescue first, paperwork after -----------------------------------------------------------------

def rescue(driver: TemporaryDriver, **application) -> Case:
    return driver.open(procedure="rescue_first", urgency="住房倒塌，一家三口无处居住", **application)


def test_emergency_aid_with_paperwork_in_time(driver, people, rendered):
    funds.top_up(TOWNSHIP, 5000, actor=people["xianguan"], reason="2026年第一季度备用金")
    with freeze_time(MONDAY) as clock:
        case = rescue(driver)
        assert driver.ready(case) == ["Task_emergency_aid"]
        driver.emergency_aid(case, amount=1000)
        # Paid at once from the reserve fund, the 先行救助登记表 signed by the township; then the normal chain.
        assert funds.balance(TOWNSHIP) == Decimal("4000.00")
        payment = ReserveFundEntry.objects.get(case=case)
        assert (payment.kind, payment.amount, payment.balance_after, payment.actor) == (
            "payment", Decimal("1000.00"), Decimal("4000.00"), people["jingban"])
        assert signed_by(case, "emergency_aid") == ["522601101"]
        record = rendered["emergency_aid"][0]
        assert (record["applicant"], record["amount"], record["aid_form"], record["household_size"]) == (
            "王秀英", "1000.00", "现金", 3)
        assert record["id_number"].startswith("5226**********")
        aid = EmergencyAid.objects.get(case=case)
        # 5 working days from Monday 2026-03-02: Monday 2026-03-09, end of day China time.
        assert aid.paperwork_due == datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)
        assert TimerEvent.objects.get(instance=case.instance, spec_id="Timer_paperwork").due_at == aid.paperwork_due
        assert driver.ready(case) == ["Task_intake_check"]
        to_township_review(driver, case)
        driver.township_review(case, amount=1200)
        driver.decide(case, "Task_township_confirm", amount=1200)
        assert case.status == Case.Status.APPROVED
        # The deadline passes while the decision is being delivered: nothing to escalate.
        fire(case, clock, 8)
        assert driver.ready(case) == ["Task_deliver_decision"]
    aid.refresh_from_db()
    assert (aid.outcome, aid.escalated_at) == ("approved", None)
    assert events(case, "emergency_aid.settled")[0]["in_time"] is True
    # The county's seal completes the emergency aid record (手续补齐).
    assert signed_by(case, "emergency_aid") == ["522601101", "522601"]
    assert rendered["approval_form"][0]["basis"] == DELEGATED_BASIS + "；其中已先行救助 1,000.00 元"
    assert "Task_paperwork_overdue" not in driver.ready(case)


def test_emergency_aid_deadline_missed_escalates_to_the_county(driver, people, rendered):
    funds.top_up(TOWNSHIP, 5000, actor=people["xianguan"], reason="2026年第一季度备用金")
    with freeze_time(MONDAY) as clock:
        case = rescue(driver)
        driver.emergency_aid(case, amount=1000)
        driver.accept(case)
        fire(case, clock, 8)  # Tuesday 2026-03-10: past the 5 working days
        assert driver.ready(case) == ["Task_home_visit", "Task_paperwork_overdue"]
        overdue = driver.task(case, "Task_paperwork_overdue")
        assert overdue.candidate_group == "county_admin:522601"
        assert overdue in worklist.group_tasks(people["xianguan"])
        assert overdue not in worklist.actionable_tasks(people["jingban"])
        assert EmergencyAid.objects.get(case=case).escalated_at is not None

        # The county's report lists it, with a link to the escalation task.
        client = Client()
        client.force_login(people["xianguan"])
        page = client.get(reverse("temporary:overdue")).content.decode()
        assert case.business_key in page and reverse("task", args=[overdue.pk]) in page
        # Due at the end of Monday 2026-03-09 (5 working days), listed on Tuesday: one working day late.
        assert '<td class="num days">1</td>' in page
        client.force_login(people["jingban"])
        assert client.get(reverse("temporary:overdue")).status_code == 404

        driver.complete(case, "Task_paperwork_overdue", "xianguan",
                        {"handled_on": "2026-03-10", "action": "约谈乡镇经办人，限两日内补办手续"})
        # The later review refuses: the refusal says the aid was already paid, and why.
        driver.home_visit(case)
        driver.township_review(case, "refuse")
        reasons = driver.data(case, "Task_deliver_refusal")["refusal_reasons"]
    assert case.status == Case.Status.REFUSED
    note = ("申请人已于2026年3月2日获先行救助 1,000.00 元（舟溪镇临时救助备用金支付），先行救助的原因："
            "房屋因暴雨垮塌，一家三口无处居住。经补办审核审批手续，不符合临时救助条件，不再给予临时救助。")
    assert reasons.splitlines() == ["家庭经济状况核对发现存款超过规定，不属于生活陷入困境。", note]
    assert rendered["refusal_notice"][0]["reasons"][-1] == note
    settled = events(case, "emergency_aid.settled")[0]
    assert (settled["outcome"], settled["in_time"], settled["amount"], settled["reason"]) == (
        "refused", False, "1000.00", note)
    assert [e["status"] for e in events(case, "emergency_aid.overdue")] == ["escalated"]
    # The record stays signed by the township alone: the county never ratified the aid.
    assert signed_by(case, "emergency_aid") == ["522601101"]
    client = Client()
    client.force_login(people["xianguan"])
    assert case.business_key not in client.get(reverse("temporary:overdue")).content.decode()


def test_overdue_report_shows_only_the_users_county(driver, people, delegated_people, make_user):
    funds.top_up(TOWNSHIP, 5000, actor=None, reason="备用金")
    with freeze_time(MONDAY) as clock:
        case = rescue(driver)
        driver.emergency_aid(case)
        fire(case, clock, 8)
        client = Client()
        client.force_login(delegated_people["xianguan"])  # Huangping's county admin
        page = client.get(reverse("temporary:overdue"))
        assert page.status_code == 200 and case.business_key not in page.content.decode()
        client.force_login(people["shenpi"])
        assert case.business_key in client.get(reverse("temporary:overdue")).content.decode()
        auditor = make_user("shenji", "auditor")
        client.force_login(auditor)
        assert case.business_key in client.get(reverse("temporary:overdue")).content.decode()
        client.logout()
        assert client.get(reverse("temporary:overdue")).status_code == 302  # to the login page


# --- reserve fund -------------------------------------------------------------------------------------------------

def test_emergency_aid_beyond_the_balance_needs_the_countys_approval(driver, people):
    funds.top_up(TOWNSHIP, 500, actor=people["xianguan"], reason="备用金")
    with freeze_time(MONDAY):
        case = rescue(driver)
        driver.emergency_aid(case, amount=1000)
        # Nothing is paid yet: the balance (500) does not cover 1,000.
        assert driver.ready(case) == ["Task_fund_approval"]
        assert driver.task(case, "Task_fund_approval").candidate_group == "county_approver:522601"
        assert funds.balance(TOWNSHIP) == Decimal("500.00") and not EmergencyAid.objects.exists()
        assert events(case, "reserve_fund.insufficient")[0]["shortfall"] == "500.00"
        # An allocation that still falls short comes back to the county.
        driver.fund_approval(case, allocation=200)
        assert driver.ready(case) == ["Task_fund_approval"]
        driver.fund_approval(case, allocation=400)
        assert driver.ready(case) == ["Task_intake_check"]
    assert funds.balance(TOWNSHIP) == Decimal("100.00")
    ledger = [(e.kind, e.amount, e.balance_after, e.actor_id) for e in ReserveFundEntry.objects.order_by("pk")]
    assert ledger == [("top_up", Decimal("500.00"), Decimal("500.00"), people["xianguan"].pk),
                      ("top_up", Decimal("200.00"), Decimal("700.00"), people["shenpi"].pk),
                      ("top_up", Decimal("400.00"), Decimal("1100.00"), people["shenpi"].pk),
                      ("payment", Decimal("1000.00"), Decimal("100.00"), people["jingban"].pk)]
    assert EmergencyAid.objects.get(case=case).amount == Decimal("1000.00")


def test_emergency_aid_above_the_ceiling_is_not_paid(driver, people):
    funds.top_up(TOWNSHIP, 100000, actor=None, reason="备用金")
    with freeze_time(MONDAY):
        case = rescue(driver)
        task = driver.task(case, "Task_emergency_aid")
        with pytest.raises(ProcessError, match="超过临时救助最高金额 50,000 元") as refused:
            runtime.complete_task(task.pk, people["jingban"], {
                "aid_date": "2026-03-02", "situation": "房屋倒塌", "aid_amount": 60000, "aid_form": "transfer",
                "received_by": "王秀英"})
        # A refusal the caseworker reads as it is, not a fault of the process.
        assert refused.value.refusal == "先行救助金额 60,000.00 元超过临时救助最高金额 50,000 元，不能发放"
    # Rolled back: the task is still to do and nothing was paid.
    assert driver.ready(case) == ["Task_emergency_aid"]
    assert funds.balance(TOWNSHIP) == Decimal("100000.00") and not EmergencyAid.objects.exists()


def test_county_refusing_the_advance_leaves_the_normal_procedure(driver):
    with freeze_time(MONDAY):
        case = rescue(driver)
        driver.emergency_aid(case, amount=800)
        driver.fund_approval(case, "refuse")
        assert driver.ready(case) == ["Task_intake_check"]
        data = driver.data(case, "Task_intake_check")
    assert data["emergency_paid"] is False and "县级未批准先行发放" in data["procedure_note"]
    assert not ReserveFundEntry.objects.exists() and not EmergencyAid.objects.exists()
    assert not Record.objects.filter(instance=case.instance, kind="emergency_aid").exists()


def test_expenditure_hardship_cannot_be_rescued_first(driver):
    with freeze_time(MONDAY):
        case = rescue(driver, aid_kind="expenditure")
        assert driver.ready(case) == ["Task_intake_check"]
        assert "只适用于急难型" in driver.data(case, "Task_intake_check")["procedure_note"]


# --- 小额快救 ----------------------------------------------------------------------------------------------------

def test_quick_small_aid_without_verification_or_notice(driver, rendered):
    with freeze_time(MONDAY):
        case = driver.open(procedure="quick", requested_months=1)
        # Straight to the township's review: no intake check, no economic verification, no home visit.
        assert driver.ready(case) == ["Task_township_review"]
        # Done within 3 working days: Thursday 2026-03-05, end of day.
        quick_due = datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC)
        assert driver.task(case, "Task_township_review").due_at == quick_due
        driver.township_review(case, months=1)
        assert driver.task(case, "Task_township_confirm").due_at == quick_due
        driver.decide(case, "Task_township_confirm", amount=780)
        assert driver.task(case, "Task_deliver_decision").due_at == quick_due
        driver.deliver(case)
    assert case.status == Case.Status.APPROVED
    assert completed_tasks(case) == ["Task_township_review", "Task_township_confirm", "Task_deliver_decision"]
    assert events(case, "verification.completed") == [] and not PublicNotice.objects.filter(case=case).exists()
    # Records kept for audit, the basis stating the procedure.
    assert signed_by(case, "approval_form") == ["522601101"]
    assert rendered["approval_form"][0]["basis"] == "小额快救，不经家庭经济状况核对和公示；" + DELEGATED_BASIS
    assert events(case, "temporary.decision_basis")[0]["basis"].startswith("小额快救")


def test_quick_aid_over_one_month_of_the_standard_goes_the_normal_way(driver):
    with freeze_time(MONDAY):
        requested = driver.open(procedure="quick", requested_months=2)
        assert driver.ready(requested) == ["Task_intake_check"]
        assert "超过小额快救额度 780 元" in driver.data(requested, "Task_intake_check")["procedure_note"]
        # The reviewer proposing more than the quick limit turns a quick case into a normal one.
        case = driver.open(procedure="quick", requested_months=1)
        driver.township_review(case, months=2)
        assert driver.ready(case) == ["Task_home_visit"]
        assert events(case, "verification.completed")


def test_quick_aid_is_not_available_before_2026(driver):
    with freeze_time(datetime(2025, 6, 2, 1, 0, tzinfo=UTC)):
        case = driver.open(procedure="quick", requested_months=1)
        assert driver.ready(case) == ["Task_intake_check"]
        data = driver.data(case, "Task_intake_check")
    # Kaili 2025: standard 740, delegation up to 1,000 yuan, no 小额快救.
    assert (data["urban_standard"], data["quick_aid_enabled"], data["procedure_used"]) == (740, False, "normal")
    assert "尚未实行小额快救" in data["procedure_note"]


# --- other counties -------------------------------------------------------------------------------------------------

def test_huangping_rules(temporary_program, delegated_people):
    driver = TemporaryDriver(temporary_program, delegated_people)
    with freeze_time(MONDAY):
        case = driver.open(village=DELEGATED_VILLAGE)
        driver.accept(case)
        driver.home_visit(case)
        data = driver.data(case, "Task_township_review")
        # Huangping 2026: standard 730; delegation up to 2,000; county cases are not noticed.
        assert (data["urban_standard"], data["requested_amount"], data["paperwork_days"]) == (730, 1460, 10)
        driver.township_review(case, amount=1900)
        assert driver.ready(case) == ["Task_township_confirm"]
        driver.decide(case, "Task_township_confirm", amount=1900)
    assert case.status == Case.Status.APPROVED
    assert signed_by(case, "approval_form") == ["522622100"]


def test_no_rule_in_force_opens_no_case(driver):
    # Before 2025 no rule set is in force: the start fails with a ProcessError and nothing is saved.
    with freeze_time(datetime(2024, 6, 3, 1, 0, tzinfo=UTC)), pytest.raises(ProcessError):
        driver.open()
    assert not Case.objects.exists() and not HumanTask.objects.exists()
