"""The ``close_case`` operator: the process records a case's outcome on the case itself.

Approved cases are paid from the month after approval (``payment_delay_months``, from the rule set)
unless the decision names a start month.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from engine.operators import OperatorContext, OperatorError, Param, operator

from .models import Case

OUTCOMES = {"approved": Case.Status.APPROVED, "refused": Case.Status.REFUSED, "withdrawn": Case.Status.WITHDRAWN}


def case_for(context: OperatorContext, operator_name: str) -> Case:
    case = Case.objects.select_related("household", "program").filter(business_key=context.business_key).first()
    if case is None:
        raise OperatorError(f"{operator_name}: no case has business key '{context.business_key}'")
    return case


def first_of_month(day: date, months_later: int = 0) -> date:
    month_index = day.year * 12 + day.month - 1 + months_later
    return date(month_index // 12, month_index % 12 + 1, 1)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise OperatorError(f"close_case: amount should be a number, got {value!r}") from None
    if amount < 0 or isinstance(value, bool):
        raise OperatorError(f"close_case: amount should be a non-negative number, got {value!r}")
    return amount


def _payment_start(payment_starts: str | None, delay_months: int) -> date:
    if payment_starts:
        try:
            return first_of_month(date.fromisoformat(str(payment_starts)[:10]))
        except ValueError:
            raise OperatorError(f"close_case: payment_starts is not a date: {payment_starts!r}") from None
    return first_of_month(timezone.localdate(), delay_months)


@operator(
    "close_case",
    params={
        "outcome": str,
        "amount": Param("amount", (int, float), required=False),
        "payment_starts": Param("payment_starts", str, required=False),
        "payment_delay_months": Param("payment_delay_months", int, required=False),
    },
    label="办结案件",
)
def close_case(*, outcome: str, amount: int | float | None = None, payment_starts: str | None = None,
               payment_delay_months: int | None = None, context: OperatorContext) -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise OperatorError(f"close_case: outcome should be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    case = case_for(context, "close_case")
    if case.status != Case.Status.OPEN:
        raise OperatorError(f"close_case: case {case.business_key} is already {case.status}")
    case.status = OUTCOMES[outcome]
    case.closed_at = timezone.now()
    if outcome == "approved":
        if amount is None:
            raise OperatorError("close_case: an approved case needs its amount")
        delay = 1 if payment_delay_months is None else payment_delay_months
        if not 0 <= delay <= 12:
            raise OperatorError(f"close_case: payment_delay_months should be 0-12, got {delay}")
        case.monthly_amount = _amount(amount)
        case.payment_starts = _payment_start(payment_starts, delay)
    case.save(update_fields=["status", "closed_at", "monthly_amount", "payment_starts"])
    result = {
        "status": case.status,
        "monthly_amount": float(case.monthly_amount) if case.monthly_amount is not None else None,
        "payment_starts": case.payment_starts.isoformat() if case.payment_starts else None,
    }
    context.record_event("case.closed", {"business_key": case.business_key, **result})
    return result
