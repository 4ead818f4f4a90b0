"""The review operators on their own: the next review's schedule, and the guards that keep a reduction or
termination from taking effect unless the recipient was heard before the decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from freezegun import freeze_time

from engine import audit, operators
from engine.deploy import deploy_source
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Case
from portal.programs.review import services
from portal.programs.review.models import ReviewCase, ReviewSchedule

from .support import WITH_WORKING_SON, approved_case, china_noon

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(china_noon(TODAY)):
        yield


def context(case: Case) -> OperatorContext:
    return OperatorContext(instance_id=case.instance_id, process_key="annual_review",
                           jurisdiction=case.household.village_id, task_spec="Service_apply",
                           business_key=case.business_key)


def completes(review: Case, task: str, **data) -> None:
    """A ``task.completed`` link on the review's chain, as the engine writes it."""
    instance = ProcessInstance.objects.get(pk=review.instance_id)
    audit.append("task.completed", instance=instance, payload={"task": task, "name": task, "data": data})
    instance.save(update_fields=["audit_seq", "audit_head"])


@pytest.fixture
def review(review_programs) -> Case:
    original = approved_case(review_programs["dibao"])
    return services.open_review(original)[0]


def apply(review: Case, outcome: str, amount: float = 0, notice: dict | None = None) -> dict:
    notice = {"record_id": 1, "sha256": "0" * 64, "effective_from": "2026-04-01"} if notice is None else notice
    return operators.call("apply_review_outcome", {"outcome": outcome, "amount": amount, "notice": notice},
                          context(review))


def schedule(review: Case, recorded: list | None = None, **arguments) -> dict:
    """The ``schedule_next_review`` service task of ``review``; what it writes on the review's chain goes to
    ``recorded``."""
    original = ReviewCase.objects.get(review=review).original
    given = {"original_case": original.business_key, "irregular_income": False, "schedule_from": "2026-03-02",
             **arguments}
    sink = recorded if recorded is not None else []
    return operators.call("schedule_next_review", given, replace(
        context(review), task_spec="Service_schedule", record_event=lambda kind, payload: sink.append((kind, payload))))


def test_the_next_review_is_counted_from_this_one_and_audited_on_both_chains(review):
    original = ReviewCase.objects.get(review=review).original
    recorded = []
    assert schedule(review, recorded) == {"next_due": "2027-03-02", "interval_months": 12,
                                          "basis": "低保家庭收入稳定、无劳动能力成员：每年核查一次"}
    row = ReviewSchedule.objects.get(case=original)
    assert (row.next_due, row.last_review, row.last_reviewed_on, row.able_bodied_members) == (
        date(2027, 3, 2), review, TODAY, 0)
    [(kind, payload)] = recorded
    assert kind == "review.scheduled" and payload["next_due"] == "2027-03-02"
    assert [rule["decision"] for rule in payload["rules"]] == ["review_policy", "review_interval"]
    # The approved case has no process of its own here: its event is on the system chain, the same one.
    on_case = AuditEvent.objects.get(kind="review.scheduled", instance__isnull=True)
    assert on_case.payload == {"business_key": original.business_key, **payload}


def test_the_interval_follows_the_facts_when_the_review_ends(review_programs):
    original = approved_case(review_programs["dibao"], members=WITH_WORKING_SON)
    review = services.open_review(original)[0]
    # Irregular income found at this review; the month end is clamped.
    assert schedule(review, irregular_income=True, schedule_from="2025-08-31")["next_due"] == "2026-02-28"
    assert ReviewSchedule.objects.get(case=original).irregular_income is True
    assert schedule(review)["interval_months"] == 6  # the son can work
    # He died before the review concluded: nobody is left able to work, a yearly review.
    original.household.members.filter(name="李明").update(deceased_on=date(2026, 2, 1))
    assert schedule(review)["interval_months"] == 12
    assert ReviewSchedule.objects.get(case=original).able_bodied_members == 0


@pytest.mark.parametrize(("arguments", "message"), [
    ({"schedule_from": "2026/03/02"}, "ISO date"),
    ({"schedule_from": "2026-02-30"}, "not a valid date"),
    ({"original_case": "NOPE-1"}, "no 低保/特困 case"),
])
def test_schedule_refuses_bad_arguments(review, arguments, message):
    with pytest.raises(OperatorError, match=message):
        schedule(review, **arguments)
    assert not ReviewSchedule.objects.exists()


def test_schedule_runs_only_in_a_review_of_that_case(review_programs, review):
    other = approved_case(review_programs["dibao"])
    with pytest.raises(OperatorError, match="is not a review of"):
        schedule(review, original_case=other.business_key)
    with pytest.raises(OperatorError, match="is not a review of"):
        operators.call("schedule_next_review", {"original_case": other.business_key, "irregular_income": False,
                                                "schedule_from": "2026-03-02"}, context(other))
    assert not ReviewSchedule.objects.exists()


