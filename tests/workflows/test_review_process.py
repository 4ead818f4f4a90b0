"""Dynamic management (workflows/review/annual_review.bpmn) through the engine API: the
scheduler enrols approved 低保/特困 cases and opens their reviews when due, a death opens one at once, and a review
continues, adjusts or ends the aid — a reduction or termination only after the recipient has been heard, with a
signed written decision, the approved case updated and both audit chains recording it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from engine import audit, runtime
from engine.errors import TaskForbidden
from engine.models import AuditEvent, HumanTask, TimerEvent
from portal.cases.models import Case, Member
from portal.programs.review import services
from portal.programs.review.models import DeathTrigger, ReviewCase, ReviewSchedule
from portal.records import service
from portal.records.models import Record
from tests.programs.review import support
from tests.programs.review.support import ALONE, WITH_WORKING_SON, ReviewDriver, approved_case, china_noon
from tests.records.conftest import pdf_text, sealed_by

from .driver import DELEGATED_VILLAGE, VILLAGE

pytestmark = pytest.mark.django_db
review_programs = support.review_programs  # the fixture
APPROVED = date(2025, 3, 2)
DUE = date(2026, 3, 2)  # a Monday: Kaili 2026 rules (standard 480, county confirmation)


@pytest.fixture
def driver(review_programs, people):
    return ReviewDriver(review_programs["dibao_review"], people)


def sweep(day: date) -> services.SweepResult:
    with freeze_time(china_noon(day)):
        return services.open_due_reviews()


def the_review(original: Case) -> Case:
    return ReviewCase.objects.get(original=original, concluded_at__isnull=True).review


def kinds(instance_id: int | None, **filters) -> list[str]:
    return list(AuditEvent.objects.filter(instance_id=instance_id, **filters).order_by("seq")
                .values_list("kind", flat=True))


def completed(review: Case) -> list[str]:
    return [e.payload["task"] for e in
            AuditEvent.objects.filter(instance=review.instance, kind="task.completed").order_by("seq")]


def test_stable_household_is_reviewed_after_a_year_continues_and_is_scheduled_a_year_later(driver, review_programs):
    original = approved_case(review_programs["dibao"], with_instance=True)
    first = sweep(APPROVED)
    assert (first.enrolled, first.opened) == (1, [])
    schedule = ReviewSchedule.objects.get(case=original)
    assert (schedule.interval_months, schedule.next_due, schedule.able_bodied_members) == (12, DUE, 0)
    assert sweep(DUE - timedelta(days=1)).opened == []

    opened = sweep(DUE)
    review = the_review(original)
    assert opened.opened == [review.business_key] and review.business_key.startswith("DIBAO_REVIEW-20260302-")
    assert (review.program_id, review.household_id, review.status) == ("dibao_review", original.household_id, "open")
    link = driver.link(review)
    assert (link.trigger, link.due_on, link.previous_amount) == ("scheduled", DUE, Decimal("1452.00"))
    assert sweep(DUE).opened == []  # idempotent
    assert driver.ready(review) == ["Task_home_visit"]

    with freeze_time(china_noon(DUE)):
        data = driver.data(review, "Task_home_visit")
        # Re-verified and recalculated under the 2026 rules: (480 − 150) × 2 + supplements 264 = 924.
        assert data["verification"]["consistent"] and data["dibao"]["amount"] == 924.0
        assert (data["original_amount"], data["household_size"]) == (1452.0, 2)
        driver.home_visit(review)
        driver.propose(review, "continue")
    review.refresh_from_db()
    original.refresh_from_db()
    assert driver.ready(review) == []
    assert (review.status, review.monthly_amount) == (Case.Status.APPROVED, Decimal("1452.00"))
    assert (original.status, original.monthly_amount) == (Case.Status.APPROVED, Decimal("1452.00"))
    assert completed(review) == ["Task_home_visit", "Task_home_visit_cosign", "Task_township_review"]
    assert not Record.objects.filter(instance=review.instance).exists()  # nothing changed: no written decision
    schedule.refresh_from_db()
    assert (schedule.next_due, schedule.last_review, schedule.last_reviewed_on) == (date(2027, 3, 2), review, DUE)
    link.refresh_from_db()
    assert link.outcome == "continue" and link.concluded_at is not None
    review.instance.refresh_from_db()
    assert review.instance.status == "completed"
    assert not TimerEvent.objects.filter(instance=review.instance, status=TimerEvent.Status.PENDING).exists()
    # Both chains: the review's own, and the approved case's.
    assert {"case.closed", "review.scheduled", "verification.completed"} <= set(kinds(review.instance_id))
    assert kinds(original.instance_id, kind__in=["review.scheduled", "review.opened", "case.reviewed"]) == [
        "review.scheduled", "review.opened", "case.reviewed", "review.scheduled"]
    reviewed = AuditEvent.objects.get(instance=original.instance, kind="case.reviewed")
    assert reviewed.payload["review_case"] == review.business_key and reviewed.payload["outcome"] == "continue"
    assert audit.verify_chains() == []


def test_a_member_able_to_work_means_a_review_every_six_months(review_programs):
    original = approved_case(review_programs["dibao"], members=WITH_WORKING_SON, amount="700.00")
    sweep(APPROVED)
    schedule = ReviewSchedule.objects.get(case=original)
    assert (schedule.interval_months, schedule.able_bodied_members, schedule.next_due) == (6, 1, date(2025, 9, 2))
    assert "劳动能力" in schedule.basis
    assert sweep(date(2025, 9, 2)).opened == [the_review(original).business_key]


def test_irregular_income_found_at_a_review_shortens_the_next_interval_to_six_months(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "continue", irregular_income=True)
    schedule = ReviewSchedule.objects.get(case=original)
    assert (schedule.interval_months, schedule.irregular_income, schedule.next_due) == (6, True, date(2026, 9, 2))
    assert "收入来源不固定" in schedule.basis
    # The next review starts from what this one found.
    sweep(date(2026, 9, 2))
    assert runtime.task_data(driver.task(the_review(original), "Task_home_visit").pk)["irregular_income"] is True


def test_reduction_hears_the_recipient_first_then_decides_and_notifies(driver, review_programs, people, make_user):
    # A third caseworker hears the recipient; she also holds a county approver post.
    people["jingban3"] = make_user("jingban3", "township_caseworker", "county_approver", village=VILLAGE)
    original = approved_case(review_programs["dibao"], with_instance=True)
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "adjust", amount=924.0, reasons="家庭成员收入增加。\n按2026年标准重新核算。")
        # Heard first: the decision waits until the hearing is recorded.
        assert driver.ready(review) == ["Task_hearing"]
        hearing = driver.task(review, "Task_hearing")
        assert hearing.candidate_group == "township_caseworker:522601101"
        assert hearing.due_at == datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)  # 5 working days
        driver.hear(review, who="jingban3")
        assert driver.ready(review) == ["Task_county_approval"]
        # Whoever heard the recipient does not confirm the reduction.
        with pytest.raises(TaskForbidden, match="职责分离.*听取陈述和申辩"):
            driver.decide(review, who="jingban3")
        driver.decide(review)
        original.refresh_from_db()
        assert original.monthly_amount == Decimal("924.00") and original.status == Case.Status.APPROVED
        assert driver.ready(review) == ["Task_deliver_notice"]
        driver.deliver(review, "Task_deliver_notice")
    assert completed(review) == ["Task_home_visit", "Task_home_visit_cosign", "Task_township_review", "Task_hearing",
                                 "Task_county_approval", "Task_deliver_notice"]
    review.refresh_from_db()
    assert (review.status, review.monthly_amount, review.payment_starts) == (
        Case.Status.APPROVED, Decimal("924.00"), date(2026, 4, 1))
    notice = Record.objects.get(instance=review.instance)
    assert (notice.kind, notice.title) == ("adjustment_notice", "农村最低生活保障金额调整决定书")
    assert [r["org_code"] for r in notice.revisions] == ["522601"]
    assert sealed_by(notice) == ["凯里市民政局"]
    text = pdf_text(service.read(notice))
    for stated in ("1,452.00", "924.00", "2026年4月", "家庭成员收入增加", "听取", "行政复议", "行政诉讼",
                   "凯里市民政局"):
        assert stated in text, stated
    link = driver.link(review)
    assert (link.outcome, link.previous_amount, link.new_amount, link.effective_from) == (
        "adjust", Decimal("1452.00"), Decimal("924.00"), date(2026, 4, 1))
    reviewed = AuditEvent.objects.get(instance=original.instance, kind="case.reviewed")
    assert reviewed.payload["record_id"] == notice.pk and reviewed.payload["sha256"] == notice.sha256
    assert reviewed.payload["reasons"] == ["家庭成员收入增加。", "按2026年标准重新核算。"]
    assert ReviewSchedule.objects.get(case=original).next_due == date(2027, 3, 2)


def test_an_increase_needs_no_hearing(driver, review_programs):
    original = approved_case(review_programs["dibao"], amount="800.00")
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "adjust", amount=924.0, reasons="2026年起低保标准提高。")
        assert driver.ready(review) == ["Task_county_approval"]
        driver.decide(review)
    original.refresh_from_db()
    assert original.monthly_amount == Decimal("924.00")
    assert "Task_hearing" not in completed(review)


def test_ending_aid_records_the_hearing_before_the_decision_and_a_written_notice(driver, review_programs):
    original = approved_case(review_programs["dibao"], with_instance=True)
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "terminate", reasons="家庭月人均收入 1500 元，高于当地低保标准 480 元。")
        assert driver.ready(review) == ["Task_hearing"]
        driver.hear(review)
        driver.decide(review)
        original.refresh_from_db()
        assert original.status == Case.Status.CLOSED and original.closed_at is not None
        driver.deliver(review, "Task_deliver_notice")
    events = {e.payload["task"]: e.seq for e in AuditEvent.objects.filter(instance=review.instance,
                                                                          kind="task.completed")}
    assert events["Task_township_review"] < events["Task_hearing"] < events["Task_county_approval"]
    notice = Record.objects.get(instance=review.instance)
    assert (notice.kind, notice.title) == ("termination_notice", "终止农村最低生活保障决定书")
    assert [r["org_code"] for r in notice.revisions] == ["522601"]
    assert sealed_by(notice) == ["凯里市民政局"]
    text = pdf_text(service.read(notice))
    for stated in ("终止农村最低生活保障决定书", "高于当地低保标准480元", "听取", "行政复议", "行政诉讼",
                   "凯里市人民政府"):
        assert stated in text, stated
    review.refresh_from_db()
    assert review.status == Case.Status.CLOSED and driver.ready(review) == []
    review.instance.refresh_from_db()
    assert review.instance.status == "completed"
    schedule = ReviewSchedule.objects.get(case=original)
    assert (schedule.next_due, schedule.ended_on) == (None, DUE)
    reviewed = AuditEvent.objects.get(instance=original.instance, kind="case.reviewed")
    assert (reviewed.payload["outcome"], reviewed.payload["amount"]) == ("terminate", None)
    assert reviewed.payload["payment_stops"] == "2026-04-01" and "payment_starts" not in reviewed.payload
    # 应退则退: a terminated case is never reviewed again.
    assert sweep(date(2028, 1, 1)).opened == []
    assert audit.verify_chains() == []


def test_hearing_can_send_the_proposal_back_to_the_township(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "terminate", reasons="家庭收入超过标准。")
        driver.hear(review, conclusion="reconsider")
        assert driver.ready(review) == ["Task_township_review"]
        driver.propose(review, "continue")
    original.refresh_from_db()
    assert original.status == Case.Status.APPROVED and driver.link(review).outcome == "continue"


def test_county_can_return_the_review_to_the_township(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "adjust", amount=1000.0, reasons="收入增加。")
        driver.hear(review)
        driver.decide(review, "return")
        assert driver.ready(review) == ["Task_township_review"]
        # A new proposal to reduce needs a new hearing.
        driver.propose(review, "adjust", amount=1100.0, reasons="收入增加，按实际核算。")
        assert driver.ready(review) == ["Task_hearing"]


def test_delegated_township_confirms_and_signs(review_programs, delegated_people):
    driver = ReviewDriver(review_programs["dibao_review"], delegated_people)
    original = approved_case(review_programs["dibao"], village=DELEGATED_VILLAGE, amount="900.00")
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "terminate", reasons="家庭成员已稳定就业。")
        driver.hear(review)
        assert driver.ready(review) == ["Task_township_confirm"]
        driver.decide(review, who="queren", spec_id="Task_township_confirm")
    notice = Record.objects.get(instance=review.instance)
    assert [r["org_code"] for r in notice.revisions] == ["522622100"]
    original.refresh_from_db()
    assert original.status == Case.Status.CLOSED


def test_separately_registered_household_cannot_be_continued_by_the_township_alone(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    Case.objects.filter(pk=original.pk).update(separately_registered=True)
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    assert review.separately_registered
    with freeze_time(china_noon(DUE)):
        driver.home_visit(review)
        driver.propose(review, "continue")
        assert driver.ready(review) == ["Task_county_approval"]
        driver.decide(review)
    assert driver.link(review).outcome == "continue" and driver.ready(review) == []


def test_death_opens_a_review_at_once_to_be_completed_within_three_months(driver, review_programs, people):
    original = approved_case(review_programs["dibao"], with_instance=True)
    sweep(APPROVED)
    spouse = original.household.members.get(name="李建国")
    with freeze_time(china_noon(date(2025, 11, 20))) as clock:
        reviews = services.record_death(spouse, date(2025, 11, 18), actor=people["jingban"])
        review = reviews[0]
        assert reviews == [the_review(original)]
        link = driver.link(review)
        assert (link.trigger, link.death_date) == ("death", date(2025, 11, 18))
        spouse.refresh_from_db()
        assert spouse.deceased_on == date(2025, 11, 18)
        # The review sees the household as it is now: one living member.
        data = driver.data(review, "Task_home_visit")
        assert (data["household_size"], [m["name"] for m in data["members"]]) == (1, ["王秀英"])
        assert data["deceased_members"] == ["李建国"] and data["verification"]["deceased_members"] == ["李建国"]
        deadline = TimerEvent.objects.get(instance=review.instance, spec_id="Timer_review_deadline")
        assert deadline.due_at == datetime(2026, 2, 18, 15, 59, 59, tzinfo=UTC)  # three months after the death
        # Recording the same death again opens nothing more.
        assert services.record_death(spouse, date(2025, 11, 18)) == [review]
        assert sweep(date(2025, 11, 21)).death_reviews == []
        assert ReviewCase.objects.filter(original=original).count() == 1
        clock.move_to(china_noon(date(2026, 2, 19)))
        runtime.fire_instance_timers(review.instance_id)
        assert "Task_review_overdue" in driver.ready(review)
        assert driver.task(review, "Task_review_overdue").candidate_group == "county_admin:522601"
    assert kinds(original.instance_id, kind__in=["member.deceased", "review.opened"]) == [
        "member.deceased", "review.opened"]
    opened = AuditEvent.objects.get(instance=original.instance, kind="review.opened")
    assert opened.actor == people["jingban"] and opened.payload["died_on"] == "2025-11-18"


def test_a_death_recorded_elsewhere_is_caught_by_the_sweep(review_programs):
    original = approved_case(review_programs["dibao"])
    member = original.household.members.get(name="李建国")
    Member.objects.filter(pk=member.pk).update(deceased_on=date(2025, 6, 1))  # e.g. corrected in the admin
    result = sweep(date(2025, 6, 10))
    review = the_review(original)
    assert result.death_reviews == [review.business_key] and result.opened == []
    assert DeathTrigger.objects.get(member=member, case=original).review == review
    assert sweep(date(2025, 6, 11)).death_reviews == []


def test_death_during_a_scheduled_review_joins_it(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    with freeze_time(china_noon(DUE + timedelta(days=2))):
        assert services.record_death(original.household.members.get(name="李建国"), DUE) == [review]
    assert ReviewCase.objects.filter(original=original).count() == 1
    assert driver.link(review).death_date == DUE
    assert "member.deceased" in kinds(review.instance_id)


def test_death_of_a_tekun_person_living_alone_ends_the_support(review_programs, people):
    driver = ReviewDriver(review_programs["tekun_review"], people)
    original = approved_case(review_programs["tekun"], members=ALONE, amount="1100.00")
    sweep(APPROVED)
    assert ReviewSchedule.objects.get(case=original).interval_months == 12  # 特困: yearly
    with freeze_time(china_noon(date(2025, 8, 4))):
        [review] = services.record_death(original.household.members.get(), date(2025, 8, 1))
        assert review.program_id == "tekun_review"
        data = driver.data(review, "Task_home_visit")
        assert data["members"] == [] and data["applicant_name"] == "吴老汉家属" and "dibao" not in data
        driver.home_visit(review)
        driver.propose(review, "terminate", reasons="供养对象吴老汉已于2025年8月1日死亡。")
        driver.complete(review, "Task_hearing", "jingban", {
            "heard_on": "2025-08-04", "method": "in_person", "heard_party": "family", "heard_person": "吴大妹",
            "opinion": "对停止供养无异议，请求办理丧葬补助。", "position": "accepts", "conclusion": "maintain"})
        driver.decide(review)
    original.refresh_from_db()
    assert original.status == Case.Status.CLOSED
    notice = Record.objects.get(instance=review.instance)
    assert (notice.kind, notice.title) == ("termination_notice", "终止特困人员救助供养决定书")
    assert "家庭成员死亡后的核查" in pdf_text(service.read(notice))


def test_open_due_reviews_never_opens_two_reviews_of_a_case(driver, review_programs):
    cases = [approved_case(review_programs["dibao"]),
             approved_case(review_programs["dibao"], members=WITH_WORKING_SON, amount="700.00")]
    sweep(APPROVED)
    assert len(sweep(DUE).opened) == 2
    assert sweep(DUE).opened == [] and sweep(DUE + timedelta(days=30)).opened == []
    review = the_review(cases[0])
    again, created = services.open_review(cases[0])
    assert (again, created) == (review, False)
    assert Case.objects.filter(program="dibao_review", status="open").count() == 2
    # The database refuses a second open review of a case, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewCase.objects.create(review=approved_case(review_programs["dibao"]), original=cases[0],
                                  trigger="scheduled")


def test_a_cancelled_review_does_not_block_the_next_one(driver, review_programs):
    original = approved_case(review_programs["dibao"])
    sweep(APPROVED)
    sweep(DUE)
    review = the_review(original)
    runtime.cancel_instance(review.instance_id, None, reason="误启动，重新核查")
    opened = sweep(DUE + timedelta(days=1)).opened
    assert len(opened) == 1 and opened[0] != review.business_key
    review.refresh_from_db()
    assert review.status == Case.Status.WITHDRAWN
    assert ReviewCase.objects.get(review=review).outcome == "cancelled"
    assert HumanTask.objects.filter(instance=the_review(original).instance, status="ready").count() == 1
