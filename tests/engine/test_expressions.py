"""Tests for engine.expressions: the static whitelist, the interpreter limits and the helpers.

Python's ``eval`` appears here only as a test oracle for the property test.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from engine.expressions import (
    HELPERS,
    ExpressionError,
    ExpressionLimitExceeded,
    ExpressionNameError,
    ExpressionRefused,
    ExpressionSyntaxError,
    Limits,
    check_expression,
    check_script,
    evaluate,
    execute,
    parse_or_raise,
)
from engine.expressions.values import measure

NAMES = {"x": 5, "y": [1, 2, 3], "d": {"k": "v"}, "random": 1, "range": 1}


def assert_refused(source, fragment, *, script=False):
    """Refused statically (check_* names the construct) and at run time (ExpressionRefused)."""
    problems = check_script(source) if script else check_expression(source)
    assert any(fragment in problem for problem in problems), problems
    with pytest.raises(ExpressionRefused) as info:
        if script:
            execute(source, dict(NAMES))
        else:
            evaluate(source, NAMES)
    assert fragment in info.value.reason
    assert info.value.source == source
    assert info.value.problems == problems


# --- the error hierarchy ------------------------------------------------------------------------


class TestErrors:
    def test_hierarchy(self):
        assert issubclass(ExpressionError, ValueError)
        for cls in (ExpressionSyntaxError, ExpressionRefused, ExpressionLimitExceeded, ExpressionNameError):
            assert issubclass(cls, ExpressionError)
        assert issubclass(ExpressionSyntaxError, SyntaxError)
        assert issubclass(ExpressionNameError, NameError)

    def test_reason_and_source(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("1 / 0", {})
        assert "division by zero" in info.value.reason
        assert info.value.source == "1 / 0"
        assert str(info.value) == info.value.reason


# --- escapes: refused statically ----------------------------------------------------------------


class TestEscapesRefused:
    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("random._os.getpid()", "attribute access ('._os')"),
            ("random._os.getpid()", "attribute access ('.getpid')"),
            ("().__class__.__base__.__subclasses__()", "attribute access ('.__class__')"),
            ("().__class__.__base__.__subclasses__()", "attribute access ('.__subclasses__')"),
            ("__import__('os')", "call of '__import__' is not allowed"),
            ("[].__class__", "attribute access ('.__class__')"),
            ("getattr(x, 'y')", "call of 'getattr' is not allowed"),
            ("open('/etc/passwd')", "call of 'open' is not allowed"),
            ("eval('1')", "call of 'eval' is not allowed"),
            ("exec('x=1')", "call of 'exec' is not allowed"),
            ("globals()", "call of 'globals' is not allowed"),
            ("type(x)", "call of 'type' is not allowed"),
            ("(lambda: 1)()", "lambda functions are not allowed"),
            ("[x for x in range(10**9)]", "list comprehensions are not allowed"),
            ("{k: v for k, v in d}", "dict comprehensions are not allowed"),
            ("{v for v in y}", "set comprehensions are not allowed"),
            ("sum(v for v in y)", "generator expressions are not allowed"),
            ("(z := 1)", "walrus"),
            ("__builtins__", "names starting with '_' are not allowed ('__builtins__')"),
            ("x._private", "attribute access ('._private')"),
            ('f"{x.__class__}"', "attribute access ('.__class__')"),
            ("d.get('k')", "attribute access ('.get')"),
            ("_secret + 1", "names starting with '_'"),
            ("[*y]", "starred expressions"),
            ("len(*y)", "starred arguments"),
            ("len(**d)", "keyword unpacking"),
            ("{**d}", "dict unpacking"),
            ("len", "helper function 'len' can only be called"),
            ("1 << 2", "shift operator '<<'"),
            ("1 >> 2", "shift operator '>>'"),
            ("1 & 2", "bitwise operator '&'"),
            ("1 | 2", "bitwise operator '|'"),
            ("1 ^ 2", "bitwise operator '^'"),
            ("~1", "bitwise operator '~'"),
            ("x is y", "'is' / 'is not' may only compare with None, True or False"),
            ("b'x'", "bytes constants"),
            ("1j", "complex constants"),
            ("...", "ellipsis constants"),
            ('f"{x:{y}}"', "format specs must be constant"),
            ("await x", "await expressions"),
            ("(yield)", "yield expressions"),
        ],
    )
    def test_expression_refused(self, source, fragment):
        assert_refused(source, fragment)

    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("for i in y:\n    pass", "for loops are not allowed"),
            ("while True:\n    pass", "while loops are not allowed"),
            ("def f():\n    pass", "function definitions"),
            ("class A:\n    pass", "class definitions"),
            ("import os", "import statements"),
            ("from os import system", "import statements"),
            ("with x:\n    pass", "with statements"),
            ("try:\n    pass\nexcept Exception:\n    pass", "try statements"),
            ("del x", "del statements"),
            ("global x", "global statements"),
            ("return 1", "return statements"),
            ("raise ValueError()", "raise statements"),
            ("assert x", "assert statements"),
            ("len(y)", "expression statements are not allowed"),
            ("x: int = 1", "annotated assignments"),
            ("len = 1", "cannot assign to helper function name 'len'"),
            ("_x = 1", "names starting with '_'"),
            ("x.y = 1", "attribute access ('.y')"),
            ("y[0:1] = []", "slice assignment"),
            ("a, d['k'] = 1, 2", "tuple unpacking may only assign to plain names"),
            ("f = len", "helper function 'len' can only be called"),
            ("if x:\n    import os", "import statements"),
            ("x = __import__('os')", "call of '__import__'"),
        ],
    )
    def test_script_refused(self, source, fragment):
        assert_refused(source, fragment, script=True)

    def test_every_problem_is_reported(self):
        problems = check_expression("a.b + c.d + (lambda: 1)")
        assert len(problems) == 3
        assert all(problem.startswith("line 1, column ") for problem in problems)

    def test_allowed_sources_have_no_problems(self):
        assert check_expression("amount > 1000 and kind in ['a', 'b']") == []
        assert check_script("a = 1\nif a:\n    b = a + 1\nelse:\n    pass") == []
        assert check_script("") == []


# --- syntax errors and parse_or_raise (DMN plug-compatibility) ----------------------------------


class FakeScriptEngine:
    """The subset of PythonScriptEngine that SpiffWorkflow's DMN engine calls."""

    def validate(self, expression):
        parse_or_raise(expression)

    def evaluate(self, task, expression, external_context=None):
        return evaluate(expression, {**task.data, **(external_context or {})})


