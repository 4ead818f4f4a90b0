"""The children's rules as data (workflows/children/*.dmn), evaluated as deployed by ``engine.decisions`` (the DMN
engine and sandbox the case's process uses) in the process's order: the policy, the assessment's score
(``children_risk_score``), the risk level, the visit frequency."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine import decisions, operators
from engine.deploy import deploy_sources
from engine.lint import lint_file
from engine.operators import OperatorContext
from engine.parsing import read_file

pytestmark = pytest.mark.django_db

JURISDICTION = "522601101200"
CHILDREN_DIR = Path(settings.WORKFLOWS_DIR) / "children"
DMN_FILES = ["children_policy.dmn", "children_risk_level.dmn", "children_visits.dmn"]

SAFE = {"safety": "safe", "guardianship": "effective", "health": "good", "education": "in_school"}
CONTEXT = OperatorContext(instance_id=None, process_key="", jurisdiction=JURISDICTION, task_spec="test")


@pytest.fixture
def rules(db):
    sources = [(name, (CHILDREN_DIR / name).read_text(encoding="utf-8")) for name in DMN_FILES]
    outcomes = deploy_sources(sources)
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]


def run(answers: dict[str, str] | None = None, *, county: str = "522601", as_of: str = "2026-03-02") -> dict:
    data = {"county": county, "as_of": as_of, **SAFE, **(answers or {})}
    data.update(decisions.evaluate("children_policy", data).outputs)
    data["risk_score"] = operators.call("children_risk_score", {name: data[name] for name in SAFE}, CONTEXT)
    data["risk_highest"], data["risk_total"] = data["risk_score"]["highest"], data["risk_score"]["total"]
    data.update(decisions.evaluate("children_risk_level", data).outputs)
    data.update(decisions.evaluate("children_visits", data).outputs)
    return data


def test_the_tables_lint_clean():
    for name in DMN_FILES:
        parsed, problems = read_file(name, (CHILDREN_DIR / name).read_text(encoding="utf-8"))
        assert problems == [] and parsed is not None
        assert lint_file(parsed) == []


@pytest.mark.parametrize(("answers", "total", "highest", "level"), [
    ({}, 0, 0, "low"),
    ({"education": "not_school_age"}, 0, 0, "low"),
    ({"guardianship": "weak"}, 1, 1, "low"),
    ({"guardianship": "weak", "health": "minor"}, 2, 1, "medium"),
    ({"education": "out_of_school"}, 2, 2, "medium"),
    ({"safety": "hazards", "guardianship": "inadequate"}, 3, 2, "medium"),
    ({"safety": "hazards", "guardianship": "inadequate", "health": "minor"}, 4, 2, "high"),
    ({"safety": "threatened", "guardianship": "inadequate", "health": "needs_care", "education": "out_of_school"},
     8, 2, "high"),
    ({"safety": "in_danger"}, 3, 3, "emergency"),
    ({"guardianship": "none"}, 3, 3, "emergency"),
    ({"health": "urgent", "guardianship": "weak"}, 4, 3, "emergency"),
])
def test_risk_level_boundaries(rules, answers, total, highest, level):
    data = run(answers)
    assert (data["risk_total"], data["risk_highest"], data["risk_level"]) == (total, highest, level)
    assert data["risk_score"]["no_effective_guardian"] is (answers.get("guardianship") == "none")


@pytest.mark.parametrize(("level_answers", "interval", "count", "review"), [
    ({}, 90, 2, 180),
    ({"guardianship": "weak", "health": "minor"}, 30, 6, 180),
    ({"safety": "hazards", "guardianship": "inadequate", "health": "minor"}, 15, 6, 90),
    ({"guardianship": "none"}, 7, 4, 30),
])
def test_visit_frequency_by_risk_level(rules, level_answers, interval, count, review):
    data = run(level_answers)
    assert (data["visit_interval_days"], data["visit_count"], data["review_days"]) == (interval, count, review)
    # The cycle covers the review period.
    assert interval * count <= review


@pytest.mark.parametrize(("county", "as_of", "assessment_days", "assistance_days", "version"), [
    ("522601", "2025-12-31", 5, 10, "黔东南州困境儿童保障办理规则（2025年）"),
    ("522601", "2026-01-01", 3, 5, "黔东南州困境儿童保障办理规则（2026年）"),
    ("522622", "2026-07-01", 3, 5, "黔东南州困境儿童保障办理规则（2026年）"),
])
def test_policy_by_county_and_date(rules, county, as_of, assessment_days, assistance_days, version):
    data = run(county=county, as_of=as_of)
    assert (data["assessment_days"], data["assistance_days"], data["rules_version"]) == (
        assessment_days, assistance_days, version)
    assert (data["emergency_hours"], data["urgent_days"], data["neglect_months"]) == (24, 1, 6)


@pytest.mark.parametrize(("county", "as_of"), [("522701", "2026-03-02"), ("522601", "2024-12-31")])
def test_no_rule_outside_qiandongnan_or_before_2025(rules, county, as_of):
    data = {"county": county, "as_of": as_of, "risk_highest": 0, "risk_total": 0, "risk_level": "low"}
    for key in ("children_policy", "children_risk_level", "children_visits"):
        with pytest.raises(decisions.NoMatchingRule, match=key):
            decisions.evaluate(key, data)
