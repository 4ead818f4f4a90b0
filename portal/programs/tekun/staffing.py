"""Care-home staffing (护理人员配备): one carer for every ``full`` full-care residents (1:3), ``partial`` semi-care
residents (1:6) and ``self_care`` self-care residents (1:10); the ratios come from the tekun_policy DMN table.

A carer's time is shared across levels, so the carers a home needs is the sum of the fractions, rounded up:
3 full-care + 2 semi-care + 5 self-care residents need ⌈3/3 + 2/6 + 5/10⌉ = ⌈1.83⌉ = 2 carers. An
admission is refused while the home, with the new resident, would need more carers than it has, or has no
free bed; the home's staffing has to be raised first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

LEVELS = ("full", "partial", "self_care")
LEVEL_SHORT = {"full": gettext_noop("全护理"), "partial": gettext_noop("半护理"), "self_care": gettext_noop("自理")}


class StaffingError(ValueError):
    pass


@dataclass(frozen=True)
class Ratios:
    full: int
    partial: int
    self_care: int

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Ratios:
        try:
            numbers = {level: values[level] for level in LEVELS}
        except (KeyError, TypeError):
            raise StaffingError(f"ratios should give {', '.join(LEVELS)}") from None
        for level, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
                raise StaffingError(f"ratio of {level} should be a whole number of residents per carer, at least 1")
        return cls(**{level: int(value) for level, value in numbers.items()})

    def of(self, level: str) -> int:
        return getattr(self, level)

    def label(self) -> str:
        return "、".join(f"{LEVEL_SHORT[level]} 1:{self.of(level)}" for level in LEVELS)


def required_carers(residents: dict[str, int], ratios: Ratios) -> int:
    load = sum((Fraction(residents.get(level, 0), ratios.of(level)) for level in LEVELS), Fraction(0))
    return math.ceil(load)


@dataclass(frozen=True)
class StaffingCheck:
    allowed: bool
    carers: int
    beds: int
    residents_before: dict[str, int]
    residents_after: dict[str, int]
    required_after: int
    message: str


def check_admission(*, home_name: str, carers: int, beds: int, residents: dict[str, int], level: str,
                    ratios: Ratios) -> StaffingCheck:
    """Whether one more resident of ``level`` may be admitted, with the reason in words when not."""
    if level not in LEVELS:
        raise StaffingError(f"care level should be one of {', '.join(LEVELS)}")
    before = {lvl: int(residents.get(lvl, 0)) for lvl in LEVELS}
    after = {**before, level: before[level] + 1}
    required = required_carers(after, ratios)
    occupied = sum(after.values())
    with translation.override(settings.LANGUAGE_CODE):
        counts = "、".join(_("%(level)s %(n)d 人") % {"level": _(LEVEL_SHORT[lvl]), "n": after[lvl]} for lvl in LEVELS)
        if occupied > beds:
            message = _("%(home)s 床位已满（%(beds)d 张），不能入住") % {"home": home_name, "beds": beds}
        elif required > carers:
            message = _("护理人员配比不足：%(home)s 现有护理人员 %(carers)d 人，入住后（%(counts)s）按 %(ratios)s 须 "
                        "%(required)d 人。请先增加护理人员再办理入住。") % {
                "home": home_name, "carers": carers, "counts": counts, "ratios": ratios.label(),
                "required": required}
        else:
            message = _("%(home)s 入住后（%(counts)s）按 %(ratios)s 须护理人员 %(required)d 人，现有 %(carers)d 人") % {
                "home": home_name, "counts": counts, "ratios": ratios.label(), "required": required,
                "carers": carers}
    return StaffingCheck(allowed=occupied <= beds and required <= carers, carers=carers, beds=beds,
                         residents_before=before, residents_after=after, required_after=required, message=message)
