"""低保 rules as data (workflows/dibao/*.dmn) and the amount calculation (calculate_dibao_amount).

The decision tables are evaluated as deployed, by ``engine.decisions`` (the DMN engine and sandbox a case's
process uses), and their outputs fed to the operator as dibao.bpmn feeds them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine import decisions, operators
from engine.deploy import deploy_sources
from engine.lint import lint_file
from engine.operators import OperatorContext, OperatorError
from engine.parsing import read_file
from tests.dmn_rules import matching_rules

pytestmark = pytest.mark.django_db

JURISDICTION = "522601101200"
DIBAO_DIR = Path(settings.WORKFLOWS_DIR) / "dibao"
DMN_FILES = ["dibao_standard.dmn", "dibao_policy.dmn", "dibao_supplement.dmn"]
TABLES = ["dibao_standard", "dibao_policy", "dibao_supplement"]


def dmn_sources() -> list[tuple[str, str]]:
    return [(name, (DIBAO_DIR / name).read_text(encoding="utf-8")) for name in DMN_FILES]


def deploy(replacements: dict[str, str] | None = None) -> None:
    """Deploy the three tables, with text replaced in them (old: new) where given."""
    sources = []
    for name, source in dmn_sources():
        for old, new in (replacements or {}).items():
            source = source.replace(old, new)
        sources.append((name, source))
    outcomes = deploy_sources(sources)
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]


def run(members: list[dict], *, as_of: str = "2026-03-01", county: str = "522601") -> dict:
    """The data the township review of a 低保 case sees: the three tables' outputs, then the operator's amount
    computed from them with the parameters dibao.bpmn passes."""
    data: dict = {"county": county, "as_of": as_of, "members": members}
    for key in TABLES:
        data.update(decisions.evaluate(key, data).outputs)
    data["dibao"] = calculate(members, standard=data["standard"], stack=data["supplements_stack"], as_of=as_of,
                              categories=data["category"], rates=data["rate"])
    return data


def person(name: str, birth_date: str = "1985-06-01", monthly_income: float = 0, **flags: bool) -> dict:
    return {"name": name, "birth_date": birth_date, "monthly_income": monthly_income, **flags}


def calculate(members: list[dict], *, standard=480, stack=False, as_of="2026-03-01",
              categories=None, rates=None) -> dict:
    """The operator called directly, with the supplement table of the DMN unless given."""
    categories = ["elderly", "severely_disabled", "seriously_ill", "student", "single_parent"] \
        if categories is None else categories
    rates = [0.15, 0.30, 0.25, 0.10, 0.10] if rates is None else rates
    context = OperatorContext(instance_id=None, process_key="", jurisdiction=JURISDICTION, task_spec="test")
    return operators.call("calculate_dibao_amount", {
        "standard": standard, "members": members, "supplement_categories": categories,
        "supplement_rates": rates, "stack": stack, "as_of": as_of,
    }, context)


# 王大爷 is 75 in 2025 and 2026 (elderly) and severely disabled: two categories.
WANG = [
    person("王大爷", "1950-03-15", 0, severely_disabled=True),
    person("王建国", "1978-09-02", 300, severely_disabled=True),
    person("王小明", "2012-01-20", 0, student=True),
]


# --- the tables ---------------------------------------------------------------------------------

def test_lint_and_deploy_accept_the_dmn_files(deployed):
    for name, source in dmn_sources():
        parsed, problems = read_file(name, source)
        assert problems == [] and parsed is not None
        assert lint_file(parsed) == []
    # The deploy_workflows directory (the `deployed` fixture) includes them.
    assert {"dibao_standard", "dibao_policy", "dibao_supplement"} <= set(deployed)


def _matching_rules(name: str, county: str, as_of: str) -> list[str]:
    return [rule.id for rule in matching_rules(DIBAO_DIR / name, {"county": county, "as_of": as_of})]


@pytest.mark.parametrize("name", ["dibao_standard.dmn", "dibao_policy.dmn"])
def test_unique_tables_match_exactly_one_rule_in_their_domain(name):
    for county in ["522601", "522622", "522636"]:
        for as_of in ["2025-01-01", "2025-07-15", "2025-12-31", "2026-01-01", "2026-07-01", "2030-12-31"]:
            assert len(_matching_rules(name, county, as_of)) == 1, (name, county, as_of)
    # Outside Qiandongnan (5226) or before 2025 there is no rule in force.
    for county, as_of in [("522701", "2026-03-01"), ("520102", "2026-03-01"), ("522601", "2024-12-31")]:
        assert _matching_rules(name, county, as_of) == [], (name, county, as_of)


def test_supplement_table_has_one_rule_per_category_with_rates_10_to_30_percent(db):
    deploy()
    data = run([person("张三")])
    assert data["category"] == ["elderly", "severely_disabled", "seriously_ill", "student", "single_parent"]
    assert data["rate"] == [0.15, 0.30, 0.25, 0.10, 0.10]
    assert all(0.10 <= r <= 0.30 for r in data["rate"])


@pytest.mark.parametrize(
    ("county", "as_of", "standard", "version", "review", "stack", "township", "total_days"),
    [
        ("522601", "2025-12-31", 450, "凯里市2025年农村低保标准", True, False, False, 30),
        ("522601", "2026-01-01", 480, "凯里市2026年农村低保标准", True, True, False, 30),
        ("522622", "2025-06-30", 420, "黔东南州农村低保指导标准（2025年起）", True, False, False, 30),
        ("522622", "2026-01-01", 420, "黔东南州农村低保指导标准（2025年起）", False, False, True, 20),
    ],
)
def test_rule_set_is_chosen_by_county_and_as_of(db, county, as_of, standard, version, review, stack, township,
                                                total_days):
    deploy()
    data = run([person("张三", monthly_income=100)], county=county, as_of=as_of)
    assert (data["standard"], data["rules_version"]) == (standard, version)
    assert (data["democratic_review_required"], data["supplements_stack"], data["township_confirms"]) == (
        review, stack, township)
    assert (data["notice_days"], data["investigation_days"], data["county_days"], data["total_days"]) == (
        7, 3, 10, total_days)
    assert data["asset_limit_months"] == 24
    # One person with 100 yuan: base = standard − 100.
    assert data["dibao"]["base_amount"] == standard - 100


@pytest.mark.parametrize(("county", "as_of"), [("522601", "2024-12-31"), ("520102", "2026-03-01")])
def test_no_rule_in_force_stops_the_calculation(db, county, as_of):
    deploy()
    with pytest.raises(decisions.NoMatchingRule, match="dibao_standard"):
        run([person("张三")], county=county, as_of=as_of)
    for key in TABLES:
        with pytest.raises(decisions.NoMatchingRule):
            decisions.evaluate(key, {"county": county, "as_of": as_of})


# --- worked examples through the engine -----------------------------------------------------------

def test_three_people_600_income_under_2026_standard(db):
    deploy()
    data = run([person("李一", monthly_income=400), person("李二", monthly_income=200),
                person("李三", "2015-04-01")], as_of="2026-03-01")
    # 2026 standard 480; total income 400 + 200 + 0 = 600; per capita 600 / 3 = 200;
    # base (480 − 200) × 3 = 840; nobody in a category → amount 840.
    assert data["dibao"] == {
        "household_size": 3, "total_income": 600.0, "per_capita_income": 200.0, "base_amount": 840.0,
        "supplements": [], "supplement_total": 0.0, "amount": 840.0, "eligible": True,
    }


def test_elderly_and_disabled_without_stacking_2025(db):
    deploy()
    data = run(WANG, as_of="2025-06-01")
    # 2025: standard 450, supplements do not stack. Per capita 300 / 3 = 100; base (450 − 100) × 3 = 1050.
    # 王大爷 elderly 0.15 and severely disabled 0.30 → highest only: 0.30 × 450 = 135.00
    # 王建国 severely disabled 0.30 × 450 = 135.00; 王小明 student 0.10 × 450 = 45.00
    # supplements 135 + 135 + 45 = 315; amount 1050 + 315 = 1365.
    result = data["dibao"]
    assert data["supplements_stack"] is False
    assert result["base_amount"] == 1050.0
    assert result["supplements"] == [
        {"name": "王大爷", "category": "severely_disabled", "rate": 0.30, "amount": 135.0},
        {"name": "王建国", "category": "severely_disabled", "rate": 0.30, "amount": 135.0},
        {"name": "王小明", "category": "student", "rate": 0.10, "amount": 45.0},
    ]
    assert (result["supplement_total"], result["amount"], result["eligible"]) == (315.0, 1365.0, True)


def test_elderly_and_disabled_with_stacking_2026(db):
    deploy()
    data = run(WANG, as_of="2026-06-01")
    # 2026: standard 480, supplements stack. Per capita 100; base (480 − 100) × 3 = 1140.
    # 王大爷 elderly 0.15 × 480 = 72.00 plus severely disabled 0.30 × 480 = 144.00
    # 王建国 0.30 × 480 = 144.00; 王小明 0.10 × 480 = 48.00
    # supplements 72 + 144 + 144 + 48 = 408; amount 1140 + 408 = 1548.
    result = data["dibao"]
    assert data["supplements_stack"] is True
    assert result["base_amount"] == 1140.0
    assert result["supplements"] == [
        {"name": "王大爷", "category": "elderly", "rate": 0.15, "amount": 72.0},
        {"name": "王大爷", "category": "severely_disabled", "rate": 0.30, "amount": 144.0},
        {"name": "王建国", "category": "severely_disabled", "rate": 0.30, "amount": 144.0},
        {"name": "王小明", "category": "student", "rate": 0.10, "amount": 48.0},
    ]
    assert (result["supplement_total"], result["amount"]) == (408.0, 1548.0)


def test_household_above_the_standard_gets_nothing(db):
    deploy()
    data = run([person("赵一", "1950-01-01", 700, severely_disabled=True), person("赵二", monthly_income=300)])
    # 2026 standard 480; per capita (700 + 300) / 2 = 500 ≥ 480 → not eligible.
    # No 低保, and no 分类施保 either: supplements are an addition to an eligible household's 低保.
    assert data["dibao"] == {
        "household_size": 2, "total_income": 1000.0, "per_capita_income": 500.0, "base_amount": 0.0,
        "supplements": [], "supplement_total": 0.0, "amount": 0.0, "eligible": False,
    }


def test_per_capita_exactly_at_the_standard_is_not_eligible(db):
    deploy()
    # 2026 standard 480; per capita 960 / 2 = 480, not below the standard.
    result = run([person("钱一", monthly_income=960), person("钱二")])["dibao"]
    assert (result["eligible"], result["amount"]) == (False, 0.0)


def test_repeating_per_capita_income_is_not_rounded_before_the_base(db):
    deploy()
    result = run([person("孙一", monthly_income=1000), person("孙二"), person("孙三")])["dibao"]
    # 2026 standard 480; per capita 1000 / 3 = 333.333… reported as 333.33;
    # base (480 − 333.333…) × 3 = 1440 − 1000 = 440.00 exactly (not (480 − 333.33) × 3 = 440.01).
    assert (result["per_capita_income"], result["base_amount"], result["amount"]) == (333.33, 440.0, 440.0)


def test_money_is_rounded_half_up(db):
    deploy()
    result = run([person("周一", monthly_income=200.01), person("周二")])["dibao"]
    # per capita 200.01 / 2 = 100.005 → 100.01 half-up (banker's rounding, or float, would give 100.00);
    # base 480 × 2 − 200.01 = 759.99.
    assert (result["per_capita_income"], result["base_amount"]) == (100.01, 759.99)


# --- the operator directly ------------------------------------------------------------------------

def test_stacking_off_and_on_on_the_same_standard():
    off = calculate(WANG, stack=False)
    on = calculate(WANG, stack=True)
    # Standard 480, base 1140 both times. Off: 王大爷 gets only 0.30 × 480 = 144;
    # on: 144 + 0.15 × 480 = 216. Totals: off 144 + 144 + 48 = 336, on 336 + 72 = 408.
    assert (off["supplement_total"], off["amount"]) == (336.0, 1476.0)
    assert (on["supplement_total"], on["amount"]) == (408.0, 1548.0)


def test_supplement_amount_rounded_half_up():
    # 0.15 × 455.5 = 68.325 → 68.33 half-up (round-half-even would give 68.32).
    result = calculate([person("吴一", "1950-01-01")], standard=455.5)
    assert result["supplements"] == [{"name": "吴一", "category": "elderly", "rate": 0.15, "amount": 68.33}]
    assert result["amount"] == 523.83  # 455.50 + 68.33


def test_elderly_from_the_sixtieth_birthday():
    born = "1966-03-01"
    assert calculate([person("郑一", born)], as_of="2026-02-28")["supplements"] == []
    assert calculate([person("郑一", born)], as_of="2026-03-01")["supplements"][0]["category"] == "elderly"


def test_categories_missing_from_the_table_pay_nothing_and_ties_go_to_the_first():
    member = person("冯一", "1950-01-01", severely_disabled=True, student=True)
    assert calculate([member], categories=["student"], rates=[0.1])["supplements"][0]["category"] == "student"
    tie = calculate([member], categories=["elderly", "severely_disabled"], rates=[0.2, 0.2])
    assert [s["category"] for s in tie["supplements"]] == ["elderly"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": []}, "no members"),
        ({"members": [person("甲", monthly_income=-1)]}, "negative"),
        ({"members": [person("甲", monthly_income="100")]}, "should be a number"),
        ({"members": [person("甲", birth_date="1985/06/01")]}, "ISO date"),
        ({"members": [person("甲", birth_date="2027-01-01")]}, "after as_of"),
        ({"members": [person("甲", student="yes")]}, "true or false"),
        ({"members": [{"birth_date": "1985-06-01", "monthly_income": 0}]}, "no name"),
        ({"categories": ["elderly", "student"], "rates": [0.1]}, "2 supplement categories but 1 rates"),
        ({"categories": ["elderly"], "rates": [1.5]}, "between 0 and 1"),
        ({"categories": ["elderly"], "rates": [-0.1]}, "between 0 and 1"),
        ({"categories": ["veteran"], "rates": [0.1]}, "unknown supplement category"),
        ({"categories": ["elderly", "elderly"], "rates": [0.1, 0.2]}, "listed twice"),
        ({"standard": 0}, "positive"),
        ({"standard": True}, "should be"),
        ({"as_of": "2026-02-30"}, "not a valid date"),
        ({"stack": None}, "true or false"),
    ],
)
def test_bad_inputs_are_refused(change, message):
    arguments = {"members": [person("甲")], **change}
    with pytest.raises(OperatorError, match=message):
        calculate(**arguments)


@pytest.mark.parametrize(
    ("members", "message"),
    [([], "no members"), ([person("甲", monthly_income=-50)], "negative")],
)
def test_bad_inputs_stop_the_calculation_after_the_tables(db, members, message):
    deploy()
    with pytest.raises(OperatorError, match=f"calculate_dibao_amount: .*{message}"):
        run(members)


def test_bad_rates_from_the_table_stop_the_calculation(db):
    deploy({"<text>0.15</text>": "<text>1.5</text>"})
    with pytest.raises(OperatorError, match="between 0 and 1"):
        run([person("甲")])
