"""The named helper functions callable from expressions (see :data:`HELPERS`).

Every helper validates its arguments and raises :class:`ExpressionError` with a message naming the
helper; messages never echo argument values (they may be personal data from task data).
Dates are calendar dates in China (Asia/Shanghai); date arguments may be ``date`` objects or ISO
strings (``"2025-10-01"``, or datetimes such as ``"2025-10-01T08:00:00+08:00"``, converted to the
China date). Clock reads go through ``datetime.now(timezone.utc)`` so tests can freeze time.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from types import MappingProxyType

from .. import workcalendar
from .errors import ExpressionError
from .limits import current_limits
from .values import (
    CONTAINER_TYPES,
    NUMBER_TYPES,
    check_decimal_expansion,
    check_text_size,
    require_value,
    type_name,
)

CHINA_TZ = workcalendar.CHINA_TZ
MAX_DAYS = 36_500  # 100 years, for add_days / duration_days
MAX_MONTHS = 1_200
MAX_WORKING_DAYS = 3_650
MAX_WORKING_SPAN_DAYS = 7_305  # 20 years, for working_days_between
MAX_DATE_STRING = 64


# --- argument validation ------------------------------------------------------------------------


def _int_arg(func: str, name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExpressionError(f"{func}(): {name} must be an integer, not {type_name(value)}")
    if not low <= value <= high:
        raise ExpressionError(f"{func}(): {name} must be between {low} and {high}")
    return value


def _number_arg(func: str, name: str, value: object) -> int | float | Decimal:
    if not isinstance(value, NUMBER_TYPES):
        raise ExpressionError(f"{func}(): {name} must be a number, not {type_name(value)}")
    return value  # type: ignore[return-value]


def to_date(value: object, func: str = "date", name: str = "argument") -> date:
    """Coerce a date, datetime or ISO string to a China calendar date."""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo is not None else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_DATE_STRING:
            raise ExpressionError(f"{func}(): {name} is not an ISO date")
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return to_date(datetime.fromisoformat(text), func, name)
        except ValueError:
            raise ExpressionError(f"{func}(): {name} is not an ISO date (expected YYYY-MM-DD)") from None
    raise ExpressionError(f"{func}(): {name} must be a date or an ISO date string, not {type_name(value)}")


def _plain_date(d: date) -> date:
    # Always hand back a real ``date`` (not a datetime) so results serialise predictably.
    return date(d.year, d.month, d.day)


# --- generic helpers ----------------------------------------------------------------------------


def h_len(value: object) -> int:
    if isinstance(value, (str, *CONTAINER_TYPES)):
        return len(value)  # type: ignore[arg-type]
    raise ExpressionError(f"len(): needs a string, list, tuple, dict or set, not {type_name(value)}")


def _collection_arg(func: str, value: object) -> list[object]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise ExpressionError(f"{func}(): needs a list, tuple or set, not {type_name(value)}")


def h_sum(values: object, start: object = 0) -> object:
    items = _collection_arg("sum", values)
    _number_arg("sum", "start", start)
    for item in items:
        _number_arg("sum", "every item", item)
    try:
        return sum(items, start)  # type: ignore[call-overload]
    except TypeError:
        raise ExpressionError("sum(): cannot add these kinds of numbers together") from None


_ORDERABLE = (int, float, Decimal, str, date, timedelta)


def _min_max(func: str, pick: Callable[..., object], args: tuple[object, ...]) -> object:
    if not args:
        raise ExpressionError(f"{func}(): needs at least one argument")
    items = _collection_arg(func, args[0]) if len(args) == 1 else list(args)
    if not items:
        raise ExpressionError(f"{func}(): the collection is empty")
    for item in items:
        if not isinstance(item, _ORDERABLE):
            raise ExpressionError(f"{func}(): cannot compare values of type {type_name(item)}")
    try:
        return pick(items)
    except TypeError:
        raise ExpressionError(f"{func}(): the values cannot be compared with each other") from None


def h_min(*args: object) -> object:
    return _min_max("min", min, args)


def h_max(*args: object) -> object:
    return _min_max("max", max, args)


def h_abs(value: object) -> object:
    if isinstance(value, (*NUMBER_TYPES, timedelta)):
        return abs(value)  # type: ignore[arg-type]
    raise ExpressionError(f"abs(): needs a number, not {type_name(value)}")


def h_round(value: object, ndigits: object = None) -> object:
    _number_arg("round", "value", value)
    if ndigits is None:
        check_decimal_expansion(value)
        return round(value)  # type: ignore[call-overload]
    digits = _int_arg("round", "ndigits", ndigits, -30, 30)
    return round(value, digits)  # type: ignore[call-overload]


def h_round_half_up(value: object, ndigits: object = 2) -> float:
    """Commercial rounding (四舍五入, halves away from zero) for money; returns a float."""
    _number_arg("round_half_up", "value", value)
    digits = _int_arg("round_half_up", "ndigits", ndigits, 0, 10)
    if isinstance(value, float):
        exact = Decimal(repr(value))  # repr is the shortest round-trip text: 2.675 -> "2.675"
    else:
        exact = Decimal(value)  # type: ignore[arg-type]
    check_decimal_expansion(exact)
    try:
        with localcontext() as ctx:
            ctx.prec = 2 * _decimal_precision()
            rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ExpressionError("round_half_up(): the number is too large") from None
    result = float(rounded)
    if not math.isfinite(result):
        raise ExpressionError("round_half_up(): the number is too large for a float")
    return result


def _decimal_precision() -> int:
    # Enough precision for any int within max_int_bits plus the requested decimals.
    return current_limits.get().max_int_bits * 31 // 100 + 64


def h_floor(value: object) -> int:
    _number_arg("floor", "value", value)
    check_decimal_expansion(value)
    return math.floor(value)  # type: ignore[arg-type]


def h_ceil(value: object) -> int:
    _number_arg("ceil", "value", value)
    check_decimal_expansion(value)
    return math.ceil(value)  # type: ignore[arg-type]


def h_int(value: object) -> int:
    if isinstance(value, (bool, int, float)):
        return int(value)
    if isinstance(value, Decimal):
        check_decimal_expansion(value)
        return int(value)
    if isinstance(value, str):
        limits = current_limits.get()
        if len(value) > limits.max_int_bits:  # a decimal digit carries more than one bit
            raise ExpressionError("int(): the string is too long")
        try:
            return int(value.strip())
        except ValueError:
            raise ExpressionError("int(): the string is not a whole number") from None
    raise ExpressionError(f"int(): cannot convert {type_name(value)} to an integer")


def h_float(value: object) -> float:
    if isinstance(value, (bool, int, float, Decimal)):
        try:
            result = float(value)
        except OverflowError:
            raise ExpressionError("float(): the number is too large for a float") from None
    elif isinstance(value, str):
        if len(value) > 1_000:
            raise ExpressionError("float(): the string is too long")
        try:
            result = float(value.strip())
        except ValueError:
            raise ExpressionError("float(): the string is not a number") from None
    else:
        raise ExpressionError(f"float(): cannot convert {type_name(value)} to a float")
    if not math.isfinite(result):
        raise ExpressionError("float(): the result is not a finite number")
    return result


def h_str(value: object = "") -> str:
    require_value(value, "str() argument")
    check_text_size(value, current_limits.get())
    return str(value)


def h_bool(value: object = False) -> bool:
    require_value(value, "bool() argument")
    return bool(value)


def h_get(mapping: object, key: object, default: object = None) -> object:
    """``mapping.get(key, default)``; for lists/tuples, the item at index ``key`` or ``default``."""
    if isinstance(mapping, dict):
        try:
            return mapping.get(key, default)
        except TypeError:
            raise ExpressionError("get(): the key cannot be used as a dict key") from None
    if isinstance(mapping, (list, tuple)):
        if isinstance(key, bool) or not isinstance(key, int):
            raise ExpressionError("get(): a list index must be an integer")
        return mapping[key] if -len(mapping) <= key < len(mapping) else default
    raise ExpressionError(f"get(): needs a dict, list or tuple, not {type_name(mapping)}")


# --- dates --------------------------------------------------------------------------------------


def h_today() -> date:
    """Today's date in China."""
    return _plain_date(datetime.now(UTC).astimezone(CHINA_TZ).date())