class TestSyntaxAndDmn:
    def test_syntax_error_is_a_problem_not_an_exception(self):
        problems = check_expression("> 1000")
        assert len(problems) == 1
        assert "syntax error" in problems[0]

    def test_parse_or_raise_raises_syntax_error(self):
        with pytest.raises(ExpressionSyntaxError) as info:
            parse_or_raise("> 1000")
        assert isinstance(info.value, SyntaxError)
        assert info.value.lineno == 1

    def test_parse_or_raise_accepts_valid_and_ignores_refusals(self):
        assert parse_or_raise('"A"') is None
        assert parse_or_raise("v > 1000") is None
        assert parse_or_raise("x.__class__") is None  # refused by evaluate, but it parses

    def test_evaluate_raises_syntax_error(self):
        with pytest.raises(ExpressionSyntaxError):
            evaluate("1 +", {})

    def test_script_syntax_error(self):
        assert "syntax error" in check_script("a = ")[0]
        with pytest.raises(ExpressionSyntaxError):
            execute("a = ", {})

    def test_needs_eq_uses_syntax_error(self):
        engine = FakeScriptEngine()
        assert DMNEngine.needs_eq(None, engine, '"A"') is True
        assert DMNEngine.needs_eq(None, engine, "> 1000") is False

    @pytest.mark.parametrize(
        ("input_expr", "match_expr", "data", "expected"),
        [
            ("amount", '"A"', {"amount": "A"}, True),
            ("amount", '"A"', {"amount": "B"}, False),
            ("amount", "> 1000", {"amount": 1500}, True),
            ("amount", "> 1000", {"amount": 500}, False),
            ("amount", "4 < ? < 6", {"amount": 5}, True),
            ("amount", "4 < ? < 6", {"amount": 6}, False),
            ("amount", "? in ['a', 'b']", {"amount": "a"}, True),
            ("amount", None, {"amount": 1}, True),
        ],
    )
    def test_dmn_engine_evaluate(self, input_expr, match_expr, data, expected):
        dmn = DMNEngine.__new__(DMNEngine)
        task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=FakeScriptEngine()))
        assert dmn.evaluate(input_expr, match_expr, task) is expected

    @pytest.mark.parametrize(
        ("source", "names", "expected"),
        [
            ('(amount) == ("A")', {"amount": "A"}, True),
            ("amount > 1000", {"amount": 1000}, False),
            ('amount in ["a","b"]', {"amount": "b"}, True),
            ("4 < dmninputexpr < 6", {"dmninputexpr": 5}, True),
            ("4 < dmninputexpr < 6", {"dmninputexpr": 4}, False),
        ],
    )
    def test_dmn_shaped_expressions(self, source, names, expected):
        assert evaluate(source, names) is expected


# --- resource limits ----------------------------------------------------------------------------


def fast(func, *args, **kwargs):
    """Run ``func``; a limit it hits must be a size bound checked up front, not the time budget
    (which would mean the work ran until the clock stopped it)."""
    try:
        return func(*args, **kwargs)
    except ExpressionLimitExceeded as exc:
        assert "time limit" not in exc.reason
        raise


