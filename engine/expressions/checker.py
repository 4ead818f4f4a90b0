"""Static AST whitelist for expressions and scripts.

The source is parsed with :func:`ast.parse` (never compiled to code) and every node is checked
against the whitelist described in :mod:`engine.expressions`. Each refusal is reported with its
location and the construct that caused it, e.g. ``line 1, column 3: attribute access ('.__class__')
is not allowed``. Results are cached per (source, mode, limits) because the same gateway conditions
and DMN cells are evaluated over and over.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from .helpers import HELPERS
from .limits import DEFAULT_LIMITS, Limits

EXPRESSION = "eval"
SCRIPT = "exec"

MAX_FORMAT_SPEC = 20
MAX_FORMAT_WIDTH = 200
MAX_FORMAT_PRECISION = 50

# Python's format-spec mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(
    r"(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?z?#?0?(?P<width>\d+)?[,_]?"
    r"(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?",
    re.DOTALL,
)

ALLOWED_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_REFUSED_BINOPS: dict[type[ast.operator], str] = {
    ast.LShift: "shift operator '<<'",
    ast.RShift: "shift operator '>>'",
    ast.BitAnd: "bitwise operator '&'",
    ast.BitOr: "bitwise operator '|'",
    ast.BitXor: "bitwise operator '^'",
    ast.MatMult: "matrix multiplication operator '@'",
}
ALLOWED_CMPOPS = (
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)

# Statements and expressions we refuse, with the words used in the refusal.
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "list comprehensions are not allowed",
    ast.SetComp: "set comprehensions are not allowed",
    ast.DictComp: "dict comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.NamedExpr: "assignment expressions (walrus ':=') are not allowed",
    ast.Starred: "starred expressions ('*x') are not allowed",
    ast.Await: "await expressions are not allowed",
    ast.Yield: "yield expressions are not allowed",
    ast.YieldFrom: "yield from expressions are not allowed",
    ast.For: "for loops are not allowed",
    ast.AsyncFor: "for loops are not allowed",
    ast.While: "while loops are not allowed",
    ast.FunctionDef: "function definitions (def) are not allowed",
    ast.AsyncFunctionDef: "function definitions (def) are not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.Import: "import statements are not allowed",
    ast.ImportFrom: "import statements are not allowed",
    ast.With: "with statements are not allowed",
    ast.AsyncWith: "with statements are not allowed",
    ast.Try: "try statements are not allowed",
    ast.Delete: "del statements are not allowed",
    ast.Global: "global statements are not allowed",
    ast.Nonlocal: "nonlocal statements are not allowed",
    ast.Return: "return statements are not allowed",
    ast.Raise: "raise statements are not allowed",
    ast.Assert: "assert statements are not allowed",
    ast.AnnAssign: "annotated assignments are not allowed",
    ast.Match: "match statements are not allowed",
    ast.Expr: "expression statements are not allowed (assign the value to a variable instead)",
    ast.Break: "break statements are not allowed",
    ast.Continue: "continue statements are not allowed",
}
if hasattr(ast, "TryStar"):  # Python 3.11+
    _REFUSED_NODES[ast.TryStar] = "try statements are not allowed"

# Nodes that carry no nesting of their own (operators, load/store markers).
_FLAT_NODES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@dataclass(frozen=True)
class Analysis:
    """Outcome of the static check. Exactly one of ``tree``, ``syntax`` or ``problems`` is set."""

    source: str
    tree: ast.AST | None = None
    problems: tuple[str, ...] = ()
    syntax: tuple[str, int | None, int | None] | None = None  # (message, lineno, offset)
    too_long: bool = False


def normalise(source: str, mode: str) -> str:
    """Expressions are stripped (like ``eval``); scripts are dedented (BPMN XML indentation)."""
    if mode == EXPRESSION:
        return source.strip()
    return textwrap.dedent(source).strip("\n")


def analyse(source: str, mode: str, limits: Limits = DEFAULT_LIMITS) -> Analysis:
    """Parse and check ``source``; cached."""
    if not isinstance(source, str):
        return Analysis(source="", problems=(f"source must be a string, not {type(source).__name__}",))
    if len(source) > limits.max_source:
        # Checked before the cache so huge strings are never kept as cache keys.
        return Analysis(
            source="",
            problems=(f"source is too long ({len(source)} characters, limit {limits.max_source})",),
            too_long=True,
        )
    return _analyse_cached(source, mode, limits.max_depth)


@lru_cache(maxsize=4096)
def _analyse_cached(source: str, mode: str, max_depth: int) -> Analysis:
    text = normalise(source, mode)
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if "too many nested" in message:
            return Analysis(source, problems=(f"nesting is too deep (limit {max_depth} levels)",))
        return Analysis(source, syntax=(message, exc.lineno, exc.offset))
    except (RecursionError, MemoryError):
        # CPython's parser signals pathological nesting this way (e.g. 10 000 unary minus signs).
        return Analysis(source, problems=(f"nesting is too deep (limit {max_depth} levels)",))
    except ValueError as exc:  # e.g. NUL bytes on some Python versions
        return Analysis(source, syntax=(str(exc), None, None))

    depth = _depth(tree)
    if depth > max_depth:
        return Analysis(source, problems=(f"nesting is too deep ({depth} levels, limit {max_depth})",))
    checker = _Checker(mode)
    checker.check_root(tree)
    if checker.problems:
        return Analysis(source, problems=tuple(checker.problems))
    return Analysis(source, tree=tree)


def _depth(tree: ast.AST) -> int:
    """Maximum nesting depth, computed iteratively so it cannot itself recurse too deeply."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _FLAT_NODES):
            continue
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
    return deepest


