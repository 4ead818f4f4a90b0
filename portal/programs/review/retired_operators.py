"""Operators of the retired ``review_schedule`` sub-process, kept so that reviews started before it was retired
can finish.

A review instance stays on the ``annual_review`` version it started on, and that version's call activity runs the
``review_schedule`` version pinned with it, which calls these two operators. Since then the schedule is counted,
checked and written in one place, ``services.schedule_next_review`` (the ``schedule_next_review`` operator of
today's version); these wrappers call the same code. ``schedule_review`` takes the interval from today's rules
instead of the one the old sub-process passes in: the same tables answer both.
"""

from __future__ import annotations

from typing import Any

from engine.operators import OperatorContext, operator

from . import services
from .operators import _iso_date, _original, _whole, schedule_next_review


@operator(
    "review_household_facts",
    params={"original_case": str, "as_of": str, "working_age_from": (int, float), "working_age_to": (int, float)},
    label="统计家庭成员劳动能力",
)
def review_household_facts(*, original_case: str, as_of: str, working_age_from: int | float,
                           working_age_to: int | float, context: OperatorContext) -> dict[str, Any]:
    name = "review_household_facts"
    day = _iso_date(name, as_of, "as_of")
    low = _whole(name, working_age_from, "working_age_from", 0, 120)
    high = _whole(name, working_age_to, "working_age_to", low + 1, 121)
    return services.household_facts(_original(name, original_case), day, low, high)


@operator(
    "schedule_review",
    params={"original_case": str, "interval_months": (int, float), "basis": str, "irregular_income": bool,
            "able_bodied_members": (int, float), "schedule_from": str},
    label="登记下次核查时间",
)
def schedule_review(*, original_case: str, interval_months: int | float, basis: str, irregular_income: bool,
                    able_bodied_members: int | float, schedule_from: str,
                    context: OperatorContext) -> dict[str, Any]:
    return schedule_next_review(original_case=original_case, irregular_income=irregular_income,
                                schedule_from=schedule_from, context=context)