class TestResourceLimits:
    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("9**9**9", "exponent is too large"),
            ("2**100000", "exponent is too large"),
            ("2**1001", "exponent is too large"),
            ("(2**1000) ** 5", "integer result would be too large"),
            ("(3**1000) ** 3", "integer result would be too large"),
            ("(2**1000) ** 4 * 2**1000", "integer result is too large"),
            ("(2**1000) ** 4 + (2**1000) ** 4 * 2**96", "integer result is too large"),
            ("'a' * 10**9", "string result would be too large"),
            ("10**9 * 'a'", "string result would be too large"),
            ("[0] * 10**8", "list result would be too large"),
            ("(0,) * 10**8", "tuple result would be too large"),
            ("'ab' * 60000", "string result would be too large"),
        ],
    )
    def test_size_bombs(self, source, fragment):
        with pytest.raises(ExpressionLimitExceeded) as info:
            fast(evaluate, source, {})
        assert fragment in info.value.reason

    def test_just_within_limits(self):
        assert len(evaluate("'ab' * 50000", {})) == 100_000
        assert len(evaluate("[0] * 10000", {})) == 10_000
        assert evaluate("(2**1000) ** 4 * 2**95", {}) == 2**4095
        assert evaluate("(3**1000) ** 2", {}) == 3**2000
        assert evaluate("'ab' * -5", {}) == ""

    def test_string_concatenation_limit(self):
        with pytest.raises(ExpressionLimitExceeded):
            evaluate("s + s", {"s": "a" * 60_000})

    def test_list_growth_in_script_within_limit(self):
        data = {}
        execute("l = [0]\n" + "l = l + l\n" * 13, data)
        assert len(data["l"]) == 8192

    def test_list_growth_in_script_over_limit(self):
        data = {}
        with pytest.raises(ExpressionLimitExceeded) as info:
            fast(execute, "l = [0]\n" + "l = l + l\n" * 14, data)
        assert "line 15" in info.value.reason
        assert "too many items" in info.value.reason
        assert len(data["l"]) == 8192  # earlier assignments stay, like SpiffWorkflow's exec

    def test_shared_structure_growth_in_script(self):
        # Each statement doubles the tree size while memory stays tiny; the assignment is refused.
        with pytest.raises(ExpressionLimitExceeded) as info:
            fast(execute, "x = [1]\n" + "x = [x, x]\n" * 40, {})
        assert "value is too large" in info.value.reason

    def test_shared_structure_is_sized_as_a_tree(self):
        def tree_size(value):
            if isinstance(value, list):
                nodes, chars = 1, 2 + 2 * len(value)
                for sub in value:
                    sub_nodes, sub_chars = tree_size(sub)
                    nodes, chars = nodes + sub_nodes, chars + sub_chars
                return nodes, chars
            return 1, len(str(value)) + 2

        x = ["ab"]
        for _ in range(12):
            x = [x, x, "c"]
        size = measure(x, Limits())
        assert (size.nodes, size.chars) == tree_size(x)
        with pytest.raises(ExpressionLimitExceeded, match="more than 10000 elements"):
            measure(x, Limits(max_data_nodes=10_000))
        with pytest.raises(ExpressionLimitExceeded, match="nested too deeply"):
            measure([[x]], Limits(max_data_depth=13))
        assert measure([x], Limits(max_data_depth=14)).nodes == size.nodes + 1

    def test_shared_structure_comparison(self):
        a, b = [1], [1]
        for _ in range(40):
            a, b = [a, a], [b, b]
        with pytest.raises(ExpressionLimitExceeded):
            fast(evaluate, "a == b", {"a": a, "b": b})
        with pytest.raises(ExpressionLimitExceeded):
            fast(evaluate, "a in [b]", {"a": a, "b": b})

    def test_str_of_shared_structure(self):
        with pytest.raises(ExpressionLimitExceeded) as info:
            fast(evaluate, "str([s] * 10000)", {"s": "x" * 100})
        assert "too long" in info.value.reason

    def test_deep_data_refused_on_assignment(self):
        with pytest.raises(ExpressionLimitExceeded) as info:
            execute("x = []\n" + "x = [x]\n" * 40, {})
        assert "nested too deeply" in info.value.reason

    @pytest.mark.parametrize(
        "source",
        [
            "(" * 10_000 + "1" + ")" * 10_000,
            "[" * 10_000 + "]" * 10_000,
            "-" * 10_000 + "1",
            "not " * 5_000 + "x",
            "+".join(["1"] * 10_000),
            "x" + "[0]" * 10_000,
        ],
    )
    def test_deep_nesting_is_refused_without_recursion_error(self, source):
        limits = Limits(max_source=1_000_000)
        with pytest.raises(ExpressionRefused) as info:
            evaluate(source, {"x": 1}, limits)
        assert "nesting is too deep" in info.value.reason

    def test_nesting_at_the_limit(self):
        assert evaluate("(" * 40 + "[1]" + ")" * 40, {}) == [1]
        assert "nesting is too deep" in check_expression("[" * 60 + "]" * 60)[0]

    def test_huge_source_is_refused(self):
        source = "1 + " * 10_000 + "1"
        assert "source is too long" in check_expression(source)[0]
        with pytest.raises(ExpressionLimitExceeded) as info:
            evaluate(source, {})
        assert "source is too long" in info.value.reason

    def test_many_statements_hit_max_steps(self):
        script = "a = 0\n" + "a = a + 1\n" * 6_000  # 4 steps per statement
        with pytest.raises(ExpressionLimitExceeded) as info:
            execute(script, {}, Limits(max_source=1_000_000))
        assert "step limit exceeded" in info.value.reason

    def test_steps_are_counted_per_node(self):
        with pytest.raises(ExpressionLimitExceeded) as info:
            evaluate("1 + 2 + 3 + 4", {}, Limits(max_steps=5))
        assert "step limit" in info.value.reason
        assert evaluate("1 + 2 + 3 + 4", {}, Limits(max_steps=7)) == 10

    def test_time_limit(self):
        with pytest.raises(ExpressionLimitExceeded) as info:
            evaluate("[" + ", ".join(["x"] * 100) + "]", {"x": 1}, Limits(max_seconds=0))
        assert "time limit exceeded" in info.value.reason

    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ('f"{x:>999999999}"', "format width 999999999 is too large"),
            ('f"{x:0999999999}"', "format width 999999999 is too large"),
            ('f"{x:.999999999f}"', "format precision 999999999 is too large"),
            ('f"{x:' + "<" * 30 + '}"', "is too long"),
        ],
    )
    def test_fstring_width_bomb(self, source, fragment):
        assert_refused(source, fragment)

    def test_fstring_result_size(self):
        with pytest.raises(ExpressionLimitExceeded):
            fast(evaluate, 'f"{s}{s}"', {"s": "a" * 60_000})

    def test_fstring_decimal_expansion(self):
        with pytest.raises(ExpressionLimitExceeded):
            fast(evaluate, 'f"{d:f}"', {"d": Decimal("1e999999")})

    def test_int_of_huge_decimal(self):
        with pytest.raises(ExpressionLimitExceeded):
            fast(evaluate, "int(d)", {"d": Decimal("1e999999")})

    def test_result_string_too_long(self):
        with pytest.raises(ExpressionLimitExceeded):
            evaluate("s", {"s": "a" * 200_000})