def _where(node: ast.AST) -> str:
    lineno = getattr(node, "lineno", None)
    if lineno is None:
        return ""
    return f"line {lineno}, column {getattr(node, 'col_offset', 0) + 1}: "


def _is_singleton_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool))


def check_format_spec(spec: str) -> str | None:
    """Return a problem with a constant f-string format spec, or None if it is acceptable."""
    if len(spec) > MAX_FORMAT_SPEC:
        return f"format spec {spec!r} is too long (limit {MAX_FORMAT_SPEC} characters)"
    match = _FORMAT_SPEC.fullmatch(spec)
    if match is None:
        if "%" in spec:
            return None  # strftime-style spec for dates, checked at run time
        return f"format spec {spec!r} is not valid"
    width, precision = match.group("width"), match.group("precision")
    if width is not None and int(width) > MAX_FORMAT_WIDTH:
        return f"format width {width} is too large (limit {MAX_FORMAT_WIDTH})"
    if precision is not None and int(precision) > MAX_FORMAT_PRECISION:
        return f"format precision {precision} is too large (limit {MAX_FORMAT_PRECISION})"
    return None


class _Checker:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.problems: list[str] = []

    def refuse(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"{_where(node)}{what}")

    def check_root(self, tree: ast.AST) -> None:
        if isinstance(tree, ast.Expression):
            self.expr(tree.body)
        elif isinstance(tree, ast.Module):
            self.statements(tree.body)
        else:  # pragma: no cover - ast.parse only returns the two above for our modes
            self.refuse(tree, f"unexpected {type(tree).__name__}")

    # --- statements -------------------------------------------------------------------------

    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target, allow_tuple=True)
            self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            self.target(node.target, allow_tuple=False)
            self.binop_kind(node, node.op)
            self.expr(node.value)
        elif isinstance(node, ast.If):
            self.expr(node.test)
            self.statements(node.body)
            self.statements(node.orelse)
        elif isinstance(node, ast.Pass):
            pass
        else:
            default = f"{type(node).__name__} statements are not allowed"
            self.refuse(node, _REFUSED_NODES.get(type(node), default))

    def target(self, node: ast.expr, *, allow_tuple: bool) -> None:
        if isinstance(node, ast.Name):
            self.store_name(node)
        elif isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                self.refuse(node, "slice assignment is not allowed")
            else:
                self.expr(node.slice)
            root = node.value
            while isinstance(root, ast.Subscript):
                self.expr(root.slice)
                root = root.value
            if isinstance(root, ast.Name):
                self.load_name(root)
            else:
                self.refuse(node, "assignment targets must be a name or name[key]...[key]")
                self.expr(root)
        elif isinstance(node, (ast.Tuple, ast.List)) and allow_tuple:
            for element in node.elts:
                if isinstance(element, ast.Name):
                    self.store_name(element)
                else:
                    self.refuse(element, "tuple unpacking may only assign to plain names")
        elif isinstance(node, ast.Attribute):
            self.refuse(node, f"attribute access ('.{node.attr}') is not allowed")
        else:
            self.refuse(node, f"cannot assign to {type(node).__name__}")

    def store_name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            self.refuse(node, f"names starting with '_' are not allowed ('{node.id}')")
        elif node.id in HELPERS:
            self.refuse(node, f"cannot assign to helper function name '{node.id}'")

    # --- expressions ------------------------------------------------------------------------

    def load_name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            self.refuse(node, f"names starting with '_' are not allowed ('{node.id}')")
        elif node.id in HELPERS:
            self.refuse(node, f"helper function '{node.id}' can only be called, not used as a value")

    def binop_kind(self, node: ast.AST, op: ast.operator) -> None:
        if type(op) not in ALLOWED_BINOPS:
            what = _REFUSED_BINOPS.get(type(op), type(op).__name__)
            self.refuse(node, f"{what} is not allowed")

    def expr(self, node: ast.expr) -> None:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is not None:
            method(node)
            return
        if isinstance(node, ast.Attribute):
            self.refuse(node, f"attribute access ('.{node.attr}') is not allowed")
            self.expr(node.value)
            return
        default = f"{type(node).__name__} expressions are not allowed"
        self.refuse(node, _REFUSED_NODES.get(type(node), default))

    def expr_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            return
        self.refuse(node, f"{type(value).__name__} constants are not allowed")

    def expr_Name(self, node: ast.Name) -> None:
        self.load_name(node)

    def expr_List(self, node: ast.List) -> None:
        for element in node.elts:
            self.expr(element)

    expr_Tuple = expr_List
    expr_Set = expr_List

    def expr_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                self.refuse(value, "dict unpacking ('**') is not allowed")
            else:
                self.expr(key)
            self.expr(value)

    def expr_Subscript(self, node: ast.Subscript) -> None:
        self.expr(node.value)
        if isinstance(node.slice, ast.Slice):
            for part in (node.slice.lower, node.slice.upper, node.slice.step):
                if part is not None:
                    self.expr(part)
        else:
            self.expr(node.slice)

    def expr_BinOp(self, node: ast.BinOp) -> None:
        self.binop_kind(node, node.op)
        self.expr(node.left)
        self.expr(node.right)

    def expr_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Invert):
            self.refuse(node, "bitwise operator '~' is not allowed")
        self.expr(node.operand)

    def expr_BoolOp(self, node: ast.BoolOp) -> None:
        for value in node.values:
            self.expr(value)

    def expr_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            if not isinstance(op, ALLOWED_CMPOPS):
                self.refuse(node, f"comparison {type(op).__name__} is not allowed")
            if isinstance(op, (ast.Is, ast.IsNot)) and not (
                _is_singleton_constant(operands[index]) or _is_singleton_constant(operands[index + 1])
            ):
                self.refuse(node, "'is' / 'is not' may only compare with None, True or False")
        for operand in operands:
            self.expr(operand)

    def expr_IfExp(self, node: ast.IfExp) -> None:
        self.expr(node.test)
        self.expr(node.body)
        self.expr(node.orelse)

    def expr_JoinedStr(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.formatted_value(value)
            else:
                self.expr(value)

    def formatted_value(self, node: ast.FormattedValue) -> None:
        self.expr(node.value)
        spec = node.format_spec
        if spec is None:
            return
        if not (
            isinstance(spec, ast.JoinedStr)
            and all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in spec.values)
        ):
            self.refuse(node, "f-string format specs must be constant (no '{...}' inside the spec)")
            return
        problem = check_format_spec("".join(part.value for part in spec.values))  # type: ignore[attr-defined]
        if problem:
            self.refuse(node, problem)

    def expr_FormattedValue(self, node: ast.FormattedValue) -> None:  # pragma: no cover - via JoinedStr
        self.formatted_value(node)

    def expr_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in HELPERS:
            pass
        elif isinstance(func, ast.Name):
            self.refuse(
                node,
                f"call of '{func.id}' is not allowed: only helper functions may be called "
                f"(see engine.expressions.HELPERS)",
            )
        else:
            self.refuse(node, "only helper functions may be called, by their plain name")
            self.expr(func)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.refuse(arg, "starred arguments ('*args') are not allowed")
                self.expr(arg.value)
            else:
                self.expr(arg)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.refuse(keyword.value, "keyword unpacking ('**kwargs') is not allowed")
            elif keyword.arg.startswith("_"):
                self.refuse(keyword.value, f"names starting with '_' are not allowed ('{keyword.arg}')")
            self.expr(keyword.value)


def problems_of(analysis: Analysis) -> list[str]:
    """The problems of an analysis as a flat list (syntax errors included)."""
    if analysis.syntax is not None:
        message, lineno, offset = analysis.syntax
        where = f"line {lineno}, column {offset}: " if lineno is not None else ""
        return [f"{where}syntax error: {message}"]
    return list(analysis.problems)
