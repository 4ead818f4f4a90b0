"""Care-home staffing: carers needed for the residents by level, and admissions against it."""

from __future__ import annotations

import pytest

from portal.programs.tekun.staffing import Ratios, StaffingError, check_admission, required_carers

NATIONAL = Ratios(full=3, partial=6, self_care=10)


@pytest.mark.parametrize(("residents", "carers"), [
    ({}, 0),
    ({"full": 3}, 1),
    ({"full": 4}, 2),
    ({"partial": 6}, 1),
    ({"self_care": 10}, 1),
    ({"self_care": 11}, 2),
    ({"full": 3, "partial": 2, "self_care": 5}, 2),  # 1 + 1/3 + 1/2 = 1.83
    ({"full": 1, "partial": 2, "self_care": 4}, 2),  # 1/3 + 1/3 + 2/5 = 16/15
    ({"full": 1, "partial": 2, "self_care": 3}, 1),  # 1/3 + 1/3 + 3/10 = 29/30
])
def test_required_carers(residents, carers):
    assert required_carers(residents, NATIONAL) == carers


def test_admission_within_the_ratio():
    check = check_admission(home_name="舟溪敬老院", carers=1, beds=10, residents={"full": 2}, level="full",
                            ratios=NATIONAL)
    assert check.allowed and check.required_after == 1
    assert check.residents_after == {"full": 3, "partial": 0, "self_care": 0}


def test_admission_breaking_the_ratio_is_refused_with_the_figures():
    check = check_admission(home_name="舟溪敬老院", carers=1, beds=10, residents={"full": 3}, level="partial",
                            ratios=NATIONAL)
    assert not check.allowed and check.required_after == 2
    assert check.message == (
        "护理人员配比不足：舟溪敬老院 现有护理人员 1 人，入住后（全护理 3 人、半护理 1 人、自理 0 人）"
        "按 全护理 1:3、半护理 1:6、自理 1:10 须 2 人。请先增加护理人员再办理入住。")


def test_a_full_home_is_refused_whatever_the_staff():
    check = check_admission(home_name="舟溪敬老院", carers=9, beds=2, residents={"self_care": 2}, level="self_care",
                            ratios=NATIONAL)
    assert not check.allowed and "床位已满" in check.message


@pytest.mark.parametrize("values", [
    {"full": 3, "partial": 6},
    {"full": 0, "partial": 6, "self_care": 10},
    {"full": 2.5, "partial": 6, "self_care": 10},
    {"full": True, "partial": 6, "self_care": 10},
    None,
])
def test_bad_ratios_are_refused(values):
    with pytest.raises(StaffingError):
        Ratios.from_mapping(values)


def test_ratios_from_the_rules_table_values():
    assert Ratios.from_mapping({"full": 3, "partial": 6.0, "self_care": 10}) == NATIONAL
    with pytest.raises(StaffingError):
        check_admission(home_name="x", carers=1, beds=1, residents={}, level="unknown", ratios=NATIONAL)
