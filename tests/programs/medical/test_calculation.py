"""The medical assistance arithmetic and bill checks (portal/programs/medical/calculation.py), worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.programs.medical.calculation import assistance, read_bill

TODAY = date(2026, 3, 2)
BILL = {"admission_date": "2026-02-10", "discharge_date": "2026-02-27", "total_cost": 30000,
        "insurance_reimbursed": 16000}


def bill(compliant=12000, **changes):  # noqa: ANN001, ANN201
    checked, problems = read_bill({**BILL, **changes}, compliant, on=TODAY)
    assert problems == [], problems
    return checked


def test_rate_within_the_cap():
    # 12,000 × 75 % = 9,000; nothing paid yet this year, cap 30,000.
    result = assistance(bill(), rate=Decimal("0.75"), full_coverage=False, annual_cap=Decimal(30000),
                        paid_before=Decimal(0), qualified=True)
    assert (result.rate, result.covered, result.remaining_cap, result.amount, result.capped) == (
        Decimal("0.75"), Decimal("9000.00"), Decimal("30000.00"), Decimal("9000.00"), False)
    assert bill().self_paid - result.amount == Decimal("5000.00")  # what the patient still pays


def test_key_group_is_covered_in_full_whatever_the_rate():
    result = assistance(bill(12345.67), rate=Decimal("0.9"), full_coverage=True, annual_cap=Decimal(60000),
                        paid_before=Decimal(0), qualified=True)
    assert (result.rate, result.amount) == (Decimal(1), Decimal("12345.67"))


def test_remaining_cap_after_an_earlier_claim_in_the_same_year():
    # 50,000 covered in full, 14,000 already paid of a 60,000 cap: 46,000.
    result = assistance(bill(50000, total_cost=80000, insurance_reimbursed=28000), rate=Decimal(1),
                        full_coverage=True, annual_cap=Decimal(60000), paid_before=Decimal(14000), qualified=True)
    assert (result.covered, result.remaining_cap, result.amount, result.capped) == (
        Decimal("50000.00"), Decimal("46000.00"), Decimal("46000.00"), True)


def test_exhausted_cap_and_unestablished_category_give_nothing():
    spent = assistance(bill(), rate=Decimal("0.75"), full_coverage=False, annual_cap=Decimal(20000),
                       paid_before=Decimal(20500), qualified=True)
    assert (spent.remaining_cap, spent.amount) == (Decimal(0), Decimal(0))
    refused = assistance(bill(), rate=Decimal("0.75"), full_coverage=False, annual_cap=Decimal(30000),
                         paid_before=Decimal(0), qualified=False)
    assert (refused.covered, refused.amount) == (Decimal("9000.00"), Decimal(0))


def test_money_is_rounded_half_up_once():
    # 333.33 × 70 % = 233.331 → 233.33; 0.05 × 70 % = 0.035 → 0.04.
    assert assistance(bill(333.33), rate=Decimal("0.7"), full_coverage=False, annual_cap=Decimal(1000),
                      paid_before=Decimal(0), qualified=True).amount == Decimal("233.33")
    assert assistance(bill(0.05), rate=Decimal("0.7"), full_coverage=False, annual_cap=Decimal(1000),
                      paid_before=Decimal(0), qualified=True).amount == Decimal("0.04")


def test_the_year_is_the_discharge_year():
    assert bill(admission_date="2025-12-20", discharge_date="2026-01-05").year == 2026
    assert bill(admission_date="2025-12-20", discharge_date="2025-12-31").year == 2025


@pytest.mark.parametrize(
    ("changes", "compliant", "fragment"),
    [
        ({"discharge_date": "2026-02-01"}, 100, "出院日期不能早于入院日期"),
        ({"discharge_date": "2026-03-03"}, 100, "出院日期不能晚于"),
        ({"admission_date": "2026-02-30"}, 100, "有效日期"),
        ({"total_cost": 0}, 0, "住院总费用须大于 0"),
        ({"insurance_reimbursed": -1}, 100, "已报销费用不能为负数"),
        ({}, -5, "政策范围内个人自付费用不能为负数"),
        ({}, 14000.01, "之和不能超过住院总费用"),
        ({"total_cost": True}, 100, "住院总费用须大于 0"),
    ],
)
def test_bill_problems_are_named(changes, compliant, fragment):
    checked, problems = read_bill({**BILL, **changes}, compliant, on=TODAY)
    assert checked is None and any(fragment in p for p in problems), problems


def test_rates_outside_zero_to_one_are_a_configuration_error():
    with pytest.raises(ValueError, match="rate"):
        assistance(bill(), rate=Decimal("1.2"), full_coverage=False, annual_cap=Decimal(1000),
                   paid_before=Decimal(0), qualified=True)
