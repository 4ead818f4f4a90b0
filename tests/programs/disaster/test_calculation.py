"""The arithmetic of disaster relief (portal/programs/disaster/calculation.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.programs.disaster import calculation
from portal.programs.disaster.calculation import CalculationError


def test_transitional_living_aid_worked_example():
    aid = calculation.living_aid(persons=3, days=90, daily_rate=20, max_days=90, household_size=3)
    assert (aid.amount, aid.days, aid.capped) == (Decimal("5400.00"), 90, False)


def test_days_over_the_maximum_are_capped():
    aid = calculation.living_aid(persons=3, days=120, daily_rate=20, max_days=90, household_size=4)
    assert (aid.days_requested, aid.days, aid.capped, aid.amount) == (120, 90, True, Decimal("5400.00"))


def test_fractional_rates_round_half_up_to_the_cent():
    aid = calculation.living_aid(persons=1, days=1, daily_rate=12.345, max_days=15, household_size=1)
    assert aid.amount == Decimal("12.35")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"persons": 4}, "不能超过家庭人口"),
    ({"persons": 0}, "救助人数应在"),
    ({"days": 2.5}, "救助天数应为整数"),
    ({"daily_rate": -1}, "应为非负数"),
    ({"daily_rate": True}, "应为数字"),
    ({"max_days": 0}, "最长救助天数应在"),
])
def test_living_aid_refuses_bad_figures(kwargs, message):
    figures = {"persons": 3, "days": 10, "daily_rate": 20, "max_days": 90, "household_size": 3, **kwargs}
    with pytest.raises(CalculationError, match=message):
        calculation.living_aid(**figures)


def test_collapsed_house_is_a_fixed_amount_per_household():
    subsidy = calculation.rebuilding_subsidy(damaged_area=96.5, base=30000, per_sqm=0, maximum=30000)
    assert (subsidy.amount, subsidy.capped) == (Decimal("30000.00"), False)


def test_repair_subsidy_by_area_is_capped_by_the_maximum():
    assert calculation.rebuilding_subsidy(damaged_area=40, base=0, per_sqm=150, maximum=10000).amount == Decimal(6000)
    capped = calculation.rebuilding_subsidy(damaged_area=80, base=0, per_sqm=150, maximum=10000)
    assert (capped.amount, capped.capped) == (Decimal("10000.00"), True)


def test_area_must_be_positive():
    with pytest.raises(CalculationError, match="倒损面积应大于 0"):
        calculation.rebuilding_subsidy(damaged_area=0, base=0, per_sqm=150, maximum=10000)
