"""Which values the language handles, and how big they are allowed to get."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .errors import ExpressionError, ExpressionLimitExceeded
from .limits import Limits

SCALAR_TYPES: tuple[type, ...] = (type(None), bool, int, float, str, Decimal, date, datetime, timedelta)
SEQUENCE_TYPES: tuple[type, ...] = (list, tuple)
CONTAINER_TYPES: tuple[type, ...] = (list, tuple, dict, set, frozenset)
VALUE_TYPES: tuple[type, ...] = SCALAR_TYPES + CONTAINER_TYPES
NUMBER_TYPES: tuple[type, ...] = (int, float, Decimal)  # bool is an int

# Decimals whose exponent exceeds this are refused where they would be expanded to digits
# (int(), f"{d:f}"): Decimal('1e999999') is tiny in memory but huge as an int or a string.
MAX_DECIMAL_EXPONENT = 1_300


def type_name(value: object) -> str:
    return type(value).__name__


def is_value(value: object) -> bool:
    return isinstance(value, VALUE_TYPES)


def require_value(value: object, what: str = "value") -> None:
    if not isinstance(value, VALUE_TYPES):
        raise ExpressionError(f"{what} of type '{type_name(value)}' is not supported")


def check_scalar(value: object, limits: Limits) -> object:
    """Check a freshly computed result without walking into containers (cheap, O(1))."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if value.bit_length() > limits.max_int_bits:
            raise ExpressionLimitExceeded(
                f"integer result is too large (more than {limits.max_int_bits} bits)"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError("numeric overflow: the result is not a finite number")
    elif isinstance(value, str):
        if len(value) > limits.max_string:
            raise ExpressionLimitExceeded(
                f"string result is too long ({len(value)} characters, limit {limits.max_string})"
            )
    elif isinstance(value, CONTAINER_TYPES):
        if len(value) > limits.max_collection:
            raise ExpressionLimitExceeded(
                f"{type_name(value)} is too large ({len(value)} items, limit {limits.max_collection})"
            )
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ExpressionError("numeric overflow: the result is not a finite number")
    elif isinstance(value, complex):
        raise ExpressionError("the result is a complex number, which is not supported")
    elif not isinstance(value, SCALAR_TYPES):
        raise ExpressionError(f"values of type '{type_name(value)}' are not supported")
    return value


@dataclass
class Size:
    nodes: int = 0
    chars: int = 0  # estimated length of str()/repr() of the value


def measure(
    value: object,
    limits: Limits,
    *,
    assignable: bool = False,
    forbidden_ids: frozenset[int] = frozenset(),
    deadline: float | None = None,
    max_chars: int | None = None,
) -> Size:
    """Walk ``value`` as a tree (shared sub-values counted each time they occur) within the limits.

    Raises :class:`ExpressionLimitExceeded` as soon as a budget is exhausted, so the cost of the walk
    is itself bounded. ``assignable`` restricts to data that may be stored in task data (no sets).
    ``forbidden_ids`` are containers the value must not contain (an assignment would create a cycle).
    """
    size = Size()
    max_chars = limits.max_data_chars if max_chars is None else max_chars
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        size.nodes += 1
        if size.nodes > limits.max_data_nodes:
            raise ExpressionLimitExceeded(f"value is too large (more than {limits.max_data_nodes} elements)")
        if deadline is not None and not size.nodes & 1023 and time.monotonic() > deadline:
            raise ExpressionLimitExceeded("time limit exceeded")
        if isinstance(item, str):
            if len(item) > limits.max_string:
                raise ExpressionLimitExceeded(
                    f"string is too long ({len(item)} characters, limit {limits.max_string})"
                )
            size.chars += len(item) + 2
        elif isinstance(item, bool) or item is None:
            size.chars += 5
        elif isinstance(item, int):
            bits = item.bit_length()
            if bits > limits.max_int_bits:
                raise ExpressionLimitExceeded(f"integer is too large (more than {limits.max_int_bits} bits)")
            size.chars += bits * 31 // 100 + 2
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ExpressionError("numeric overflow: value is not a finite number")
            size.chars += 24
        elif isinstance(item, Decimal):
            if not item.is_finite():
                raise ExpressionError("numeric overflow: value is not a finite number")
            size.chars += len(item.as_tuple().digits) + 16
        elif isinstance(item, (date, timedelta)):  # datetime is a date
            size.chars += 80
        elif isinstance(item, (list, tuple, dict)) or (not assignable and isinstance(item, (set, frozenset))):
            if id(item) in forbidden_ids:
                raise ExpressionError("the assignment would make a value contain itself")
            if len(item) > limits.max_collection:
                raise ExpressionLimitExceeded(
                    f"{type_name(item)} is too large ({len(item)} items, limit {limits.max_collection})"
                )
            if depth >= limits.max_data_depth:
                raise ExpressionLimitExceeded(f"value is nested too deeply (limit {limits.max_data_depth})")
            size.chars += 2 + 2 * len(item)
            if isinstance(item, dict):
                if assignable and not all(isinstance(key, str) for key in item):
                    raise ExpressionError("dict keys in task data must be strings")
                for key, sub in item.items():
                    stack.append((key, depth + 1))
                    stack.append((sub, depth + 1))
            else:
                for sub in item:
                    stack.append((sub, depth + 1))
        else:
            kind = "task data" if assignable else "expressions"
            raise ExpressionError(f"values of type '{type_name(item)}' cannot be used in {kind}")
        if size.chars > max_chars:
            raise ExpressionLimitExceeded(f"value is too large (more than {max_chars} characters)")
    return size


def check_text_size(value: object, limits: Limits, deadline: float | None = None) -> None:
    """Refuse to turn ``value`` into text if the text would exceed ``max_string``."""
    if isinstance(value, str):
        estimate = len(value)
    else:
        try:
            estimate = measure(value, limits, deadline=deadline, max_chars=limits.max_string).chars
        except ExpressionLimitExceeded as exc:
            if "characters" not in exc.reason:
                raise
            estimate = limits.max_string + 1
    if estimate > limits.max_string:
        raise ExpressionLimitExceeded(
            f"converting the value to text would be too long (limit {limits.max_string} characters)"
        )


def check_decimal_expansion(value: object) -> None:
    if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise ExpressionLimitExceeded("decimal number is too large to expand")
