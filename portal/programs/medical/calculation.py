"""The medical assistance arithmetic and the checks of a hospital bill (no database, no process).

    covered  = compliant self-paid cost × rate, or × 100 % where the category is covered in full
    remaining = max(annual cap − already paid to the person this calendar year, 0)
    amount   = min(covered, remaining), or 0 when the category is not established

All in ``Decimal``; money is rounded half-up to 0.01 once, at ``covered``. The calendar year is the
year of the discharge date (a stay is charged to the year it was settled in). The patient's own share
of the bill is everything the insurance did not reimburse, less the assistance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
BILL_FIELDS = ("admission_date", "discharge_date", "total_cost", "insurance_reimbursed")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def to_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Bill:
    admission_date: date
    discharge_date: date
    total_cost: Decimal
    insurance_reimbursed: Decimal
    compliant_cost: Decimal

    @property
    def year(self) -> int:
        return self.discharge_date.year

    @property
    def self_paid(self) -> Decimal:
        """What the insurance left to the patient: compliant and non-compliant self-paid parts."""
        return self.total_cost - self.insurance_reimbursed


def read_bill(values: dict[str, Any], compliant_cost: Any, *, on: date) -> tuple[Bill | None, list[str]]:
    """The bill from form or process values, or every problem with it (in words for the staff)."""
    problems = []
    admitted, discharged = to_date(values.get("admission_date")), to_date(values.get("discharge_date"))
    total, reimbursed = to_decimal(values.get("total_cost")), to_decimal(values.get("insurance_reimbursed"))
    compliant = to_decimal(compliant_cost)
    if admitted is None or discharged is None:
        problems.append(_("入院、出院日期须为有效日期"))
    elif discharged < admitted:
        problems.append(_("出院日期不能早于入院日期"))
    elif discharged > on:
        problems.append(_("出院日期不能晚于受理（结算）日期"))
    if total is None or total <= 0:
        problems.append(_("住院总费用须大于 0"))
    if reimbursed is None or reimbursed < 0:
        problems.append(_("已报销费用不能为负数"))
    if compliant is None or compliant < 0:
        problems.append(_("政策范围内个人自付费用不能为负数"))
    if not problems and reimbursed + compliant > total:  # type: ignore[operator]
        problems.append(_("已报销费用与政策范围内个人自付费用之和不能超过住院总费用"))
    if problems:
        return None, problems
    return Bill(admitted, discharged, money(total), money(reimbursed), money(compliant)), []  # type: ignore[arg-type]


@dataclass(frozen=True)
class Assistance:
    rate: Decimal  # the rate applied: 1 where the category is covered in full
    covered: Decimal
    annual_cap: Decimal
    paid_before: Decimal
    remaining_cap: Decimal
    amount: Decimal

    @property
    def capped(self) -> bool:
        return self.amount < self.covered


def assistance(bill: Bill, *, rate: Decimal, full_coverage: bool, annual_cap: Decimal, paid_before: Decimal,
               qualified: bool) -> Assistance:
    if not ZERO <= rate <= ONE:
        raise ValueError(f"rate should be between 0 and 1, got {rate}")
    if annual_cap < 0 or paid_before < 0:
        raise ValueError("annual cap and amounts paid should not be negative")
    applied = ONE if full_coverage else rate
    covered = money(bill.compliant_cost * applied)
    remaining = max(money(annual_cap) - money(paid_before), ZERO)
    amount = min(covered, remaining) if qualified else ZERO
    return Assistance(applied, covered, money(annual_cap), money(paid_before), remaining, amount)
