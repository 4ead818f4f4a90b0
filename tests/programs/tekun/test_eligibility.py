"""特困 conditions on the applicant's data: age on the opening date, disability, work capacity, income, supporters."""

from __future__ import annotations

import pytest

from portal.programs.tekun.eligibility import EligibilityError, check

KAILI_2026 = {"elderly_age": 60, "minor_age": 16, "income_limit": 480}
NONE = {"disabled": False, "work_capacity": "none", "has_income": False, "supporter_status": "none"}


def person(birth: str, income: float = 0, **flags: bool) -> list[dict]:
    return [{"name": "张秀兰", "birth_date": birth, "monthly_income": income, **flags},
            {"name": "李小明", "birth_date": "2015-01-01", "monthly_income": 0}]


def judge(members: list[dict], as_of: str = "2026-03-02", **answers):
    return check(members=members, applicant_name="张秀兰", as_of=as_of, **KAILI_2026, **{**NONE, **answers})


def test_sixty_on_the_opening_date_is_elderly_the_day_before_is_not():
    assert judge(person("1966-03-02")).categories == ["elderly"]
    result = judge(person("1966-03-03"))
    assert (result.eligible, result.age) == (False, 59)
    assert result.reasons == ["申请人 59 周岁，不是年满 60 周岁的老年人、残疾人或未满 16 周岁的未成年人"]


def test_under_sixteen_is_a_minor_and_counts_as_unable_to_work():
    result = judge(person("2010-03-03"), work_capacity="full")
    assert (result.eligible, result.categories, result.age) == (True, ["minor"], 15)
    assert judge(person("2010-03-02")).eligible is False  # 16 today


def test_disabled_by_the_application_or_the_severely_disabled_member_flag():
    assert judge(person("1980-06-15"), disabled=True).categories == ["disabled"]
    assert judge(person("1980-06-15", severely_disabled=True)).categories == ["disabled"]
    assert judge(person("1950-06-15"), disabled=True).category_labels == ["老年人", "残疾人"]


def test_every_failed_condition_is_a_reason():
    result = judge(person("1950-01-01", income=480), work_capacity="partial", has_income=True,
                   supporter_status="able")
    assert result.eligible is False
    assert result.reasons == ["申请人有部分劳动能力", "申请人有稳定收入来源",
                              "申请人月收入 480.00 元，不低于当地最低生活保障标准 480.00 元",
                              "申请人有法定赡养、抚养、扶养义务人，且义务人有履行义务能力"]


def test_income_under_the_limit_and_supporters_unable_are_eligible():
    result = judge(person("1950-01-01", income=479.99), supporter_status="unable")
    assert (result.eligible, result.monthly_income, result.reasons) == (True, 479.99, [])


@pytest.mark.parametrize(("members", "answers", "message"), [
    ([{"name": "别人", "birth_date": "1950-01-01"}], {}, "not among the members"),
    ([{"name": "张秀兰", "birth_date": "1950-01-01"}] * 2, {}, "several members"),
    ([], {}, "no members"),
    (person("2027-01-01"), {}, "after as_of"),
    (person("1950-13-01"), {}, "not an ISO date"),
    (person("1950-01-01"), {"work_capacity": "some"}, "work_capacity"),
    (person("1950-01-01"), {"supporter_status": "maybe"}, "supporter_status"),
])
def test_data_that_cannot_be_judged_is_an_error(members, answers, message):
    with pytest.raises(EligibilityError, match=message):
        judge(members, **answers)
