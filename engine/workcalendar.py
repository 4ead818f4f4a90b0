"""Chinese working-day calendar (工作日历) used by deadlines and timers.

A day is a working day when:

1. it is listed in ``extra_workdays`` of the optional Django setting ``ENGINE_WORKCALENDAR``
   (overrides win; ``extra_holidays`` wins over ``extra_workdays`` if a date is in both); or
2. the ``chinese_calendar`` package (PyPI ``chinesecalendar``) knows the year: statutory holidays
   are days off and make-up workdays (调休, e.g. Sunday 2025-09-28) are working days; or
3. the year is outside the package's data: Monday to Friday, with a warning logged once per year
   so operators know to upgrade ``chinesecalendar`` or add overrides.

Example setting (dates as ISO strings)::

    ENGINE_WORKCALENDAR = {"extra_holidays": ["2027-01-01"], "extra_workdays": ["2027-02-06"]}

The setting is read lazily, only if Django settings are configured, so this module is importable
and testable without Django. All dates are calendar dates in China (Asia/Shanghai, UTC+8 with no
DST since 1991); :func:`end_of_working_day_utc` turns one into the UTC instant 23:59:59 CST.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache, lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
SETTING_NAME = "ENGINE_WORKCALENDAR"

_warned_years: set[int] = set()
_warn_lock = threading.Lock()


@dataclass(frozen=True)
class Overrides:
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()


NO_OVERRIDES = Overrides()


def _parse_dates(values: Iterable[object], key: str) -> frozenset[date]:
    parsed = set()
    for value in values:
        if isinstance(value, datetime):
            parsed.add(value.date())
        elif isinstance(value, date):
            parsed.add(value)
        elif isinstance(value, str):
            try:
                parsed.add(date.fromisoformat(value.strip()))
            except ValueError as exc:
                raise ValueError(
                    f"{SETTING_NAME}[{key!r}]: {value!r} is not an ISO date (YYYY-MM-DD)"
                ) from exc
        else:
            raise ValueError(f"{SETTING_NAME}[{key!r}] must contain ISO date strings")
    return frozenset(parsed)


@lru_cache(maxsize=16)
def _parse_overrides(holidays: tuple[object, ...], workdays: tuple[object, ...]) -> Overrides:
    return Overrides(_parse_dates(holidays, "extra_holidays"), _parse_dates(workdays, "extra_workdays"))


def overrides_from_config(config: Mapping[str, Iterable[object]] | None) -> Overrides:
    """Parse an ``ENGINE_WORKCALENDAR``-shaped mapping (raises ValueError if malformed)."""
    if not config:
        return NO_OVERRIDES
    unknown = set(config) - {"extra_holidays", "extra_workdays"}
    if unknown:
        raise ValueError(f"{SETTING_NAME}: unknown keys {sorted(unknown)}")
    return _parse_overrides(
        tuple(config.get("extra_holidays", ()) or ()), tuple(config.get("extra_workdays", ()) or ())
    )


def get_overrides() -> Overrides:
    """The overrides from Django settings, or none when Django is absent or not configured."""
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency of the project
        return NO_OVERRIDES
    if not settings.configured:
        return NO_OVERRIDES
    return overrides_from_config(getattr(settings, SETTING_NAME, None))


@cache
def _statutory_year(year: int) -> tuple[bool, ...] | None:
    """Working-day flags for every day of ``year`` from chinese_calendar, None if it lacks the year."""
    first = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError:
        return None
    days = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
    return tuple(chinese_calendar.is_workday(first + timedelta(days=offset)) for offset in range(days))


def _warn_fallback(year: int) -> None:
    if year in _warned_years:
        return
    with _warn_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "chinese_calendar has no holiday data for %s; treating Monday-Friday as working days. "
        "Upgrade chinesecalendar or add %s overrides.",
        year,
        SETTING_NAME,
    )


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d


def _is_working_day(d: date, overrides: Overrides) -> bool:
    if d in overrides.extra_holidays:
        return False
    if d in overrides.extra_workdays:
        return True
    flags = _statutory_year(d.year)
    if flags is None:
        _warn_fallback(d.year)
        return d.weekday() < 5
    return flags[d.timetuple().tm_yday - 1]


def is_working_day(d: date, *, overrides: Overrides | None = None) -> bool:
    """True if ``d`` is a working day in mainland China."""
    return _is_working_day(_as_date(d), get_overrides() if overrides is None else overrides)


def add_working_days(d: date, n: int, *, overrides: Overrides | None = None) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself not counted).

    ``n == 0`` gives ``d`` if it is a working day, else the next working day.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a non-negative integer")
    current = _as_date(d)
    ov = get_overrides() if overrides is None else overrides
    one = timedelta(days=1)
    if n == 0:
        while not _is_working_day(current, ov):
            current += one
        return current
    remaining = n
    while remaining:
        current += one
        if _is_working_day(current, ov):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, *, overrides: Overrides | None = None) -> int:
    """Working days in the half-open interval (start, end]; negative if ``end`` is before ``start``.

    Consistent with :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``
    for every ``n >= 1``.
    """
    a, b = _as_date(start), _as_date(end)
    if b < a:
        return -working_days_between(b, a, overrides=overrides)
    ov = get_overrides() if overrides is None else overrides
    count = 0
    current, one = a, timedelta(days=1)
    while current < b:
        current += one
        if _is_working_day(current, ov):
            count += 1
    return count


def end_of_working_day_utc(d: date) -> datetime:
    """The aware UTC datetime of 23:59:59 China time on ``d``."""
    return datetime.combine(_as_date(d), time(23, 59, 59), CHINA_TZ).astimezone(UTC)


def today_in_china() -> date:
    """Today's date in China (reads the clock through ``datetime.now`` so tests can freeze it)."""
    return datetime.now(UTC).astimezone(CHINA_TZ).date()
