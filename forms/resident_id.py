"""Resident ID numbers (居民身份证号码, GB 11643): structure, check character, birth date, region.

18 characters: a 6-digit region code (GB/T 2260), the birth date YYYYMMDD, a 3-digit sequence
(odd = male, even = female) and a check character (ISO 7064 MOD 11-2). The region code must have
been issued at some time, not necessarily today: IDs keep the code of where they were first issued,
and Guizhou alone retired dozens (5222xx, 5224xx, 520222 …). Codes: ``forms/data/region_codes.json``
(built by ``scripts/build_region_codes.py``).

Error messages never repeat the number itself: it is personal data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_REGION_CODES = Path(__file__).resolve().parent / "data" / "region_codes.json"


class InvalidResidentId(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class RegionName:
    name: str
    from_year: int | None
    until_year: int | None


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"
    region_names: tuple[RegionName, ...]

    @property
    def masked(self) -> str:
        """For display where the full number is not needed: 5226**********1234."""
        return f"{self.number[:4]}{'*' * 10}{self.number[-4:]}"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@cache
def region_codes() -> dict[str, tuple[RegionName, ...]]:
    raw = json.loads(_REGION_CODES.read_text(encoding="utf-8"))
    return {code: tuple(RegionName(*entry) for entry in entries) for code, entries in raw.items()}


def check_character(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(value: str) -> str:
    return str(value).strip().upper().replace(" ", "")


_MASK_KEEP = 4
_MASK_MIN_LENGTH = 12  # shorter than this, showing 4 + 4 characters would reveal most of it
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask(value: str) -> str:
    """A number for display, logs and command output: ``52260119520315011X`` → ``5226**********011X``.

    Works on any text, valid number or not (a refused row's number is masked too); short text is all stars.
    """
    text = normalise(value or "")
    if len(text) < _MASK_MIN_LENGTH:
        return "*" * len(text)
    return f"{text[:_MASK_KEEP]}{'*' * (len(text) - 2 * _MASK_KEEP)}{text[-_MASK_KEEP:]}"


def mask_in_text(text: str) -> str:
    """``text`` with every 18-character resident ID number in it masked like ``mask``."""
    return _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)


def parse(value: str, *, today: date | None = None) -> ResidentId:
    """Parse and check a resident ID number; raises ``InvalidResidentId`` with the reason."""
    number = normalise(value)
    if len(number) != 18:
        raise InvalidResidentId(_("身份证号码应为 18 位"))
    if not _SHAPE.match(number):
        raise InvalidResidentId(_("身份证号码前 17 位应为数字，最后一位为数字或 X"))
    if check_character(number[:17]) != number[17]:
        raise InvalidResidentId(_("身份证号码校验位不正确，请核对是否抄错"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId(_("身份证号码中的出生日期不存在")) from None
    if birth.year < 1890 or birth > (today or date.today()):
        raise InvalidResidentId(_("身份证号码中的出生日期不合理"))
    names = region_codes().get(number[:6])
    if names is None:
        raise InvalidResidentId(_("身份证号码的地区码从未启用过"))
    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_names=names,
    )


def validate_resident_id(value: str) -> None:
    """A Django validator for model and form fields."""
    try:
        parse(value)
    except InvalidResidentId as err:
        raise ValidationError(err.reason, code="invalid_resident_id") from None
