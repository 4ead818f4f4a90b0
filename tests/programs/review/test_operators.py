"""The review operators on their own: the household facts, the schedule, and the guards that keep a reduction or
termination from taking effect unless the recipient was heard before the decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from engine import audit, operators
from engine.models import ProcessInstance
from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Case
from portal.programs.review import services
from portal.programs.review.models import ReviewCase, ReviewSchedule
from tests.workflows.driver import rid

from .support import approved_case, china_noon

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


def test_household_facts_count_who_can_work(review_programs):
    members = [
        ("甲", "head", rid("19660303", "011"), Decimal("0"), {}),  # 59 on 2026-03-02: able
        ("乙", "spouse", rid("19660302", "024"), Decimal("0"), {}),  # 60 that day: past working age
        ("丙", "child", rid("20100302", "035"), Decimal("0"), {}),  # 16: able
        ("丁", "child", rid("20100303", "043"), Decimal("0"), {}),  # 15
        ("戊", "child", rid("20000101", "051"), Decimal("0"), {"student": True}),
        ("己", "sibling", rid("19800101", "066"), Decimal("0"), {"disabled": True}),
        ("庚", "sibling", rid("19820101", "077"), Decimal("0"), {"seriously_ill": True}),
        ("辛", "sibling", rid("19840101", "081"), Decimal("0"), {}),  # died
    ]
    case = approved_case(review_programs["dibao"], members=members)
    case.household.members.filter(name="辛").update(deceased_on=date(2026, 1, 1))
    facts = operators.call("review_household_facts", {
        "original_case": case.business_key, "as_of": "2026-03-02", "working_age_from": 16, "working_age_to": 60,
    }, context(case))
    assert facts == {"living_members": 7, "able_bodied_members": 2, "deceased_members": 1}
    # Alive on an earlier day.
    facts = operators.call("review_household_facts", {
        "original_case": case.business_key, "as_of": "2025-12-31", "working_age_from": 16, "working_age_to": 60,
    }, context(case))
    assert facts["deceased_members"] == 0


@pytest.mark.parametrize(("arguments", "message"), [
    ({"as_of": "2026/03/02"}, "ISO date"),
    ({"working_age_to": 16}, "working_age_to"),
    ({"original_case": "NOPE-1"}, "no 低保/特困 case"),
])
def test_household_facts_refuse_bad_arguments(review_programs, arguments, message):
    case = approved_case(review_programs["dibao"])
    given = {"original_case": case.business_key, "as_of": "2026-03-02", "working_age_from": 16,
             "working_age_to": 60, **arguments}
    with pytest.raises(OperatorError, match=message):
        operators.call("review_household_facts", given, context(case))


def test_schedule_refuses_a_terminated_case_and_silly_intervals(review_programs):
    case = approved_case(review_programs["dibao"])
    arguments = {"original_case": case.business_key, "interval_months": 12, "basis": "每年", "irregular_income": False,
                 "able_bodied_members": 0, "schedule_from": "2026-03-02"}
    with pytest.raises(OperatorError, match="interval_months"):
        operators.call("schedule_review", {**arguments, "interval_months": 0}, context(case))
    with pytest.raises(OperatorError, match="interval_months"):
        operators.call("schedule_review", {**arguments, "interval_months": 6.5}, context(case))
    result = operators.call("schedule_review", {**arguments, "schedule_from": "2025-08-31", "interval_months": 6},
                            context(case))
    assert result["next_due"] == "2026-02-28"
    assert ReviewSchedule.objects.get(case=case).last_review is None  # enrolment, not a review
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    with pytest.raises(OperatorError, match="not approved"):
        operators.call("schedule_review", arguments, context(case))


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
