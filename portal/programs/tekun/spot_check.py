"""County spot checks (县级抽查入户): at least ``rate`` (tekun_policy, 30 %) of the cases that reach county
confirmation are visited by the county before it confirms.

The selection is a running quota per county and calendar year, not a lottery: the n-th case of the year is
visited when the visits so far are fewer than ⌈n × rate⌉. So after every case the share visited is at least the
rate (with 30 %: cases 1, 4, 7, 10, … of a year), the outcome is the same on every replay, and an auditor can
recompute it from the ``SpotCheck`` rows (sequence, rate, running total). Cases that must be visited anyway
(registered separately, or objected to during the notice) count towards the quota. A case coming back to the
county (returned and re-checked) keeps its first selection, and is only upgraded to a visit if it now must be
visited. A rate change during the year applies from the next case, on the year's cumulative count.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from portal.cases.models import Case

from .models import SpotCheck, SpotCheckCounter


class SpotCheckError(ValueError):
    pass


def _rate(value: float | int | Decimal) -> Decimal:
    if isinstance(value, bool):
        raise SpotCheckError("rate should be a number between 0 and 1")
    rate = Decimal(str(value))
    if not 0 <= rate <= 1:
        raise SpotCheckError("rate should be a number between 0 and 1")
    return rate


def quota(cases: int, rate: Decimal) -> int:
    """How many of the first ``cases`` cases must have been visited."""
    return math.ceil(cases * Fraction(rate))


def select(case: Case, *, rate: float | int | Decimal, required: bool) -> SpotCheck:
    rate_d = _rate(rate)
    county = case.household.village_id[:6]
    year = timezone.localdate().year
    with transaction.atomic():
        counter, _ = SpotCheckCounter.objects.select_for_update().get_or_create(county=county, year=year)
        existing = SpotCheck.objects.select_for_update().filter(case=case).first()
        if existing is not None:
            if required and not existing.selected:
                counter.selected += 1
                counter.save(update_fields=["selected"])
                existing.required = existing.selected = True
                existing.selected_total = counter.selected
                existing.save(update_fields=["required", "selected", "selected_total"])
            return existing
        counter.cases += 1
        selected = required or counter.selected < quota(counter.cases, rate_d)
        if selected:
            counter.selected += 1
        counter.save(update_fields=["cases", "selected"])
        return SpotCheck.objects.create(case=case, county=county, year=year, sequence=counter.cases, rate=rate_d,
                                        required=required, selected=selected, selected_total=counter.selected)
