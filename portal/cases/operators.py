"""Service task operators for the 低保 (minimum living guarantee) program.

The rules (standard, supplement rates, whether supplements stack) come from the DMN tables in
``workflows/dibao/``; this module only does the arithmetic:

    <spiffworkflow:serviceTaskOperator id="calculate_dibao_amount" resultVariable="dibao">
      <spiffworkflow:parameter id="standard" type="any" value="standard"/>
      <spiffworkflow:parameter id="members" type="any" value="members"/>
      <spiffworkflow:parameter id="supplement_categories" type="any" value="category"/>
      <spiffworkflow:parameter id="supplement_rates" type="any" value="rate"/>
      <spiffworkflow:parameter id="stack" type="any" value="supplements_stack"/>
      <spiffworkflow:parameter id="as_of" type="any" value="as_of"/>
    </spiffworkflow:serviceTaskOperator>

Arithmetic (all in ``Decimal``; money rounded half-up to 0.01 only where it is reported):

* per-capita income = total monthly income / household size;
* eligible = per-capita income < standard;
* base amount (差额) = (standard − per-capita income) × household size, computed from the exact
  per-capita income (equal to standard × size − total income), so 3 people with 1,000 yuan under a
  480 standard get 440.00, not (480 − 333.33) × 3 = 440.01;
* classified assistance (分类施保): each member in a category gets rate × standard for it; when
  ``stack`` is false a member in several categories gets only the highest rate (the first listed on
  a tie), when true one line per category. Each line's amount is rounded, and the total is their sum;
* a household that is not eligible gets nothing: amount 0 and no supplements, since 分类施保 is an
  addition to the 低保 of an eligible household, not a benefit of its own.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from engine.operators import OperatorContext, OperatorError, operator

NAME = "calculate_dibao_amount"
CENT = Decimal("0.01")
ELDERLY_AGE = 60
# The categories this operator can decide, and the member flag for each (elderly: age on as_of).
CATEGORY_FLAGS = {
    "elderly": None,
    "severely_disabled": "severely_disabled",
    "seriously_ill": "seriously_ill",
    "student": "student",
    "single_parent": "single_parent",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CATEGORY_LABELS = {
    "elderly": gettext_lazy("老年人"),
    "severely_disabled": gettext_lazy("重度残疾人"),
    "seriously_ill": gettext_lazy("重病患者"),
    "student": gettext_lazy("在校学生"),
    "single_parent": gettext_lazy("单亲家庭成员"),
}


def _fail(message: str) -> OperatorError:
    return OperatorError(f"{NAME}: {message}")


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _fail(f"{what} should be a number, got {type(value).__name__}")
    number = Decimal(str(value))
    if not number.is_finite():
        raise _fail(f"{what} should be a finite number")
    return number


def _iso_date(value: Any, what: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _fail(f"{what} should be an ISO date 'YYYY-MM-DD', got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{what} is not a valid date: {value!r}") from None


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _rates(categories: Any, rates: Any) -> dict[str, Decimal]:
    if not isinstance(categories, list) or not isinstance(rates, list):
        raise _fail("supplement_categories and supplement_rates should be lists")
    if len(categories) != len(rates):
        raise _fail(f"{len(categories)} supplement categories but {len(rates)} rates")
    table: dict[str, Decimal] = {}
    for category, rate in zip(categories, rates, strict=True):
        if category not in CATEGORY_FLAGS:
            raise _fail(f"unknown supplement category {category!r} (known: {', '.join(CATEGORY_FLAGS)})")
        if category in table:
            raise _fail(f"supplement category {category!r} is listed twice")
        number = _number(rate, f"rate of {category!r}")
        if not 0 <= number <= 1:
            raise _fail(f"rate of {category!r} should be between 0 and 1, got {rate}")
        table[category] = number
    return table


def _member(index: int, member: Any, as_of: date) -> tuple[str, Decimal, set[str]]:
    """A member's name, monthly income and the categories they fall in."""
    where = f"member {index + 1}"
    if not isinstance(member, dict):
        raise _fail(f"{where} should be an object")
    name = member.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(f"{where} has no name")
    where = f"member {index + 1} ({name})"
    income = _number(member.get("monthly_income"), f"monthly_income of {where}")
    if income < 0:
        raise _fail(f"monthly_income of {where} is negative ({member['monthly_income']})")
    born = _iso_date(member.get("birth_date"), f"birth_date of {where}")
    if born > as_of:
        raise _fail(f"birth_date of {where} is after as_of")
    categories = set()
    for category, flag in CATEGORY_FLAGS.items():
        if flag is None:
            continue
        value = member.get(flag, False)
        if not isinstance(value, bool):
            raise _fail(f"{flag} of {where} should be true or false, got {value!r}")
        if value:
            categories.add(category)
    if _age_on(born, as_of) >= ELDERLY_AGE:
        categories.add("elderly")
    return name, income, categories


@operator(
    NAME,
    params={
        "standard": (int, float),
        "members": list,
        "supplement_categories": list,
        "supplement_rates": list,
        "stack": bool,
        "as_of": str,
    },
    label="计算低保金额",
)
def calculate_dibao_amount(
    *,
    standard: int | float,
    members: list,
    supplement_categories: list,
    supplement_rates: list,
    stack: bool,
    as_of: str,
    context: OperatorContext,
) -> dict[str, Any]:
    standard_d = _number(standard, "standard")
    if standard_d <= 0:
        raise _fail(f"standard should be positive, got {standard}")
    if not isinstance(stack, bool):
        raise _fail("stack should be true or false")
    day = _iso_date(as_of, "as_of")
    rates = _rates(supplement_categories, supplement_rates)
    if not isinstance(members, list) or not members:
        raise _fail("the household has no members")
    people = [_member(i, m, day) for i, m in enumerate(members)]

    size = len(people)
    total_income = sum((income for _, income, _ in people), Decimal(0))
    per_capita = total_income / size
    eligible = per_capita < standard_d
    base = (standard_d * size - total_income) if eligible else Decimal(0)

    supplements: list[dict[str, Any]] = []
    if eligible:
        for name, _, categories in people:
            # In the DMN's order, so a tie on the highest rate goes to the category listed first.
            applicable = [(category, rate) for category, rate in rates.items() if category in categories]
            if not applicable:
                continue
            if not stack:
                applicable = [max(applicable, key=lambda item: item[1])]
            for category, rate in applicable:
                amount = (rate * standard_d).quantize(CENT, rounding=ROUND_HALF_UP)
                supplements.append({"name": name, "category": category, "rate": float(rate), "amount": amount})
    supplement_total = sum((s["amount"] for s in supplements), Decimal(0))
    for line in supplements:
        line["amount"] = _money(line["amount"])
    base_amount = base.quantize(CENT, rounding=ROUND_HALF_UP)
    return {
        "household_size": size,
        "total_income": _money(total_income),
        "per_capita_income": _money(per_capita),
        "base_amount": _money(base_amount),
        "supplements": supplements,
        "supplement_total": _money(supplement_total),
        "amount": _money(base_amount + supplement_total),
        "eligible": eligible,
    }
