"""A small, whitelisted expression language replacing ``eval``/``exec`` for uploaded BPMN/DMN.

BPMN and DMN files are uploaded by managers and are untrusted, yet SpiffWorkflow evaluates script
tasks, gateway conditions, timer expressions, multi-instance expressions, service-task parameters
and DMN cells with plain ``eval``/``exec``. This package parses the text with :func:`ast.parse`,
checks the tree against a whitelist (at deploy time, with a reason for every refusal) and walks it
with an interpreter bounded in steps, time and value sizes. Nothing is ever compiled to code.

Expressions
    * constants: strings, ints, floats, ``True``/``False``/``None``; names (not starting with ``_``)
    * displays: ``[...]``, ``(...)``, ``{k: v}``, ``{...}``
    * subscripts on dict/list/tuple/str: ``d["k"]``, ``l[0]``, ``s[1:3]``, ``l[a:b:c]``
    * arithmetic ``+ - * / // % **`` and unary ``+ - not`` (``%`` on strings is refused)
    * comparisons, chained (``4 < x < 6``), ``in``/``not in``, ``is``/``is not`` only with
      ``None``/``True``/``False``; ``and``/``or``; ``a if c else b``
    * f-strings; a format spec must be a constant of at most 20 characters, width <= 200,
      precision <= 50; ``%``-style specs (``f"{d:%Y年%m月%d日}"``) only format dates
    * calls of the helper functions below by their plain name, with positional and keyword
      arguments (no ``*args``/``**kwargs``)

    Refused: attribute access of any kind (``x.y``), lambda, comprehensions and generator
    expressions, ``:=``, ``*x``, await/yield, bitwise and shift operators, calls of anything that is
    not a helper, helper names used as values, names starting with ``_``, nesting deeper than
    ``Limits.max_depth`` (every AST level counts, so ``a + b + ... `` with 50 terms is too deep).

Scripts (script tasks)
    A sequence of ``name = expr``, ``a, b = expr``, ``a = b = expr``, ``name["k"][0] = expr``,
    ``name += expr`` (any allowed arithmetic operator), ``if``/``elif``/``else`` and ``pass``.
    Everything else (loops, def, class, import, with, try, del, global, return, raise, assert,
    bare expression statements) is refused. Assigned values must be task data: None, bool, int,
    float, str, list, tuple, dict with string keys, date, datetime, timedelta or Decimal; no cycles.

Helpers (:data:`HELPERS`)
    ``len sum min max abs round floor ceil int float str bool`` (validated versions of the
    builtins), ``round_half_up(x, ndigits=2)`` (四舍五入 via Decimal, returns float),
    ``get(mapping, key, default=None)``, ``today()`` (date in Asia/Shanghai), ``now()`` (aware UTC
    datetime), ``date(y, m, d)``, ``parse_date(s)``, ``days_between(a, b)``, ``add_days(d, n)``,
    ``add_months(d, n)`` (clamped to month end), ``age_on(birth_date, on_date=today())``,
    ``is_working_day(d)``, ``add_working_days(d, n)``, ``working_days_between(a, b)``,
    ``working_days(n)`` and ``duration_days(n)``.

    Timer convention: ``<bpmn:timeDate>working_days(3)</bpmn:timeDate>`` evaluates to the ISO-8601
    UTC datetime of 23:59:59 China time on the 3rd Chinese working day after today (today not
    counted), which SpiffWorkflow parses with ``datetime.fromisoformat``;
    ``<bpmn:timeDuration>duration_days(5)</bpmn:timeDuration>`` gives ``'P5D'``.

Names are looked up in the task data/context first, then among the helpers; unknown names raise
:class:`ExpressionNameError` (an :class:`ExpressionError` and a ``NameError``). Run-time limits are
in :class:`Limits`.
"""

from .checker import check_format_spec
from .errors import (
    ExpressionError,
    ExpressionLimitExceeded,
    ExpressionNameError,
    ExpressionRefused,
    ExpressionSyntaxError,
)
from .helpers import HELPERS
from .interpreter import check_expression, check_script, evaluate, execute, parse_or_raise
from .limits import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS",
    "HELPERS",
    "ExpressionError",
    "ExpressionLimitExceeded",
    "ExpressionNameError",
    "ExpressionRefused",
    "ExpressionSyntaxError",
    "Limits",
    "check_expression",
    "check_format_spec",
    "check_script",
    "evaluate",
    "execute",
    "parse_or_raise",
]
