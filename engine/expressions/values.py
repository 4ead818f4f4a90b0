"""Which values the language handles, and how big they are allowed to get."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .errors import ExpressionError, ExpressionLimitExceeded
from .limits import Limits, cpu_clock

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
    """Size ``value`` as a tree (shared sub-values counted each time they occur) within the limits.

    Raises :class:`ExpressionLimitExceeded` as soon as a budget is exhausted. A container met again
    is sized from memory, so ``x = [x, x]`` repeated costs one visit per distinct object, not one per
    tree node. ``assignable`` restricts to data that may be stored in task data (no sets).
    ``forbidden_ids`` are containers the value must not contain (an assignment would create a cycle).
    """
    walk = _SizeWalk(limits, assignable, forbidden_ids, deadline, max_chars)
    walk.visit(value, 0)
    return walk.size


CLOCK_CHECK_VISITS = 1024  # the clock is a system call: read it once per this many values walked


class _SizeWalk:
    def __init__(
        self,
        limits: Limits,
        assignable: bool,
        forbidden_ids: frozenset[int],
        deadline: float | None,
        max_chars: int | None,
    ) -> None:
        self.limits = limits
        self.assignable = assignable
        self.forbidden_ids = forbidden_ids
        self.deadline = deadline
        self.max_chars = limits.max_data_chars if max_chars is None else max_chars
        self.size = Size()
        self.visits = 0
        self.next_clock_check = CLOCK_CHECK_VISITS
        # id(container) -> (nodes, chars, height) of its tree; the value keeps every id alive.
        self.known: dict[int, tuple[int, int, int]] = {}

    def add(self, nodes: int, chars: int) -> None:
        self.size.nodes += nodes
        self.size.chars += chars
        if self.size.nodes > self.limits.max_data_nodes:
            raise ExpressionLimitExceeded(f"value is too large (more than {self.limits.max_data_nodes} elements)")
        if self.size.chars > self.max_chars:
            raise ExpressionLimitExceeded(f"value is too large (more than {self.max_chars} characters)")

    def is_container(self, item: object) -> bool:
        return isinstance(item, (list, tuple, dict)) or (not self.assignable and isinstance(item, (set, frozenset)))

    def visit(self, item: object, depth: int) -> int:
        """Count ``item``; return the nesting height of containers inside it (-1 for a scalar)."""
        if self.is_container(item):
            return self.visit_container(item, depth)
        self.add(1, self.scalar_chars(item))
        return -1

    def visit_container(self, item: list | tuple | dict | set | frozenset, depth: int) -> int:
        limits = self.limits
        known = self.known.get(id(item))
        if known is not None:
            nodes, chars, height = known
            if depth + height >= limits.max_data_depth:
                raise ExpressionLimitExceeded(f"value is nested too deeply (limit {limits.max_data_depth})")
            self.add(nodes, chars)
            return height
        if id(item) in self.forbidden_ids:
            raise ExpressionError("the assignment would make a value contain itself")
        if len(item) > limits.max_collection:
            raise ExpressionLimitExceeded(
                f"{type_name(item)} is too large ({len(item)} items, limit {limits.max_collection})"
            )
        if depth >= limits.max_data_depth:
            raise ExpressionLimitExceeded(f"value is nested too deeply (limit {limits.max_data_depth})")
        self.visits += len(item) + 1
        if self.deadline is not None and self.visits >= self.next_clock_check:
            self.next_clock_check = self.visits + CLOCK_CHECK_VISITS
            if cpu_clock() > self.deadline:
                raise ExpressionLimitExceeded("time limit exceeded")
        nodes_before, chars_before = self.size.nodes, self.size.chars
        self.add(1, 2 + 2 * len(item))
        height = 0
        if isinstance(item, dict):
            if self.assignable and not all(isinstance(key, str) for key in item):
                raise ExpressionError("dict keys in task data must be strings")
            children: Iterable[object] = (part for pair in item.items() for part in pair)
        else:
            children = item
        # Scalars are summed here and added once (a container holds at most max_collection of them), so a large
        # flat list costs one call per item, not three.
        scalar_nodes = scalar_chars = 0
        for sub in children:
            if self.is_container(sub):
                height = max(height, 1 + self.visit_container(sub, depth + 1))
            else:
                scalar_nodes += 1
                scalar_chars += self.scalar_chars(sub)
        self.add(scalar_nodes, scalar_chars)
        self.known[id(item)] = (self.size.nodes - nodes_before, self.size.chars - chars_before, height)
        return height

    def scalar_chars(self, item: object) -> int:
        limits = self.limits
        if isinstance(item, str):
            if len(item) > limits.max_string:
                raise ExpressionLimitExceeded(
                    f"string is too long ({len(item)} characters, limit {limits.max_string})"
                )
            return len(item) + 2
        if isinstance(item, bool) or item is None:
            return 5
        if isinstance(item, int):
            bits = item.bit_length()
            if bits > limits.max_int_bits:
                raise ExpressionLimitExceeded(f"integer is too large (more than {limits.max_int_bits} bits)")
            return bits * 31 // 100 + 2
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ExpressionError("numeric overflow: value is not a finite number")
            return 24
        if isinstance(item, Decimal):
            if not item.is_finite():
                raise ExpressionError("numeric overflow: value is not a finite number")
            return len(item.as_tuple().digits) + 16
        if isinstance(item, (date, timedelta)):  # datetime is a date
            return 80
        kind = "task data" if self.assignable else "expressions"
        raise ExpressionError(f"values of type '{type_name(item)}' cannot be used in {kind}")


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
