"""Who is pre-qualified for one-stop settlement, and the patient found in the case register."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.cases.models import Case
from portal.programs.medical.eligibility import PatientNotFound, patient_of, prequalify
from portal.programs.medical.models import Settlement, paid_in_year
from tests.workflows.driver import HOUSEHOLD, make_household, rid

from .conftest import approved

pytestmark = pytest.mark.django_db
PATIENT_ID = HOUSEHOLD[1][2]


def settle(case: Case, amount: str, year: int = 2026, category: str = "registered_poor",
           channel: str = "application") -> Settlement:
    return Settlement.objects.create(
        case=case, resident_id=PATIENT_ID, patient_name="李建国", year=year, category=category, channel=channel,
        hospital="凯里市第一人民医院", bill_number=f"ZY-{case.pk:06d}", admission_date=f"{year}-01-03",
        discharge_date=f"{year}-01-10",
        total_cost=Decimal(20000), insurance_reimbursed=Decimal(10000), compliant_cost=Decimal(amount),
        rate=Decimal(1), annual_cap=Decimal(60000), paid_before=Decimal(0), amount=Decimal(amount))


def test_approved_tekun_comes_before_dibao(programs):
    dibao = approved("dibao")
    assert prequalify(PATIENT_ID, ["522601"], 2026).category == "dibao"
    tekun = approved("tekun")
    found = prequalify(PATIENT_ID, ["522601"], 2026)
    assert (found.category, found.source, found.member.name) == ("tekun", tekun, "李建国")
    assert found.member.household == tekun.household != dibao.household


def test_open_refused_or_closed_cases_do_not_qualify(programs):
    for status in (Case.Status.OPEN, Case.Status.REFUSED, Case.Status.CLOSED):
        case = approved("dibao")
        case.status = status
        case.save()
    assert prequalify(PATIENT_ID, ["522601"], 2026) is None


def test_a_recorded_death_disqualifies(programs):
    case = approved("dibao")
    case.household.members.filter(resident_id=PATIENT_ID).update(deceased_on="2026-01-01")
    assert prequalify(PATIENT_ID, ["522601"], 2026) is None


def test_only_the_windows_counties_are_searched(programs):
    approved("dibao")
    assert prequalify(PATIENT_ID, ["522622"], 2026) is None
    assert prequalify(PATIENT_ID, ["522622", "522601"], 2026) is not None


def test_a_key_group_established_this_year_prequalifies_for_the_rest_of_the_year(programs):
    earlier = approved("medical")
    settle(earlier, "14000")
    found = prequalify(PATIENT_ID, ["522601"], 2026)
    assert (found.category, found.source) == ("registered_poor", earlier)
    assert prequalify(PATIENT_ID, ["522601"], 2027) is None  # a new year needs a new determination
    assert prequalify(rid("19600501", "013", "522622"), ["522601"], 2026) is None


def test_other_categories_and_one_stop_settlements_do_not_prequalify(programs):
    settle(approved("medical"), "9000", category="other")
    settle(approved("medical"), "5000", category="dibao", channel="one_stop")
    assert prequalify(PATIENT_ID, ["522601"], 2026) is None


def test_paid_in_year_sums_the_person_s_settlements_of_that_year(programs):
    first, second, last_year = approved("medical"), approved("medical"), approved("medical")
    settle(first, "14000")
    settle(second, "6000.50")
    settle(last_year, "9000", year=2025)
    assert paid_in_year(PATIENT_ID, 2026) == Decimal("20000.50")
    assert paid_in_year(PATIENT_ID, 2026, exclude_case_id=second.pk) == Decimal("14000.00")
    assert paid_in_year(PATIENT_ID, 2024) == Decimal(0)


def test_patient_is_a_living_member_named_once(programs):
    case = approved("dibao")
    assert patient_of(case, " 李建国 ").resident_id == PATIENT_ID
    with pytest.raises(PatientNotFound, match="不是登记的共同生活家庭成员"):
        patient_of(case, "张三")
    case.household.members.filter(name="李建国").update(deceased_on="2026-01-01")
    with pytest.raises(PatientNotFound, match="已登记死亡"):
        patient_of(case, "李建国")
    twins = make_household(members=[("王一", "head", rid("19700101", "011"), 0, {}),
                                     ("王一", "child", rid("20000101", "021"), 0, {})])
    with pytest.raises(PatientNotFound, match="多名成员"):
        patient_of(approved("dibao", twins), "王一")
