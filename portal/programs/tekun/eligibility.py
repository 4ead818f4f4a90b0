"""Who is 特困 (特困人员认定办法, 2021): aged ``elderly_age``+, disabled, or under ``minor_age``; no capacity to
work; no means of living (no stable income and a monthly income under ``income_limit``, the local 低保
standard); and no legal supporter, or supporters unable to support. The figures come from the tekun_policy
DMN table; this module applies them to the applicant's data and gives every failed condition as a reason.

The applicant is the member whose name is the case's ``applicant_name`` (the intake checks that the
applicant is listed among the members). Age is counted on ``as_of``, the date the case was opened.
Under-16s count as having no capacity to work whatever the form says.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

WORK_CAPACITIES = ("none", "partial", "full")
SUPPORTER_STATUSES = ("none", "unable", "able")
CATEGORY_LABELS = {"elderly": gettext_noop("老年人"), "disabled": gettext_noop("残疾人"),
                   "minor": gettext_noop("未成年人")}


class EligibilityError(ValueError):
    """The data cannot be judged (a programming or data error, not an ineligible applicant)."""


@dataclass
class Eligibility:
    eligible: bool
    age: int
    categories: list[str] = field(default_factory=list)
    category_labels: list[str] = field(default_factory=list)
    monthly_income: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def applicant_of(members: list[Any], applicant_name: str) -> dict[str, Any]:
    if not isinstance(members, list) or not members:
        raise EligibilityError("the case has no members")
    found = [m for m in members if isinstance(m, dict) and m.get("name") == applicant_name]
    if not found:
        raise EligibilityError("the applicant is not among the members")
    if len(found) > 1:
        raise EligibilityError("several members have the applicant's name")
    return found[0]


def _iso(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise EligibilityError(f"{what} is not an ISO date") from None


def check(*, members: list[Any], applicant_name: str, as_of: str, elderly_age: int, minor_age: int,
          income_limit: float, disabled: bool, work_capacity: str, has_income: bool,
          supporter_status: str) -> Eligibility:
    if work_capacity not in WORK_CAPACITIES:
        raise EligibilityError(f"work_capacity should be one of {', '.join(WORK_CAPACITIES)}")
    if supporter_status not in SUPPORTER_STATUSES:
        raise EligibilityError(f"supporter_status should be one of {', '.join(SUPPORTER_STATUSES)}")
    if not 0 < minor_age < elderly_age:
        raise EligibilityError("minor_age should be positive and below elderly_age")
    applicant = applicant_of(members, applicant_name)
    day = _iso(as_of, "as_of")
    born = _iso(applicant.get("birth_date"), "the applicant's birth_date")
    if born > day:
        raise EligibilityError("the applicant's birth_date is after as_of")
    age = age_on(born, day)
    income = Decimal(str(applicant.get("monthly_income") or 0))
    limit = Decimal(str(income_limit))

    categories = []
    if age >= elderly_age:
        categories.append("elderly")
    if disabled or applicant.get("severely_disabled"):
        categories.append("disabled")
    if age < minor_age:
        categories.append("minor")

    with translation.override(settings.LANGUAGE_CODE):
        reasons = []
        if not categories:
            message = _("申请人 %(age)d 周岁，不是年满 %(old)d 周岁的老年人、残疾人或未满 %(young)d 周岁的未成年人")
            reasons.append(message % {"age": age, "old": elderly_age, "young": minor_age})
        if work_capacity != "none" and "minor" not in categories:
            reasons.append(_("申请人有劳动能力") if work_capacity == "full" else _("申请人有部分劳动能力"))
        if has_income:
            reasons.append(_("申请人有稳定收入来源"))
        if income >= limit:
            reasons.append(_("申请人月收入 %(income)s 元，不低于当地最低生活保障标准 %(limit)s 元")
                           % {"income": f"{income:.2f}", "limit": f"{limit:.2f}"})
        if supporter_status == "able":
            reasons.append(_("申请人有法定赡养、抚养、扶养义务人，且义务人有履行义务能力"))
        labels = [_(CATEGORY_LABELS[c]) for c in categories]
    return Eligibility(eligible=not reasons, age=age, categories=categories, category_labels=labels,
                       monthly_income=float(income), reasons=reasons)
