"""Service task operators of the public notice (公示): ``publish_notice`` and ``close_notice``.

    <spiffworkflow:serviceTaskOperator id="publish_notice" resultVariable="notice">
      <spiffworkflow:parameter id="applicant_name" type="any" value="applicant_name"/>
      <spiffworkflow:parameter id="household_size" type="any" value="household_size"/>
      <spiffworkflow:parameter id="amount" type="any" value="notice_amount"/>
      <spiffworkflow:parameter id="days" type="any" value="notice_days"/>
    </spiffworkflow:serviceTaskOperator>

A notice runs ``days`` calendar days from today, the first day counted (7 days from Monday 3-02 end
on Sunday 3-08). A new round withdraws whatever notice of the case is still up.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from engine.operators import OperatorContext, OperatorError, operator
from portal.cases.outcome import case_for

from .models import PublicNotice

MAX_DAYS = 60
OUTCOMES = {"completed": PublicNotice.Status.COMPLETED, "objected": PublicNotice.Status.OBJECTED}


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise OperatorError(f"publish_notice: {what} should be a whole number, got {value!r}")
    if not low <= int(value) <= high:
        raise OperatorError(f"publish_notice: {what} should be {low}–{high}, got {value}")
    return int(value)


@operator(
    "publish_notice",
    params={"applicant_name": str, "household_size": (int, float), "amount": (int, float), "days": (int, float)},
    label="发布公示",
)
def publish_notice(*, applicant_name: str, household_size: int | float, amount: int | float, days: int | float,
                   context: OperatorContext) -> dict[str, Any]:
    name = applicant_name.strip()
    if not name or len(name) > 50:
        raise OperatorError("publish_notice: applicant_name should be 1–50 characters")
    size = _whole(household_size, "household_size", 1, 100)
    length = _whole(days, "days", 1, MAX_DAYS)
    if isinstance(amount, bool) or amount < 0:
        raise OperatorError(f"publish_notice: amount should be a non-negative number, got {amount!r}")
    case = case_for(context, "publish_notice")
    now = timezone.now()
    previous = PublicNotice.objects.filter(case=case)
    previous.filter(status=PublicNotice.Status.OPEN).update(status=PublicNotice.Status.WITHDRAWN, closed_at=now)
    starts = timezone.localdate()
    notice = PublicNotice.objects.create(
        case=case, village_id=case.household.village_id, program=case.program,
        round=(max(previous.values_list("round", flat=True), default=0) + 1),
        applicant_name=name, household_size=size,
        amount=Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        starts_on=starts, ends_on=starts + timedelta(days=length - 1),
    )
    result = {"notice_id": notice.pk, "starts_on": notice.starts_on.isoformat(), "ends_on": notice.ends_on.isoformat(),
              "round": notice.round}
    context.record_event("notice.published", {**result, "household_size": size, "amount": float(notice.amount),
                                              "village": notice.village_id})
    return result


@operator("close_notice", params={"notice_id": int, "outcome": str}, label="结束公示")
def close_notice(*, notice_id: int, outcome: str, context: OperatorContext) -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise OperatorError(f"close_notice: outcome should be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    case = case_for(context, "close_notice")
    notice = PublicNotice.objects.filter(pk=notice_id, case=case).first()
    if notice is None:
        raise OperatorError(f"close_notice: notice {notice_id} is not a notice of case {case.business_key}")
    if notice.status != PublicNotice.Status.OPEN:
        raise OperatorError(f"close_notice: notice {notice_id} is already {notice.status}")
    notice.status = OUTCOMES[outcome]
    notice.closed_at = timezone.now()
    notice.save(update_fields=["status", "closed_at"])
    context.record_event("notice.closed", {"notice_id": notice.pk, "round": notice.round, "outcome": outcome})
    return {"notice_id": notice.pk, "status": notice.status}
