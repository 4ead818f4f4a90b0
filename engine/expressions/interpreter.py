"""Tree-walking evaluator for checked expression/script ASTs, with run-time limits.

Only ASTs that passed :mod:`engine.expressions.checker` reach this module. Nothing here calls
``eval``/``exec``/``compile``; each AST node is interpreted by a small function. Every visited node
costs one step; the thread's CPU clock is consulted every 64 steps. Sizes are checked *before* the
operation that would create a large value (``'a' * 10**9``, ``[0] * 10**8``, ``9 ** 9 ** 9``), and
again on the result.
"""

from __future__ import annotations

import ast
import inspect
import operator
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from .checker import _FORMAT_SPEC, ALLOWED_BINOPS, EXPRESSION, SCRIPT, analyse, problems_of
from .errors import (
    ExpressionError,
    ExpressionLimitExceeded,
    ExpressionNameError,
    ExpressionRefused,
    ExpressionSyntaxError,
)
from .helpers import HELPERS
from .limits import DEFAULT_LIMITS, Limits, cpu_clock, current_limits
from .values import (
    CONTAINER_TYPES,
    NUMBER_TYPES,
    check_decimal_expansion,
    check_scalar,
    check_text_size,
    measure,
    require_value,
    type_name,
)

_TIME_CHECK_MASK = 63

_BINOP_FUNCS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMP_FUNCS: dict[type[ast.cmpop], tuple[Callable[[Any, Any], bool], str]] = {
    ast.Eq: (operator.eq, "=="),
    ast.NotEq: (operator.ne, "!="),
    ast.Lt: (operator.lt, "<"),
    ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"),
    ast.GtE: (operator.ge, ">="),
    ast.In: (lambda a, b: a in b, "in"),
    ast.NotIn: (lambda a, b: a not in b, "not in"),
    ast.Is: (operator.is_, "is"),
    ast.IsNot: (operator.is_not, "is not"),
}
_SEQUENCES = (str, list, tuple)
_ITERATING_HELPERS = frozenset({"sum", "min", "max"})
_SIGNATURES = {name: inspect.signature(func) for name, func in HELPERS.items()}


def _checked_tree(source: str, mode: str, limits: Limits) -> ast.AST:
    analysis = analyse(source, mode, limits)
    if analysis.tree is not None:
        return analysis.tree
    if analysis.syntax is not None:
        message, lineno, offset = analysis.syntax
        raise ExpressionSyntaxError(problems_of(analysis)[0], source, lineno, offset)
    if analysis.too_long:
        raise ExpressionLimitExceeded(analysis.problems[0], source[:200])
    raise ExpressionRefused(analysis.problems, source)


def _truthy(value: Any) -> bool:
    require_value(value)
    return bool(value)