def test_schedule_refuses_a_case_no_longer_approved(review):
    Case.objects.filter(pk=ReviewCase.objects.get(review=review).original_id).update(status=Case.Status.CLOSED)
    with pytest.raises(OperatorError, match="not approved"):
        schedule(review)


def test_rules_without_a_usable_answer_are_a_process_fault(review):
    with freeze_time(china_noon(date(2024, 6, 3))), pytest.raises(OperatorError, match="review_policy"):
        schedule(review)  # no rule covers 2024
    source = ProcessDefinition.objects.get(key="review_interval").source
    deploy_source("review/review_interval.dmn", source.replace(
        '<outputEntry id="Out_interval_dibao_stable_months"><text>12</text>',
        '<outputEntry id="Out_interval_dibao_stable_months"><text>0</text>'))
    with pytest.raises(OperatorError, match="interval_months"):
        schedule(review)
    assert not ReviewSchedule.objects.exists() and not AuditEvent.objects.filter(kind="review.scheduled").exists()


def test_termination_without_a_hearing_is_refused(review):
    completes(review, "Task_township_review", decision="terminate", opinion="收入超标", reasons="收入超标")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    with pytest.raises(OperatorError, match="heard"):
        apply(review, "terminate")
    assert Case.objects.get(pk=ReviewCase.objects.get(review=review).original_id).status == Case.Status.APPROVED


def test_a_hearing_after_the_decision_does_not_count(review):
    completes(review, "Task_township_review", decision="terminate", opinion="收入超标", reasons="收入超标")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain")
    with pytest.raises(OperatorError, match="heard"):
        apply(review, "terminate")


def test_a_hearing_before_an_earlier_proposal_does_not_count(review):
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1300, opinion="减", reasons="减")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain")
    completes(review, "Task_county_approval", decision="return", opinion="退回")
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1000, opinion="再减", reasons="再减")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    with pytest.raises(OperatorError, match="heard"):
        apply(review, "adjust", 1000)


def test_the_applied_outcome_must_be_the_proposal(review):
    completes(review, "Task_township_review", decision="continue", opinion="继续")
    with pytest.raises(OperatorError, match="proposed 'continue'"):
        apply(review, "terminate")
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1500, opinion="增", reasons="增")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    with pytest.raises(OperatorError, match="differs"):
        apply(review, "adjust", 1600)


def test_a_change_needs_its_signed_notice_first(review):
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1500, opinion="增", reasons="增")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    with pytest.raises(OperatorError, match="written decision"):
        apply(review, "adjust", 1500, notice={})


def test_a_heard_termination_closes_both_cases(review):
    completes(review, "Task_township_review", decision="terminate", opinion="收入超标", reasons="收入超标")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    assert apply(review, "terminate")["original_status"] == Case.Status.CLOSED
    link = ReviewCase.objects.get(review=review)
    assert (link.original.status, link.review.status, link.outcome) == ("closed", "closed", "terminate")
    with pytest.raises(OperatorError, match="already concluded"):
        apply(review, "terminate")


def test_notice_refuses_a_proposal_without_reasons(review):
    completes(review, "Task_township_review", decision="terminate", opinion="收入超标")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    with pytest.raises(OperatorError, match="reasons"):
        operators.call("issue_review_notice", {"outcome": "terminate", "levels": ["township", "county"],
                                               "amount": 0, "change_delay_months": 1}, context(review))


def test_operators_only_work_on_review_cases(review_programs):
    case = approved_case(review_programs["dibao"])
    with pytest.raises(OperatorError, match="not a review case"):
        apply(case, "continue")


def test_reviews_started_on_the_retired_sub_process_still_schedule(review_programs):
    """annual_review instances started before review_schedule was retired still call its two operators."""
    original = approved_case(review_programs["dibao"], members=WITH_WORKING_SON)
    review = services.open_review(original)[0]
    recorded = []
    legacy = replace(context(review), task_spec="Service_schedule_review",
                     record_event=lambda kind, payload: recorded.append((kind, payload)))
    facts = operators.call("review_household_facts", {
        "original_case": original.business_key, "as_of": "2026-03-02", "working_age_from": 16,
        "working_age_to": 60}, legacy)
    assert facts == {"living_members": 2, "able_bodied_members": 1, "deceased_members": 0}
    result = operators.call("schedule_review", {
        "original_case": original.business_key, "interval_months": 6, "basis": "有劳动能力成员：每半年核查一次",
        "irregular_income": False, "able_bodied_members": 1, "schedule_from": "2026-03-02"}, legacy)
    assert result["next_due"] == "2026-09-02" and result["interval_months"] == 6
    row = ReviewSchedule.objects.get(case=original)
    assert (row.next_due, row.last_review) == (date(2026, 9, 2), review)
    assert [kind for kind, _payload in recorded] == ["review.scheduled"]
