"""The medical assistance rule tables (workflows/medical/*.dmn): one rule in force per county, date and
category, the national floor of 70 %, key groups covered in full where the county says so, and the
values the deployed tables answer with (``engine.decisions``, as a process's business rule tasks get them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine import decisions
from engine.deploy import deploy_sources
from engine.lint import lint_file
from engine.parsing import read_file
from portal.programs.medical.categories import CHECKS, Category
from tests.dmn_rules import Rule, matching_rules

MEDICAL_DIR = Path(settings.WORKFLOWS_DIR) / "medical"
COUNTIES = ["522601", "522622", "522636"]
DATES = ["2025-01-01", "2025-12-31", "2026-01-01", "2026-07-01", "2030-12-31"]


def _matching(name: str, **data: str) -> list[Rule]:
    return matching_rules(MEDICAL_DIR / name, data)


@pytest.mark.parametrize("name", ["medical_policy.dmn", "medical_category.dmn"])
def test_lint_accepts_the_tables(name):
    parsed, problems = read_file(name, (MEDICAL_DIR / name).read_text(encoding="utf-8"))
    assert problems == [] and parsed is not None
    assert lint_file(parsed) == []


def test_one_policy_rule_per_county_and_date_and_none_outside_its_domain():
    for county in COUNTIES:
        for as_of in DATES:
            assert len(_matching("medical_policy.dmn", county=county, as_of=as_of)) == 1, (county, as_of)
    for county, as_of in [("522701", "2026-03-01"), ("522601", "2024-12-31")]:
        assert _matching("medical_policy.dmn", county=county, as_of=as_of) == []


def test_one_category_rule_per_county_date_and_category_within_the_national_floor():
    for county in COUNTIES:
        for as_of in DATES:
            for category in Category.values:
                rules = _matching("medical_category.dmn", county=county, as_of=as_of, category=category)
                assert len(rules) == 1, (county, as_of, category)
                out = rules[0].outputs
                assert 0.70 <= out["rate"] <= 1 and out["annual_cap"] > 0 and out["check"] in CHECKS
                # Covered in full means 100 %: the rate column says so too.
                assert not out["full_coverage"] or out["rate"] == 1
                # Only people whose hardship is not already established are noticed in the village.
                assert out["notice_required"] == (out["check"] == "economy")
    assert _matching("medical_category.dmn", county="522601", as_of="2026-03-01", category="unknown") == []


def test_key_groups_are_covered_in_full_in_kaili():
    for category in ("registered_poor", "tekun", "dibao", "elderly_major_illness"):
        (rule,) = _matching("medical_category.dmn", county="522601", as_of="2026-03-01", category=category)
        assert rule.outputs["full_coverage"] is True, category


@pytest.mark.parametrize(
    ("county", "as_of", "category", "expected"),
    [
        ("522601", "2025-12-31", "other", (0.70, 20000, False, "economy", 0, 675, "凯里市2025年医疗救助实施细则")),
        ("522601", "2026-01-01", "other", (0.75, 30000, False, "economy", 0, 720, "凯里市2026年医疗救助实施细则")),
        ("522601", "2026-03-01", "elderly_major_illness", (1.0, 40000, True, "age", 80, 720,
                                                           "凯里市2026年医疗救助实施细则")),
        ("522622", "2026-03-01", "dibao", (0.90, 50000, False, "register", 0, 630,
                                           "黔东南州医疗救助指导规则（2025年起）")),
    ],
)
def test_the_engine_hands_the_process_the_rule_in_force(db, county, as_of, category, expected):
    outcomes = deploy_sources([(n, (MEDICAL_DIR / n).read_text(encoding="utf-8"))
                               for n in ("medical_policy.dmn", "medical_category.dmn")])
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]
    data = {"county": county, "as_of": as_of, "category": category}
    for key in ("medical_policy", "medical_category"):  # the order of the process's business rule tasks
        data.update(decisions.evaluate(key, data).outputs)
    assert (data["rate"], data["annual_cap"], data["full_coverage"], data["check"], data["min_age"],
            data["verification_standard"], data["rules_version"]) == expected