class TestArithmeticErrors:
    @pytest.mark.parametrize("source", ["1 / 0", "1 // 0", "1 % 0", "1.0 / 0", "0 ** -1"])
    def test_division_by_zero(self, source):
        with pytest.raises(ExpressionError) as info:
            evaluate(source, {})
        assert "division by zero" in info.value.reason
        assert not isinstance(info.value, ZeroDivisionError)

    @pytest.mark.parametrize("source", ["1e308 * 10", "10.0 ** 400", "10**400 / 3", "float(10**400)"])
    def test_float_overflow(self, source):
        with pytest.raises(ExpressionError) as info:
            evaluate(source, {})
        assert "overflow" in info.value.reason or "too large" in info.value.reason

    def test_complex_result(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("(-8) ** 0.5", {})
        assert "complex" in info.value.reason

    def test_percent_string_formatting_refused(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("'%s' % x", {"x": 1})
        assert "string formatting with '%'" in info.value.reason

    def test_type_errors(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("1 + 'a'", {})
        assert "unsupported operand types for +: 'int' and 'str'" in info.value.reason
        with pytest.raises(ExpressionError) as info:
            evaluate("1 < 'a'", {})
        assert "'<' is not supported between 'int' and 'str'" in info.value.reason

    def test_unsupported_values_from_names(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("f + 1", {"f": object()})
        assert "'object' is not supported" in info.value.reason


# --- correct evaluation -------------------------------------------------------------------------


DATA = {
    "amount": 1234.5,
    "count": 3,
    "name": "张三",
    "flag": True,
    "nothing": None,
    "items": [10, 20, 30],
    "applicant": {"age": 67, "members": [{"name": "a"}, {"name": "b"}], "city": "成都"},
}


class TestEvaluation:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("1 + 2 * 3", 7),
            ("(1 + 2) * 3", 9),
            ("7 / 2", 3.5),
            ("7 // 2", 3),
            ("-7 // 2", -4),
            ("7 % 3", 1),
            ("2 ** 10", 1024),
            ("2 ** -1", 0.5),
            ("-count", -3),
            ("+count", 3),
            ("not flag", False),
            ("amount * 2", 2469.0),
            ("1 < count < 5", True),
            ("1 < count < 2", False),
            ("count == 3 != 4", True),
            ("'yes' if amount > 1000 else 'no'", "yes"),
            ("'yes' if amount > 2000 else 'no'", "no"),
            ("applicant['age'] >= 60", True),
            ("applicant['members'][1]['name']", "b"),
            ("items[-1]", 30),
            ("items[1:]", [20, 30]),
            ("items[::-1]", [30, 20, 10]),
            ("items[0:count - 1]", [10, 20]),
            ("name[0]", "张"),
            ("20 in items", True),
            ("25 not in items", True),
            ("'age' in applicant", True),
            ("'成' in applicant['city']", True),
            ("nothing is None", True),
            ("flag is not None", True),
            ("flag is True", True),
            ("flag and count", 3),
            ("nothing or 'default'", "default"),
            ("count > 1 and amount > 1000 or False", True),
            ("[1, 2] + [3]", [1, 2, 3]),
            ("(1, 2)", (1, 2)),
            ("{'a': count}", {"a": 3}),
            ("{1, 2, 2}", {1, 2}),
            ("'ab' + 'cd'", "abcd"),
            ("'ab' * 2", "abab"),
            ("[0] * 3", [0, 0, 0]),
            ('f"{name}: {count} 人"', "张三: 3 人"),
            ('f"{amount:.2f}"', "1234.50"),
            ('f"{amount:,.1f}"', "1,234.5"),
            ('f"{count:>4}|"', "   3|"),
            ('f"{count:03d}"', "003"),
            ('f"{0.256:.1%}"', "25.6%"),
            ('f"{name!r}"', "'张三'"),
            ('f"{items}"', "[10, 20, 30]"),
            ("date(2025, 1, 2) < date(2025, 1, 3)", True),
            ("add_days(date(2025, 1, 31), 1) - date(2025, 1, 31)", timedelta(days=1)),
            ('f"{date(2025, 10, 1):%Y年%m月%d日}"', "2025年10月01日"),
        ],
    )
    def test_expression(self, source, expected):
        result = evaluate(source, DATA)
        assert result == expected
        assert type(result) is type(expected)

    def test_source_is_stripped(self):
        assert evaluate("\n    amount > 1000\n  ", DATA) is True

    def test_unknown_name(self):
        with pytest.raises(ExpressionNameError) as info:
            evaluate("missing + 1", DATA)
        assert info.value.reason == "name 'missing' is not defined"
        assert isinstance(info.value, NameError)

    def test_names_shadow_nothing_of_helpers_when_called(self):
        # Calls always resolve to helpers, never to a value from task data.
        assert evaluate("len(items)", {**DATA, "len": 99}) == 3

    def test_missing_key_reports_literal_key_only(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("applicant['income']", DATA)
        assert info.value.reason == "key 'income' not found"
        with pytest.raises(ExpressionError) as info:
            evaluate("applicant[name]", DATA)
        assert info.value.reason == "key (computed key) not found"
        assert "张三" not in info.value.reason

    def test_index_errors(self):
        with pytest.raises(ExpressionError, match="index out of range"):
            evaluate("items[10]", DATA)
        with pytest.raises(ExpressionError, match="indices must be integers"):
            evaluate("items['a']", DATA)
        with pytest.raises(ExpressionError, match="cannot be subscripted"):
            evaluate("count[0]", DATA)
        with pytest.raises(ExpressionError, match="slice step cannot be zero"):
            evaluate("items[::0]", DATA)

    def test_chained_comparison_short_circuits(self):
        # 'missing' is never evaluated because the first comparison is False.
        assert evaluate("5 < count < missing", DATA) is False

    def test_boolean_short_circuit(self):
        assert evaluate("False and missing", {}) is False
        assert evaluate("True or missing", {}) is True

    def test_conditional_evaluates_one_branch(self):
        assert evaluate("1 if True else missing", {}) == 1

    def test_cache_does_not_leak_between_names(self):
        assert evaluate("count * 2", {"count": 2}) == 4
        assert evaluate("count * 2", {"count": 5}) == 10


class TestScripts:
    def test_assignments(self):
        data = {"amount": 100}
        execute("total = amount * 2\nlabel = f'{total}元'", data)
        assert data == {"amount": 100, "total": 200, "label": "200元"}

    def test_subscript_assignment(self):
        data = {"a": {"x": {}}, "l": [1, 2]}
        execute('a["x"]["y"] = 1\nl[0] = "z"\na["new"] = [1]', data)
        assert data["a"] == {"x": {"y": 1}, "new": [1]}
        assert data["l"] == ["z", 2]

    @pytest.mark.parametrize(
        ("value", "expected"),
        [(1, "small"), (50, "medium"), (500, "large")],
    )
    def test_if_elif_else(self, value, expected):
        script = (
            "if v < 10:\n"
            "    size = 'small'\n"
            "elif v < 100:\n"
            "    size = 'medium'\n"
            "else:\n"
            "    size = 'large'\n"
        )
        data = {"v": value}
        execute(script, data)
        assert data["size"] == expected

    def test_augmented_assignment(self):
        data = {"n": 1, "d": {"k": 10}, "l": [1]}
        execute("n += 4\nn *= 3\nn -= 1\nn //= 2\nd['k'] += 5\nl += [2]\nn **= 2", data)
        assert data == {"n": 49, "d": {"k": 15}, "l": [1, 2]}

    def test_tuple_unpacking(self):
        data = {}
        execute("a, b = 1, 2\n[c, e] = [3, 4]\nf = g = 5", data)
        assert data == {"a": 1, "b": 2, "c": 3, "e": 4, "f": 5, "g": 5}

    def test_tuple_unpacking_mismatch(self):
        with pytest.raises(ExpressionError, match="cannot unpack 3 values into 2 names"):
            execute("a, b = 1, 2, 3", {})

    def test_indented_script_from_xml(self):
        data = {}
        execute("\n        a = 1\n        if a:\n            b = 2\n    ", data)
        assert data == {"a": 1, "b": 2}

    def test_pass_and_empty_script(self):
        data = {"a": 1}
        execute("pass", data)
        execute("", data)
        assert data == {"a": 1}

    def test_dates_and_decimals_are_assignable(self):
        data = {"price": Decimal("1.10")}
        execute("d = date(2025, 1, 1)\nt = add_days(d, 1) - d\np = price * 2", data)
        assert data["d"] == date(2025, 1, 1)
        assert data["t"] == timedelta(days=1)
        assert data["p"] == Decimal("2.20")

    def test_set_is_not_assignable(self):
        with pytest.raises(ExpressionError, match="'set' cannot be used in task data"):
            execute("s = {1, 2}", {})

    def test_non_string_dict_keys_are_not_assignable(self):
        with pytest.raises(ExpressionError, match="keys"):
            execute("d = {}\nd[1] = 2", {})
        with pytest.raises(ExpressionError, match="keys"):
            execute("d = {1: 2}", {})

    def test_cycles_are_refused(self):
        with pytest.raises(ExpressionError, match="contain itself"):
            execute("a = [1]\na[0] = a", {})
        with pytest.raises(ExpressionError, match="contain itself"):
            execute("a = {}\nb = [a]\na['b'] = b", {})

    def test_context_is_read_only_extra_names(self):
        data = {}
        execute("x = limit + 1", data, context={"limit": 9})
        assert data == {"x": 10}

    def test_error_mentions_line(self):
        with pytest.raises(ExpressionNameError) as info:
            execute("a = 1\nif a:\n    b = nope", {})
        assert info.value.reason == "line 3: name 'nope' is not defined"


# --- helpers ------------------------------------------------------------------------------------


class TestHelpers:
    def test_helper_set(self):
        assert set(HELPERS) == {
            "len", "sum", "min", "max", "abs", "round", "round_half_up", "floor", "ceil", "int", "float",
            "str", "bool", "get", "today", "now", "date", "parse_date", "days_between", "add_days",
            "add_months", "age_on", "is_working_day", "add_working_days", "working_days_between",
            "working_days", "duration_days",
        }

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("len(items)", 3),
            ("len('张三')", 2),
            ("len(applicant)", 3),
            ("sum(items)", 60),
            ("sum([0.5, 0.25], 1)", 1.75),
            ("min(items)", 10),
            ("max(3, 9, 4)", 9),
            ("min('b', 'a')", "a"),
            ("abs(-2.5)", 2.5),
            ("round(2.5)", 2),
            ("round(2.675, 2)", 2.67),
            ("round_half_up(2.675)", 2.68),
            ("round_half_up(2.5, 0)", 3.0),
            ("round_half_up(-2.5, 0)", -3.0),
            ("round_half_up(1234, 1)", 1234.0),
            ("floor(2.7)", 2),
            ("ceil(2.1)", 3),
            ("int('42')", 42),
            ("int(3.9)", 3),
            ("float('1.5')", 1.5),
            ("float(2)", 2.0),
            ("str(12)", "12"),
            ("str(date(2025, 1, 2))", "2025-01-02"),
            ("bool('')", False),
            ("bool(items)", True),
            ("get(applicant, 'age')", 67),
            ("get(applicant, 'income', 0)", 0),
            ("get(items, 5, 'none')", "none"),
            ("get(items, -1)", 30),
            ("date(2024, 2, 29)", date(2024, 2, 29)),
            ("parse_date('2025-10-01')", date(2025, 10, 1)),
            ("parse_date('2025-10-01T20:00:00+00:00')", date(2025, 10, 2)),
            ("parse_date('2025-10-01T20:00:00')", date(2025, 10, 1)),
            ("days_between('2025-01-01', '2025-03-01')", 59),
            ("days_between(date(2025, 3, 1), date(2025, 1, 1))", -59),
            ("add_days('2025-12-31', 1)", date(2026, 1, 1)),
            ("add_days(date(2025, 1, 1), -1)", date(2024, 12, 31)),
            ("add_months(date(2025, 1, 31), 1)", date(2025, 2, 28)),
            ("add_months(date(2024, 1, 31), 1)", date(2024, 2, 29)),
            ("add_months(date(2025, 11, 15), 3)", date(2026, 2, 15)),
            ("add_months(date(2025, 3, 31), -1)", date(2025, 2, 28)),
            ("age_on('1958-10-01', '2025-09-30')", 66),
            ("age_on('1958-10-01', '2025-10-01')", 67),
            ("age_on(date(2004, 2, 29), date(2022, 2, 28))", 17),
            ("age_on(date(2004, 2, 29), date(2022, 3, 1))", 18),
            ("is_working_day('2025-10-01')", False),
            ("is_working_day(date(2025, 9, 28))", True),
            ("add_working_days('2025-09-30', 1)", date(2025, 10, 9)),
            ("add_working_days(date(2025, 10, 1), 0)", date(2025, 10, 9)),
            ("add_working_days(date(2025, 10, 9), 0)", date(2025, 10, 9)),
            ("working_days_between('2025-09-30', '2025-10-10')", 2),
            ("duration_days(5)", "P5D"),
        ],
    )
    def test_helper(self, source, expected):
        result = evaluate(source, DATA)
        assert result == expected
        assert type(result) is type(expected)

    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("len(5)", "len(): needs a string"),
            ("len(items, 1)", "len(): too many positional arguments"),
            ("date(2025, 2, 30)", "date(): day is out of range"),
            ("date(2025, 13, 1)", "date(): month must be between 1 and 12"),
            ("date('2025', 1, 1)", "date(): year must be an integer"),
            ("add_working_days(date(2025, 1, 1), 5000)", "n must be between 0 and 3650"),
            ("add_working_days(date(2025, 1, 1), -1)", "n must be between 0 and 3650"),
            ("add_working_days(date(2025, 1, 1), 1.5)", "n must be an integer"),
            ("add_days('not a date', 1)", "add_days(): date is not an ISO date"),
            ("add_days(date(9999, 12, 31), 1)", "out of the supported date range"),
            ("add_months(date(2025, 1, 1), 99999)", "add_months(): n must be between"),
            ("working_days(-1)", "working_days(): n must be between 0 and 3650"),
            ("working_days_between('2000-01-01', '2100-01-01')", "more than 7305 days apart"),
            ("age_on('2025-01-02', '2025-01-01')", "on_date is before birth_date"),
            ("int('abc')", "int(): the string is not a whole number"),
            ("float('nan')", "float(): the result is not a finite number"),
            ("float('x')", "float(): the string is not a number"),
            ("sum(['a'])", "sum(): every item must be a number"),
            ("sum(5)", "sum(): needs a list"),
            ("min([])", "min(): the collection is empty"),
            ("max(1, 'a')", "max(): the values cannot be compared"),
            ("min([[1]])", "min(): cannot compare values of type list"),
            ("round(1.5, 100)", "round(): ndigits must be between"),
            ("round_half_up('1.5')", "round_half_up(): value must be a number"),
            ("get(5, 'k')", "get(): needs a dict"),
            ("duration_days(-1)", "duration_days(): n must be between"),
            ("today(1)", "today(): too many positional arguments"),
            ("date(year=2025, month=1)", "missing a required argument: 'day'"),
        ],
    )
    def test_helper_validation(self, source, fragment):
        with pytest.raises(ExpressionError) as info:
            evaluate(source, DATA)
        assert fragment in info.value.reason

    def test_helper_error_does_not_echo_personal_data(self):
        with pytest.raises(ExpressionError) as info:
            evaluate("int(id_number)", {"id_number": "11010519491231002X"})
        assert "11010519491231002X" not in info.value.reason

    def test_keyword_arguments(self):
        assert evaluate("round_half_up(2.345, ndigits=1)", {}) == 2.3
        assert evaluate("get(d, 'missing', default=7)", {"d": {}}) == 7
        assert evaluate("date(year=2025, month=1, day=2)", {}) == date(2025, 1, 2)

    def test_helpers_work_outside_evaluate(self):
        assert HELPERS["add_working_days"](date(2025, 9, 30), 1) == date(2025, 10, 9)
        assert HELPERS["duration_days"](2) == "P2D"


