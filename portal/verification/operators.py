"""The ``verify_household_economy`` service task operator (家庭经济状况核对).

    <spiffworkflow:serviceTaskOperator id="verify_household_economy" resultVariable="verification">
      <spiffworkflow:parameter id="standard" type="any" value="standard"/>
      <spiffworkflow:parameter id="asset_limit_months" type="any" value="asset_limit_months"/>
      <spiffworkflow:parameter id="as_of" type="any" value="as_of"/>
    </spiffworkflow:serviceTaskOperator>

The case is the one whose business key is the instance's; the rules are in ``verify.py``. The
result goes to the task data and a summary (figures and counts, no names, no ID numbers) to the
instance's audit chain as ``verification.completed``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from engine.operators import OperatorContext, OperatorError, operator
from portal.cases.outcome import case_for

from .verify import VerificationError, verify_case

NAME = "verify_household_economy"
AUDIT_KIND = "verification.completed"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SUMMARY_KEYS = (
    "as_of", "sources_checked", "registry_batches", "household_size", "declared_monthly_income",
    "registry_monthly_income", "assessed_monthly_income", "per_capita_income", "financial_assets", "asset_limit",
    "over_asset_limit", "vehicles", "consistent", "eligible_by_verification",
)


def _fail(message: str) -> OperatorError:
    return OperatorError(f"{NAME}: {message}")


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _fail(f"{what} should be a number, got {type(value).__name__}")
    number = Decimal(str(value))
    if not number.is_finite():
        raise _fail(f"{what} should be a finite number")
    return number


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _fail(f"as_of should be an ISO date 'YYYY-MM-DD', got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"as_of is not a valid date: {value!r}") from None


@operator(
    NAME,
    params={"standard": (int, float), "asset_limit_months": (int, float), "as_of": str},
    label="家庭经济状况核对",
)
def verify_household_economy(*, standard: int | float, asset_limit_months: int | float, as_of: str,
                             context: OperatorContext) -> dict[str, Any]:
    standard_d = _number(standard, "standard")
    if standard_d <= 0:
        raise _fail(f"standard should be positive, got {standard}")
    months = _number(asset_limit_months, "asset_limit_months")
    if months < 0:
        raise _fail(f"asset_limit_months should not be negative, got {asset_limit_months}")
    day = _iso_date(as_of)
    if not context.business_key:
        raise _fail("the process instance has no business key, so there is no case to verify")
    case = case_for(context, NAME)
    try:
        result = verify_case(case, standard=standard_d, asset_limit_months=months, as_of=day)
    except VerificationError as err:
        raise _fail(f"case {case.business_key}: {err}") from err
    if context.record_event is not None:
        summary = {key: result[key] for key in _SUMMARY_KEYS}
        summary.update(standard=float(standard_d), asset_limit_months=float(months),
                       discrepancies=len(result["discrepancies"]), deceased_members=len(result["deceased_members"]))
        context.record_event(AUDIT_KIND, summary)
    return result