def h_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def h_date(year: object, month: object, day: object) -> date:
    y = _int_arg("date", "year", year, 1, 9999)
    m = _int_arg("date", "month", month, 1, 12)
    d = _int_arg("date", "day", day, 1, 31)
    try:
        return date(y, m, d)
    except ValueError:
        raise ExpressionError("date(): day is out of range for the month") from None


def h_parse_date(value: object) -> date:
    return _plain_date(to_date(value, "parse_date", "value"))


def h_days_between(start: object, end: object) -> int:
    """Calendar days from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    return (to_date(end, "days_between", "end") - to_date(start, "days_between", "start")).days


def h_add_days(value: object, n: object) -> date:
    d = to_date(value, "add_days", "date")
    days = _int_arg("add_days", "n", n, -MAX_DAYS, MAX_DAYS)
    try:
        return _plain_date(d + timedelta(days=days))
    except OverflowError:
        raise ExpressionError("add_days(): the result is out of the supported date range") from None


def h_add_months(value: object, n: object) -> date:
    """Add calendar months; the day is clamped to the end of the target month (1-31 + 1 -> 2-28)."""
    d = to_date(value, "add_months", "date")
    months = _int_arg("add_months", "n", n, -MAX_MONTHS, MAX_MONTHS)
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ExpressionError("add_months(): the result is out of the supported date range")
    return date(year, month + 1, min(d.day, monthrange(year, month + 1)[1]))


def h_age_on(birth_date: object, on_date: object = None) -> int:
    """Age in full years on ``on_date`` (default: today in China). Born 02-29: a year older on 03-01."""
    born = to_date(birth_date, "age_on", "birth_date")
    on = h_today() if on_date is None else to_date(on_date, "age_on", "on_date")
    if on < born:
        raise ExpressionError("age_on(): on_date is before birth_date")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def h_is_working_day(value: object) -> bool:
    return workcalendar.is_working_day(to_date(value, "is_working_day", "date"))


def h_add_working_days(value: object, n: object) -> date:
    """The n-th Chinese working day after the date; n=0: the date itself or the next working day."""
    d = to_date(value, "add_working_days", "date")
    count = _int_arg("add_working_days", "n", n, 0, MAX_WORKING_DAYS)
    try:
        return _plain_date(workcalendar.add_working_days(d, count))
    except OverflowError:
        raise ExpressionError("add_working_days(): the result is out of the supported date range") from None


def h_working_days_between(start: object, end: object) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    a = to_date(start, "working_days_between", "start")
    b = to_date(end, "working_days_between", "end")
    if abs((b - a).days) > MAX_WORKING_SPAN_DAYS:
        raise ExpressionError(
            f"working_days_between(): the dates are more than {MAX_WORKING_SPAN_DAYS} days apart"
        )
    return workcalendar.working_days_between(a, b)


def h_working_days(n: object) -> str:
    """Timer convention: ISO-8601 UTC datetime of 23:59:59 China time on the n-th working day after today.

    Use as ``<bpmn:timeDate>working_days(3)</bpmn:timeDate>``; SpiffWorkflow parses the string with
    ``datetime.fromisoformat``.
    """
    count = _int_arg("working_days", "n", n, 0, MAX_WORKING_DAYS)
    try:
        due = workcalendar.add_working_days(h_today(), count)
    except OverflowError:
        raise ExpressionError("working_days(): the result is out of the supported date range") from None
    return workcalendar.end_of_working_day_utc(due).isoformat()


def h_duration_days(n: object) -> str:
    """An ISO-8601 duration of n days (``'P3D'``) for ``<bpmn:timeDuration>``."""
    return f"P{_int_arg('duration_days', 'n', n, 0, MAX_DAYS)}D"


HELPERS: Mapping[str, Callable[..., object]] = MappingProxyType(
    {
        "len": h_len,
        "sum": h_sum,
        "min": h_min,
        "max": h_max,
        "abs": h_abs,
        "round": h_round,
        "round_half_up": h_round_half_up,
        "floor": h_floor,
        "ceil": h_ceil,
        "int": h_int,
        "float": h_float,
        "str": h_str,
        "bool": h_bool,
        "get": h_get,
        "today": h_today,
        "now": h_now,
        "date": h_date,
        "parse_date": h_parse_date,
        "days_between": h_days_between,
        "add_days": h_add_days,
        "add_months": h_add_months,
        "age_on": h_age_on,
        "is_working_day": h_is_working_day,
        "add_working_days": h_add_working_days,
        "working_days_between": h_working_days_between,
        "working_days": h_working_days,
        "duration_days": h_duration_days,
    }
)