class TestClockHelpers:
    @freeze_time("2025-09-30 16:30:00")  # 00:30 on 2025-10-01 in Shanghai
    def test_today_is_shanghai_date(self):
        assert evaluate("today()", {}) == date(2025, 10, 1)

    @freeze_time("2025-09-30 16:30:00")
    def test_now_is_aware_utc(self):
        now = evaluate("now()", {})
        assert now == datetime(2025, 9, 30, 16, 30, tzinfo=UTC)
        assert now.utcoffset() == timedelta(0)

    @freeze_time("2025-09-30 16:30:00")
    def test_age_on_defaults_to_today(self):
        assert evaluate("age_on('1958-10-01')", {}) == 67

    @freeze_time("2025-09-26 02:00:00")  # Friday 10:00 in Shanghai
    @pytest.mark.parametrize(
        ("n", "expected"),
        [
            (0, "2025-09-26T15:59:59+00:00"),  # today is a working day
            (1, "2025-09-28T15:59:59+00:00"),  # make-up Sunday
            (2, "2025-09-29T15:59:59+00:00"),
            (3, "2025-09-30T15:59:59+00:00"),
            (4, "2025-10-09T15:59:59+00:00"),  # National Day holiday skipped
        ],
    )
    def test_working_days_timer_convention(self, n, expected):
        assert evaluate(f"working_days({n})", {}) == expected

    @freeze_time("2025-09-26 02:00:00")
    def test_working_days_round_trips_through_spiffworkflow(self):
        value = evaluate("working_days(4)", {})
        parsed = TimerEventDefinition.get_datetime(value)
        assert parsed == datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)
        assert TimerEventDefinition.parse_time_or_duration(value) == parsed
        # It is 23:59:59 on the due date in China.
        assert parsed.astimezone(datetime.fromisoformat("2025-01-01T00:00:00+08:00").tzinfo).hour == 23

    def test_duration_days_round_trips_through_spiffworkflow(self):
        assert TimerEventDefinition.parse_iso_duration(evaluate("duration_days(3)", {})) == {"days": 3}

    @freeze_time("2025-10-01 01:00:00")  # a holiday
    def test_working_days_zero_on_holiday(self):
        assert evaluate("working_days(0)", {}) == "2025-10-09T15:59:59+00:00"


