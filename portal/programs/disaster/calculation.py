"""The arithmetic of disaster relief, in ``Decimal``; the rates come from the DMN tables in workflows/disaster/.

* Living aid (紧急转移安置, 应急生活救助, 过渡期生活救助): persons × days × rate per person and day, the days
  capped by the table's maximum (过渡期生活救助: e.g. 20 yuan for at most 90 days, so 3 people asking for
  120 days get 3 × 90 × 20 = 5,400 yuan).
* House rebuilding or repair (倒损房屋恢复重建/维修补助): min(amount per household + rate per m² × damaged area,
  maximum per household), by damage level and household category (higher for 低保 and registered-poor households).

Amounts are rounded half-up to 0.01 yuan. Errors are ``CalculationError`` with a message for staff (Chinese msgid).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class CalculationError(ValueError):
    pass


def number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise CalculationError(_("%(what)s应为数字") % {"what": what})
    result = Decimal(str(value))
    if not result.is_finite() or result < 0:
        raise CalculationError(_("%(what)s应为非负数") % {"what": what})
    return result


def whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or int(value) != value:
        raise CalculationError(_("%(what)s应为整数") % {"what": what})
    if not low <= int(value) <= high:
        raise CalculationError(_("%(what)s应在 %(low)d 至 %(high)d 之间") % {"what": what, "low": low, "high": high})
    return int(value)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    return f"{money(value):,.2f}"


@dataclass(frozen=True)
class LivingAid:
    persons: int
    days_requested: int
    days: int
    daily_rate: Decimal
    max_days: int
    amount: Decimal

    @property
    def capped(self) -> bool:
        return self.days < self.days_requested


def living_aid(*, persons: Any, days: Any, daily_rate: Any, max_days: Any, household_size: Any) -> LivingAid:
    size = whole(household_size, _("家庭人口"), 1, 100)
    people = whole(persons, _("救助人数"), 1, 100)
    if people > size:
        raise CalculationError(_("救助人数（%(persons)d 人）不能超过家庭人口（%(size)d 人）")
                               % {"persons": people, "size": size})
    asked = whole(days, _("救助天数"), 1, 3660)
    longest = whole(max_days, _("最长救助天数"), 1, 3660)
    rate = number(daily_rate, _("每人每天救助标准"))
    paid_days = min(asked, longest)
    return LivingAid(persons=people, days_requested=asked, days=paid_days, daily_rate=rate, max_days=longest,
                     amount=money(rate * people * paid_days))


@dataclass(frozen=True)
class Subsidy:
    damaged_area: Decimal
    base: Decimal
    per_sqm: Decimal
    maximum: Decimal
    amount: Decimal

    @property
    def capped(self) -> bool:
        return self.base + self.per_sqm * self.damaged_area > self.maximum


def rebuilding_subsidy(*, damaged_area: Any, base: Any, per_sqm: Any, maximum: Any) -> Subsidy:
    area = number(damaged_area, _("倒损面积"))
    if area <= 0:
        raise CalculationError(_("倒损面积应大于 0"))
    base_d, rate = number(base, _("每户定额")), number(per_sqm, _("每平方米补助"))
    cap = number(maximum, _("每户最高补助"))
    return Subsidy(damaged_area=area, base=base_d, per_sqm=rate, maximum=cap,
                   amount=money(min(base_d + rate * area, cap)))
