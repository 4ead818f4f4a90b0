from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from forms.resident_id import InvalidResidentId, check_character, parse, validate_resident_id


def make(region: str, birth: str, sequence: str) -> str:
    body = region + birth + sequence
    return body + check_character(body)


def test_standard_example_from_gb_11643():
    # The worked example of GB 11643-1999: 11010519491231002X.
    parsed = parse("11010519491231002x")
    assert parsed.number == "11010519491231002X"
    assert (parsed.birth_date, parsed.sex, parsed.region_code) == (date(1949, 12, 31), "F", "110105")
    assert parsed.masked == "1101**********002X"


def test_kaili_resident():
    parsed = parse(make("522601", "19800315", "123"))
    assert parsed.sex == "M" and parsed.region_names[0].name == "凯里市"
    assert parsed.age_on(date(2026, 3, 14)) == 45 and parsed.age_on(date(2026, 3, 15)) == 46


@pytest.mark.parametrize(("region", "name"), [("520222", "盘县"), ("522201", "铜仁市"), ("522401", "毕节市")])
def test_retired_guizhou_codes_are_still_valid(region, name):
    parsed = parse(make(region, "19700101", "002"))
    assert any(n.name == name and n.until_year is not None for n in parsed.region_names)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("52260119800315123", "18 位"),
        ("5226011980031512A3", "最后一位"),
        ("522601198003151230", "校验位"),
        (make("522601", "19800230", "123"), "出生日期不存在"),
        (make("522601", "20990101", "123"), "不合理"),
        (make("529999", "19800101", "123"), "从未启用"),
    ],
)
def test_refusals_name_the_reason_without_the_number(value, reason):
    with pytest.raises(InvalidResidentId) as caught:
        parse(value)
    assert reason in str(caught.value.reason)
    assert value[:6] not in str(caught.value.reason)
    with pytest.raises(ValidationError):
        validate_resident_id(value)


@given(st.from_regex(r"\A\d{17}\Z"))
def test_exactly_one_check_character_fits(body):
    valid = [c for c in "0123456789X" if check_character(body) == c]
    assert len(valid) == 1
