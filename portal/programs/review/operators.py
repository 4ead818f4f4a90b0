"""Service task operators of dynamic management (workflows/review/):

* ``schedule_next_review`` — when the approved case is next reviewed, counted from this review
  (``services.schedule_next_review``, as at enrolment; ``annual_review``);
* ``issue_review_notice`` — the signed written decision of an adjustment (救助金额调整决定书) or termination
  (终止救助决定书), with its reasons, the hearing and the right of appeal (``annual_review``);
* ``apply_review_outcome`` — concludes the review case and updates the approved case: the new monthly amount,
  or the case terminated (``annual_review``).

The decision's facts come from where they were recorded — the ``task.completed`` events of the review's audit
chain — not from process variables that later steps overwrite. A reduction or termination needs the recipient
heard (``Task_hearing``) after the township's proposal and before the decision; the operators refuse otherwise,
whatever the diagram says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from engine.decisions import DecisionError
from engine.models import AuditEvent
from engine.operators import OperatorContext, OperatorError, operator
from portal.cases.models import Case, Jurisdiction
from portal.cases.outcome import first_of_month
from portal.records import service

from . import services as review_services
from .models import ReviewCase, ReviewSchedule
from .services import REVIEW_PROGRAMS, recipient_name, record_on_case

PROPOSAL_TASK = "Task_township_review"
HEARING_TASK = "Task_hearing"
DECISION_TASKS = ("Task_county_approval", "Task_township_confirm")
LEVELS = ("township", "county")
CENT = Decimal("0.01")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DELAY_MONTHS = 12


def _fail(name: str, message: str) -> OperatorError:
    return OperatorError(f"{name}: {message}")


def _iso_date(name: str, value: Any, what: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _fail(name, f"{what} should be an ISO date 'YYYY-MM-DD', got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(name, f"{what} is not a valid date: {value!r}") from None


def _whole(name: str, value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise _fail(name, f"{what} should be a whole number, got {value!r}")
    if not low <= int(value) <= high:
        raise _fail(name, f"{what} should be {low}–{high}, got {value}")
    return int(value)


def _money(name: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _fail(name, f"amount should be a number, got {value!r}") from None
    if isinstance(value, bool) or not amount.is_finite() or amount < 0:
        raise _fail(name, f"amount should be a non-negative number, got {value!r}")
    return amount


def _original(name: str, business_key: str, *, lock: bool = False) -> Case:
    rows = Case.objects.select_related("household", "program")
    if lock:
        # Serialises with enrolment and the opening of reviews, which lock the same row first.
        rows = rows.select_for_update(of=("self",))
    case = rows.filter(business_key=business_key, program_id__in=list(REVIEW_PROGRAMS)).first()
    if case is None:
        raise _fail(name, f"no 低保/特困 case has business key {business_key!r}")
    return case


def _link(name: str, context: OperatorContext, *, lock: bool = False) -> ReviewCase:
    rows = ReviewCase.objects.select_related("review__household", "review__program", "original__household",
                                             "original__program")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(review__business_key=context.business_key).first()
    if link is None:
        raise _fail(name, f"case {context.business_key!r} is not a review case")
    return link


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _chinese_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def _yuan(amount: Decimal | None) -> str:
    return f"{amount or 0:.2f}"


def _reasons(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").splitlines()
    return [str(item).strip() for item in items if str(item).strip()]


# --- the decision trail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trail:
    """The latest township proposal and what followed it: the hearing, the (approving) decision."""

    proposal: AuditEvent
    hearing: AuditEvent | None
    decision: AuditEvent | None

    @property
    def data(self) -> dict[str, Any]:
        return self.proposal.payload.get("data", {})

    @property
    def heard_before_decision(self) -> bool:
        return (self.hearing is not None and self.decision is not None
                and self.hearing.seq < self.decision.seq)


def trail(name: str, instance_id: int | None) -> Trail:
    events = list(AuditEvent.objects.filter(instance_id=instance_id, kind="task.completed").order_by("seq"))
    proposals = [i for i, e in enumerate(events) if e.payload.get("task") == PROPOSAL_TASK]
    if not proposals:
        raise _fail(name, "the township has made no proposal in this review")
    proposal = events[proposals[-1]]
    after = events[proposals[-1] + 1:]
    hearings = [e for e in after if e.payload.get("task") == HEARING_TASK
                and e.payload.get("data", {}).get("conclusion") == "maintain"]
    decisions = [e for e in after if e.payload.get("task") in DECISION_TASKS
                 and e.payload.get("data", {}).get("decision") == "approve"]
    return Trail(proposal, hearings[0] if hearings else None, decisions[-1] if decisions else None)


def _check_decided(name: str, outcome: str, amount: Decimal, previous: Decimal, found: Trail) -> None:
    """The proposal is the outcome being applied; a change was decided; a reduction or termination was heard
    first."""
    proposed = found.data.get("decision")
    if proposed != outcome:
        raise _fail(name, f"the township proposed {proposed!r}, not {outcome!r}")
    if outcome == "adjust" and _money(name, found.data.get("proposed_amount", -1)) != amount:
        raise _fail(name, "the amount differs from the township's proposal")
    if outcome in ("adjust", "terminate") and found.decision is None:
        raise _fail(name, "no approving decision follows the township's proposal")
    reduces = outcome == "terminate" or amount < previous
    if reduces and not found.heard_before_decision:
        raise _fail(name, "a reduction or termination needs the recipient heard (Task_hearing) before the decision")


# --- the next review --------------------------------------------------------------------------------------


@operator(
    "schedule_next_review",
    params={"original_case": str, "irregular_income": bool, "schedule_from": str},
    label="确定下次核查时间",
)
def schedule_next_review(*, original_case: str, irregular_income: bool, schedule_from: str,
                         context: OperatorContext) -> dict[str, Any]:
    """The reviewed case is next reviewed the ``review_interval`` months after ``schedule_from`` (this review):
    ``services.schedule_next_review``, noting this review as the last one and auditing it on both chains."""
    name = "schedule_next_review"
    start = _iso_date(name, schedule_from, "schedule_from")
    original = _original(name, original_case, lock=True)
    if original.status != Case.Status.APPROVED:
        raise _fail(name, f"case {original.business_key} is {original.status}, not approved")
    review = Case.objects.filter(business_key=context.business_key, review_link__original=original).first()
    if review is None:
        raise _fail(name, f"case {context.business_key!r} is not a review of {original.business_key}")
    try:
        schedule = review_services.schedule_next_review(original, start=start, irregular_income=irregular_income,
                                                        review=review, record_event=context.record_event)
    except (review_services.ReviewRefused, DecisionError) as err:
        raise _fail(name, str(err)) from err
    return {"next_due": schedule.next_due.isoformat(), "interval_months": schedule.interval_months,
            "basis": schedule.basis}


# --- annual_review ----------------------------------------------------------------------------------------


def _hearing_sentence(found: Trail) -> str:
    if found.hearing is None:
        return ""
    data = found.hearing.payload.get("data", {})
    heard_on = _chinese_date(date.fromisoformat(data["heard_on"]))
    sentence = f"作出决定前，已于{heard_on}听取{data['heard_person']}的陈述和申辩"
    response = str(data.get("response", "")).strip().rstrip("。")
    if data.get("position") == "objects" and response:
        return f"{sentence}；对所提异议，经核实：{response}。"
    return f"{sentence}，陈述人对拟办意见无异议。"


def notice_data(link: ReviewCase, outcome: str, amount: Decimal, effective: date, reasons: list[str],
                found: Trail) -> tuple[str, dict[str, Any]]:
    """The record kind and its data: an adjustment on an amount adjustment notice (救助金额调整决定书), a termination
    on a termination notice (终止救助决定书); both with the reasons, the hearing and the right of appeal. The issuer is
    the organisation that seals it (the records service names it)."""
    original, review = link.original, link.review
    members = list(original.household.members.order_by("pk"))
    program = original.program.name
    county = original.household.village_id[:6]
    review_body = (Jurisdiction.objects.filter(code=county).values_list("name", flat=True).first() or county)
    common = {
        "applicant": recipient_name(members),
        "program": program,
        "occasion": "家庭成员死亡后的核查" if link.trigger == ReviewCase.Trigger.DEATH else "定期核查",
        "review_key": review.business_key,
        "previous_amount": _yuan(link.previous_amount),
        "reasons": reasons,
        "hearing": _hearing_sentence(found),
        "review_body": review_body + "人民政府",
        "issued_on": _chinese_date(timezone.localdate()),
    }
    if outcome == "adjust":
        return "adjustment_notice", {
            **common, "title": f"{program}金额调整决定书",
            "household_size": sum(1 for m in members if not m.deceased),
            "amount": _yuan(amount), "start_month": _chinese_month(effective),
        }
    return "termination_notice", {**common, "title": f"终止{program}决定书", "stop_month": _chinese_month(effective)}


@operator(
    "issue_review_notice",
    params={"outcome": str, "levels": list, "amount": (int, float), "change_delay_months": (int, float)},
    label="出具核查书面决定",
)
def issue_review_notice(*, outcome: str, levels: list, amount: int | float, change_delay_months: int | float,
                        context: OperatorContext) -> dict[str, Any]:
    """Render and sign the written decision (by the deciding level) with the reasons the township gave; returns
    the record and the month the change takes effect."""
    name = "issue_review_notice"
    if outcome not in ("adjust", "terminate"):
        raise _fail(name, f"outcome should be adjust or terminate, got {outcome!r}")
    if not levels or any(level not in LEVELS for level in levels) or len(set(levels)) != len(levels):
        raise _fail(name, f"levels should be township and/or county, got {levels!r}")
    delay = _whole(name, change_delay_months, "change_delay_months", 0, MAX_DELAY_MONTHS)
    link = _link(name, context)
    new_amount = _money(name, amount)
    found = trail(name, context.instance_id)
    _check_decided(name, outcome, new_amount, link.previous_amount or Decimal(0), found)
    stated = _reasons(found.data.get("reasons"))
    if not stated:
        raise _fail(name, "a written decision needs its reasons")
    effective = first_of_month(timezone.localdate(), delay)
    kind, data = notice_data(link, outcome, new_amount, effective, stated, found)
    try:
        record = service.issue(kind, data, jurisdiction=link.review.household.village_id,
                               instance_id=context.instance_id, business_key=context.business_key,
                               record_event=context.record_event, slots=(levels[-1],))
    except (service.RecordError, LookupError) as err:
        raise _fail(name, str(err)) from err
    return {**service.summary(record), "effective_from": effective.isoformat()}


@operator(
    "apply_review_outcome",
    params={"outcome": str, "amount": (int, float), "notice": dict},
    label="更新被核查案件",
)
def apply_review_outcome(*, outcome: str, amount: int | float, notice: dict,
                         context: OperatorContext) -> dict[str, Any]:
    """Conclude the review case and carry its outcome to the approved case, recorded in both audit chains."""
    name = "apply_review_outcome"
    if outcome not in ("continue", "adjust", "terminate"):
        raise _fail(name, f"outcome should be continue, adjust or terminate, got {outcome!r}")
    link = _link(name, context, lock=True)
    review = link.review
    original = (Case.objects.select_for_update(of=("self",)).select_related("household", "program")
                .get(pk=link.original_id))
    if link.concluded_at is not None or review.status != Case.Status.OPEN:
        raise _fail(name, f"review {review.business_key} is already concluded")
    if original.status != Case.Status.APPROVED:
        raise _fail(name, f"case {original.business_key} is {original.status}, not approved")
    previous = original.monthly_amount or Decimal(0)
    new_amount = previous if outcome == "continue" else _money(name, amount)
    found = trail(name, context.instance_id)
    _check_decided(name, outcome, new_amount, previous, found)
    effective = None
    if outcome != "continue":
        if not notice.get("record_id") or not notice.get("effective_from"):
            raise _fail(name, "an adjustment or termination needs its signed written decision first")
        effective = _iso_date(name, notice["effective_from"], "effective_from")

    now = timezone.now()
    review.closed_at, review.monthly_amount = now, new_amount
    if outcome == "terminate":
        original.status, original.closed_at = Case.Status.CLOSED, now
        original.save(update_fields=["status", "closed_at"])
        review.status, review.monthly_amount = Case.Status.CLOSED, None
        ReviewSchedule.objects.filter(case=original).update(next_due=None, ended_on=timezone.localdate())
    else:
        if outcome == "adjust":
            original.monthly_amount = new_amount
            original.save(update_fields=["monthly_amount"])
        review.status, review.payment_starts = Case.Status.APPROVED, effective
    review.save(update_fields=["status", "closed_at", "monthly_amount", "payment_starts"])
    link.outcome, link.new_amount, link.effective_from, link.concluded_at = (
        outcome, None if outcome == "terminate" else new_amount, effective, now)
    link.save(update_fields=["outcome", "new_amount", "effective_from", "concluded_at"])

    facts = {
        "outcome": outcome,
        "previous_amount": float(previous),
        "amount": None if outcome == "terminate" else float(new_amount),
        # The month the new amount is paid from, or the first month no longer paid.
        "payment_starts" if outcome == "adjust" else "payment_stops": effective.isoformat() if effective else None,
        "reasons": _reasons(found.data.get("reasons")) if outcome != "continue" else [],
        "record_id": notice.get("record_id"),
        "sha256": notice.get("sha256"),
    }
    if context.record_event is not None:
        context.record_event("case.closed", {"business_key": review.business_key,
                                             "original_case": original.business_key, **facts})
    record_on_case(original, "case.reviewed", {"review_case": review.business_key, **facts})
    return {"outcome": outcome, "original_status": original.status, "monthly_amount": facts["amount"],
            "effective_from": effective.isoformat() if effective else None}