class _Run:
    """State of one evaluation: the scope, the step counter and the deadline."""

    def __init__(
        self, source: str, scope: Mapping[str, Any], extra: Mapping[str, Any] | None, limits: Limits
    ) -> None:
        self.source = source
        self.scope = scope
        self.extra = extra or {}
        self.limits = limits
        self.steps = 0
        self.deadline = cpu_clock() + limits.max_seconds

    # --- bookkeeping ------------------------------------------------------------------------

    def tick(self, cost: int = 1) -> None:
        self.steps += cost
        if self.steps > self.limits.max_steps:
            raise ExpressionLimitExceeded(f"step limit exceeded ({self.limits.max_steps} steps)")
        if (self.steps & _TIME_CHECK_MASK) < cost and cpu_clock() > self.deadline:
            raise ExpressionLimitExceeded(f"time limit exceeded ({self.limits.max_seconds} s)")

    def measure(self, value: Any, **kwargs: Any) -> None:
        measure(value, self.limits, deadline=self.deadline, **kwargs)

    # --- expressions ------------------------------------------------------------------------

    def eval(self, node: ast.expr) -> Any:
        self.tick()
        return _EVAL[type(node)](self, node)

    def eval_Constant(self, node: ast.Constant) -> Any:
        return check_scalar(node.value, self.limits)

    def eval_Name(self, node: ast.Name) -> Any:
        return self.lookup(node.id)

    def lookup(self, name: str) -> Any:
        if name in self.scope:
            return self.scope[name]
        if name in self.extra:
            return self.extra[name]
        if name in HELPERS:  # the checker refuses bare helper names; defensive
            raise ExpressionError(f"helper function '{name}' can only be called, not used as a value")
        raise ExpressionNameError(name)

    def eval_List(self, node: ast.List) -> list[Any]:
        return [self.eval(element) for element in node.elts]

    def eval_Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.eval(element) for element in node.elts)

    def hashable(self, value: Any) -> Any:
        require_value(value)
        if isinstance(value, CONTAINER_TYPES):
            if not isinstance(value, tuple):
                raise ExpressionError(f"a {type_name(value)} cannot be used as a dict key or set member")
            self.measure(value)  # hashing walks the whole tuple
        return value

    def eval_Set(self, node: ast.Set) -> set[Any]:
        return {self.hashable(self.eval(element)) for element in node.elts}

    def eval_Dict(self, node: ast.Dict) -> dict[Any, Any]:
        result = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            key = self.hashable(self.eval(key_node))  # type: ignore[arg-type]
            result[key] = self.eval(value_node)
        return result

    def eval_IfExp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if _truthy(self.eval(node.test)) else self.eval(node.orelse)

    def eval_BoolOp(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for value_node in node.values:
            value = self.eval(value_node)
            if _truthy(value) != is_and:
                return value
        return value

    def eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not _truthy(operand)
        if not isinstance(operand, (*NUMBER_TYPES, timedelta)):
            sign = "-" if isinstance(node.op, ast.USub) else "+"
            raise ExpressionError(f"bad operand type for unary {sign}: '{type_name(operand)}'")
        return check_scalar(-operand if isinstance(node.op, ast.USub) else +operand, self.limits)

    def eval_BinOp(self, node: ast.BinOp) -> Any:
        return self.binop(type(node.op), self.eval(node.left), self.eval(node.right))

    def binop(self, op: type[ast.operator], left: Any, right: Any) -> Any:
        limits = self.limits
        symbol = ALLOWED_BINOPS[op]
        require_value(left, "operand")
        require_value(right, "operand")
        if op is ast.Add:
            if isinstance(left, str) and isinstance(right, str):
                if len(left) + len(right) > limits.max_string:
                    raise ExpressionLimitExceeded(
                        f"string result would be too long (limit {limits.max_string})"
                    )
            elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
                if len(left) + len(right) > limits.max_collection:
                    raise ExpressionLimitExceeded(
                        f"result would have too many items (limit {limits.max_collection})"
                    )
        elif op is ast.Mult:
            self.check_repeat(left, right)
        elif op is ast.Mod and isinstance(left, str):
            raise ExpressionError("string formatting with '%' is not allowed; use an f-string")
        elif op is ast.Pow:
            self.check_pow(left, right)
        try:
            result = _BINOP_FUNCS[op](left, right)
        except ZeroDivisionError:
            raise ExpressionError(f"division by zero in '{symbol}'") from None
        except OverflowError:
            raise ExpressionError(f"numeric overflow in '{symbol}'") from None
        except ArithmeticError:  # decimal.InvalidOperation and friends
            raise ExpressionError(f"invalid arithmetic in '{symbol}'") from None
        except TypeError:
            raise ExpressionError(
                f"unsupported operand types for {symbol}: '{type_name(left)}' and '{type_name(right)}'"
            ) from None
        except ValueError:
            raise ExpressionError(f"invalid operands for '{symbol}'") from None
        return check_scalar(result, limits)

    def check_repeat(self, left: Any, right: Any) -> None:
        if isinstance(left, _SEQUENCES) and isinstance(right, int):
            sequence, count = left, right
        elif isinstance(right, _SEQUENCES) and isinstance(left, int):
            sequence, count = right, left
        else:
            return
        size = len(sequence) * max(count, 0)
        limit = self.limits.max_string if isinstance(sequence, str) else self.limits.max_collection
        if size > limit:
            kind = "string" if isinstance(sequence, str) else type_name(sequence)
            raise ExpressionLimitExceeded(f"{kind} result would be too large ({size} > limit {limit})")

    def check_pow(self, base: Any, exponent: Any) -> None:
        if not isinstance(base, NUMBER_TYPES) or not isinstance(exponent, NUMBER_TYPES):
            raise ExpressionError(
                f"unsupported operand types for **: '{type_name(base)}' and '{type_name(exponent)}'"
            )
        limits = self.limits
        try:
            too_big = abs(exponent) > limits.max_pow_exponent
        except ArithmeticError:  # pragma: no cover - NaN decimals
            too_big = True
        if too_big:
            raise ExpressionLimitExceeded(f"exponent is too large (limit {limits.max_pow_exponent})")
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
            bits = abs(base).bit_length()
            # (bits - 1) * exponent + 1 is a lower bound of the result's bit length.
            if bits > 1 and (bits - 1) * exponent + 1 > limits.max_int_bits:
                raise ExpressionLimitExceeded(
                    f"integer result would be too large (more than {limits.max_int_bits} bits)"
                )

    def eval_Compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node)
            if not self.compare(type(op), left, right):
                return False
            left = right
        return True

    def compare(self, op: type[ast.cmpop], left: Any, right: Any) -> bool:
        func, symbol = _CMP_FUNCS[op]
        require_value(left, "operand")
        require_value(right, "operand")
        if op in (ast.In, ast.NotIn):
            if not isinstance(right, (str, *CONTAINER_TYPES)):
                raise ExpressionError(f"'{symbol}' needs a string, list, tuple, dict or set on the right")
            if isinstance(right, str) and not isinstance(left, str):
                raise ExpressionError(f"'{symbol} <string>' needs a string on the left")
            if isinstance(left, CONTAINER_TYPES):
                # Deep equality / hashing of nested values: bound their size first.
                self.measure(left)
                if isinstance(right, (list, tuple)):
                    self.measure(right)
        elif op not in (ast.Is, ast.IsNot) and isinstance(left, CONTAINER_TYPES) and isinstance(
            right, CONTAINER_TYPES
        ):
            self.measure(left)
            self.measure(right)
        try:
            return bool(func(left, right))
        except TypeError:
            raise ExpressionError(
                f"'{symbol}' is not supported between '{type_name(left)}' and '{type_name(right)}'"
            ) from None

    def eval_Subscript(self, node: ast.Subscript) -> Any:
        container = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            return self.get_slice(container, node.slice)
        return self.get_item(container, self.eval(node.slice), node.slice)

    def get_slice(self, container: Any, node: ast.Slice) -> Any:
        if not isinstance(container, _SEQUENCES):
            raise ExpressionError(f"slicing needs a list, tuple or string, not '{type_name(container)}'")
        bounds = []
        for part in (node.lower, node.upper, node.step):
            value = None if part is None else self.eval(part)
            if value is not None and not isinstance(value, int):
                raise ExpressionError(f"slice bounds must be integers or None, not '{type_name(value)}'")
            bounds.append(value)
        if bounds[2] == 0:
            raise ExpressionError("slice step cannot be zero")
        return container[slice(*bounds)]

    def get_item(self, container: Any, key: Any, key_node: ast.AST) -> Any:
        if isinstance(container, dict):
            try:
                return container[self.hashable(key)]
            except KeyError:
                raise ExpressionError(f"key {_describe_key(key_node)} not found") from None
        if isinstance(container, _SEQUENCES):
            if not isinstance(key, int):
                raise ExpressionError(
                    f"{type_name(container)} indices must be integers, not '{type_name(key)}'"
                )
            try:
                return container[key]
            except IndexError:
                raise ExpressionError(f"{type_name(container)} index out of range") from None
        raise ExpressionError(f"values of type '{type_name(container)}' cannot be subscripted")

    def eval_Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]  # the checker guarantees a helper name
        func = HELPERS[name]
        args = [self.eval(arg) for arg in node.args]
        kwargs = {keyword.arg: self.eval(keyword.value) for keyword in node.keywords}
        for value in (*args, *kwargs.values()):
            require_value(value, f"{name}() argument")
            if name in _ITERATING_HELPERS and isinstance(value, CONTAINER_TYPES):
                self.tick(1 + len(value) // 16)  # C-level iteration is much cheaper than a node
        try:
            _SIGNATURES[name].bind(*args, **kwargs)
        except TypeError as exc:
            raise ExpressionError(f"{name}(): {exc}") from None
        try:
            result = func(*args, **kwargs)
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise ExpressionError(f"{name}(): invalid argument ({type(exc).__name__})") from None
        return check_scalar(result, self.limits)

    def eval_JoinedStr(self, node: ast.JoinedStr) -> str:
        pieces: list[str] = []
        total = 0
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.tick()
                piece = self.format_value(part)
            else:
                piece = self.eval(part)
            total += len(piece)
            if total > self.limits.max_string:
                raise ExpressionLimitExceeded(
                    f"string result would be too long (limit {self.limits.max_string})"
                )
            pieces.append(piece)
        return "".join(pieces)

    def format_value(self, node: ast.FormattedValue) -> str:
        value = self.eval(node.value)
        require_value(value, "formatted value")
        check_text_size(value, self.limits, self.deadline)
        if node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = ""
        if node.format_spec is not None:
            spec = "".join(part.value for part in node.format_spec.values)  # type: ignore[attr-defined]
        if not spec:
            return str(value)
        check_decimal_expansion(value)
        if _FORMAT_SPEC.fullmatch(spec) is None and not isinstance(value, date):
            raise ExpressionError(f"format spec {spec!r} (strftime style) needs a date or datetime")
        try:
            return format(value, spec)
        except (TypeError, ValueError, OverflowError):
            raise ExpressionError(f"format spec {spec!r} cannot format a '{type_name(value)}'") from None

    # --- statements -------------------------------------------------------------------------

    def run_block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.tick()
            try:
                _EXEC[type(statement)](self, statement)
            except ExpressionError as exc:
                raise exc.with_prefix(f"line {statement.lineno}: ") from None

    def exec_Assign(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target, value)

    def exec_AugAssign(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            current = self.lookup(target.id)
            self.store_name(target.id, self.binop(type(node.op), current, self.eval(node.value)))
            return
        assert isinstance(target, ast.Subscript)  # noqa: S101 - guaranteed by the checker
        container = self.eval(target.value)
        key = self.eval(target.slice)
        current = self.get_item(container, key, target.slice)
        self.store_item(container, key, self.binop(type(node.op), current, self.eval(node.value)))

    def exec_If(self, node: ast.If) -> None:
        self.run_block(node.body if _truthy(self.eval(node.test)) else node.orelse)

    def exec_Pass(self, node: ast.Pass) -> None:
        return None

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.store_name(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (list, tuple)):
                raise ExpressionError(f"cannot unpack a '{type_name(value)}' into {len(target.elts)} names")
            if len(value) != len(target.elts):
                raise ExpressionError(f"cannot unpack {len(value)} values into {len(target.elts)} names")
            for element, item in zip(target.elts, value, strict=True):
                self.store_name(element.id, item)  # type: ignore[attr-defined]
        else:
            assert isinstance(target, ast.Subscript)  # noqa: S101 - guaranteed by the checker
            container = self.eval(target.value)
            self.store_item(container, self.eval(target.slice), value)

    def store_name(self, name: str, value: Any) -> None:
        if callable(value):
            raise ExpressionError(f"cannot assign a function to '{name}'")
        self.measure(value, assignable=True)
        self.scope[name] = value  # type: ignore[index]

    def store_item(self, container: Any, key: Any, value: Any) -> None:
        # Refuse values that contain the container itself: task data must stay a tree.
        self.measure(value, assignable=True, forbidden_ids=frozenset({id(container)}))
        if isinstance(container, dict):
            if not isinstance(key, str):
                raise ExpressionError(f"keys assigned in task data must be strings, not '{type_name(key)}'")
            if key not in container and len(container) >= self.limits.max_collection:
                raise ExpressionLimitExceeded(f"dict is too large (limit {self.limits.max_collection} items)")
            container[key] = value
        elif isinstance(container, list):
            if not isinstance(key, int):
                raise ExpressionError(f"list indices must be integers, not '{type_name(key)}'")
            try:
                container[key] = value
            except IndexError:
                raise ExpressionError("list assignment index out of range") from None
        else:
            raise ExpressionError(f"cannot assign items of a '{type_name(container)}'")


def _describe_key(node: ast.AST) -> str:
    # Only echo keys written in the source, never keys computed from (possibly personal) task data.
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and len(repr(node.value)) <= 60:
        return repr(node.value)
    return "(computed key)"


_EVAL: dict[type[ast.AST], Callable[[_Run, Any], Any]] = {
    getattr(ast, name[len("eval_"):]): func
    for name, func in vars(_Run).items()
    if name.startswith("eval_")
}
_EXEC: dict[type[ast.AST], Callable[[_Run, Any], None]] = {
    getattr(ast, name[len("exec_"):]): func
    for name, func in vars(_Run).items()
    if name.startswith("exec_")
}


def _finish(exc: ExpressionError, source: str) -> ExpressionError:
    if not exc.source:
        exc.source = source
    return exc


def evaluate(source: str, names: Mapping[str, Any], limits: Limits | None = None) -> Any:
    """Evaluate an expression against ``names`` (task data and context), then the helpers.

    Raises :class:`ExpressionSyntaxError`, :class:`ExpressionRefused`,
    :class:`ExpressionLimitExceeded` or another :class:`ExpressionError`.
    """
    limits = limits or DEFAULT_LIMITS
    tree = _checked_tree(source, EXPRESSION, limits)
    token = current_limits.set(limits)
    try:
        run = _Run(source, names, None, limits)
        result = run.eval(tree.body)  # type: ignore[attr-defined]
        run.measure(result)
        return result
    except ExpressionError as exc:
        raise _finish(exc, source) from None
    except RecursionError:  # pragma: no cover - prevented by the static depth limit
        raise ExpressionLimitExceeded("nesting is too deep", source) from None
    finally:
        current_limits.reset(token)


def execute(
    source: str,
    data: dict[str, Any],
    limits: Limits | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> None:
    """Run a script, storing its assignments into ``data``.

    ``context`` holds extra read-only names (looked up after ``data``). Like SpiffWorkflow's own
    script engine, assignments made before an error stay in ``data``.
    """
    limits = limits or DEFAULT_LIMITS
    tree = _checked_tree(source, SCRIPT, limits)
    token = current_limits.set(limits)
    try:
        _Run(source, data, context, limits).run_block(tree.body)  # type: ignore[attr-defined]
    except ExpressionError as exc:
        raise _finish(exc, source) from None
    except RecursionError:  # pragma: no cover - prevented by the static depth limit
        raise ExpressionLimitExceeded("nesting is too deep", source) from None
    finally:
        current_limits.reset(token)


def check_expression(source: str) -> list[str]:
    """Problems that would stop ``source`` being evaluated as an expression; empty if it is fine."""
    return problems_of(analyse(source, EXPRESSION))


def check_script(source: str) -> list[str]:
    """Problems that would stop ``source`` being executed as a script; empty if it is fine."""
    return problems_of(analyse(source, SCRIPT))


def parse_or_raise(source: str) -> None:
    """Raise :class:`ExpressionSyntaxError` if ``source`` is not a syntactically valid expression.

    Drop-in for ``PythonScriptEngine.validate``: SpiffWorkflow's DMN engine calls it to decide whether
    a cell such as ``> 1000`` needs the input expression prepended. Refused constructs do not raise
    here; they are reported by :func:`check_expression` and refused by :func:`evaluate`.
    """
    analysis = analyse(source, EXPRESSION)
    if analysis.syntax is not None:
        _, lineno, offset = analysis.syntax
        raise ExpressionSyntaxError(problems_of(analysis)[0], source, lineno, offset)


__all__ = [
    "check_expression",
    "check_script",
    "evaluate",
    "execute",
    "parse_or_raise",
]