# --- property test: agrees with Python on small integer arithmetic -------------------------------

_leaf = st.integers(min_value=-20, max_value=20).map(lambda n: f"({n})")


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "//", "%", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    power = st.tuples(children, st.integers(min_value=0, max_value=5)).map(lambda t: f"({t[0]} ** {t[1]})")
    unary = st.tuples(st.sampled_from(["-", "+", "not "]), children).map(lambda t: f"({t[0]}{t[1]})")
    compare = st.tuples(children, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    boolean = st.tuples(children, st.sampled_from(["and", "or"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    conditional = st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})")
    return st.one_of(binary, power, unary, compare, boolean, conditional)


_expressions = st.recursive(_leaf, _combine, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_expressions)
def test_agrees_with_python_eval(source):
    try:
        expected = eval(source, {"__builtins__": {}})  # noqa: S307 - test oracle only
    except ArithmeticError:
        with pytest.raises(ExpressionError):
            evaluate(source, {})
        return
    if isinstance(expected, int) and expected.bit_length() > Limits().max_int_bits:
        with pytest.raises(ExpressionLimitExceeded):
            evaluate(source, {})
        return
    result = evaluate(source, {})
    assert result == expected
    assert type(result) is type(expected)


# --- robustness: arbitrary well-formed input only ever yields a value or an ExpressionError -----

_ROBUST_NAMES = {"x": 3, "s": "abc", "l": [1, [2, 3], "z"], "d": {"k": [1, 2]}, "dt": date(2025, 1, 1)}
_robust_leaf = st.sampled_from(
    ["x", "s", "l", "d", "dt", "0", "-1", "2.5", "'a'", "None", "True", "[]", "{}", "10**9", "1e308", "'%s'"]
)


def _robust_combine(children):
    operators = ["+", "-", "*", "/", "//", "%", "**", "<", "==", "in", "and", "or", "is"]
    helpers = ["len", "str", "sum", "min", "max", "get", "add_days", "round", "int", "float", "age_on"]
    return st.one_of(
        st.tuples(children, st.sampled_from(operators), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(helpers), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(children, children).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(children, st.sampled_from(["", "!r", ":>5", ":.2f", ":%Y"])).map(
            lambda t: "f'{" + t[0] + t[1] + "}'"
        ),
        st.lists(children, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_robust_leaf, _robust_combine, max_leaves=10))
def test_only_values_or_expression_errors(source):
    try:
        result = evaluate(source, _ROBUST_NAMES)
    except ExpressionError as exc:
        assert exc.reason
        assert exc.source == source
    else:
        allowed = (type(None), bool, int, float, str, list, tuple, dict, set, date, timedelta)
        assert isinstance(result, allowed)
