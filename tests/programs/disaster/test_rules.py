"""Disaster relief rules as data (workflows/disaster/*.dmn): every table lints, each UNIQUE table matches exactly one
row across Qiandongnan from 2025 for every aid type, damage level and household category, and the figures the
program promises (20 yuan for at most 90 days; higher rebuilding subsidies for 低保 and registered-poor households)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine.lint import lint_file
from engine.parsing import read_file
from tests.dmn_rules import matching_rules

RULES_DIR = Path(settings.WORKFLOWS_DIR) / "disaster"
TABLES = ["disaster_policy.dmn", "disaster_living_aid.dmn", "disaster_rebuilding_subsidy.dmn"]
COUNTIES = ["522601", "522622", "522636"]
DATES = ["2025-01-01", "2025-12-31", "2026-01-01", "2026-07-01", "2030-12-31"]
LIVING = ["emergency_transfer", "emergency_living", "transitional_living"]
LEVELS = ["collapsed", "severe", "general"]
CATEGORIES = ["ordinary", "dibao", "registered_poor"]


def matching(name: str, data: dict) -> list[dict]:
    return [rule.outputs for rule in matching_rules(RULES_DIR / name, data)]


def one(name: str, **data) -> dict:
    rows = matching(name, data)
    assert len(rows) == 1, (name, data, rows)
    return rows[0]


@pytest.mark.parametrize("name", TABLES)
def test_tables_lint_clean(name):
    parsed, problems = read_file(name, (RULES_DIR / name).read_bytes())
    assert problems == [] and lint_file(parsed) == []


def test_every_case_in_qiandongnan_from_2025_matches_one_row_of_each_table():
    for county in COUNTIES:
        for as_of in DATES:
            one("disaster_policy.dmn", county=county, as_of=as_of)
            for aid_type in LIVING:
                one("disaster_living_aid.dmn", county=county, as_of=as_of, aid_type=aid_type)
            for level in LEVELS:
                for category in CATEGORIES:
                    one("disaster_rebuilding_subsidy.dmn", county=county, as_of=as_of, damage_level=level,
                        household_category=category)


def test_no_rules_outside_qiandongnan_or_before_2025():
    for county, as_of in [("522701", "2026-03-01"), ("520102", "2026-03-01"), ("522601", "2024-12-31")]:
        assert matching("disaster_policy.dmn", {"county": county, "as_of": as_of}) == []
        assert matching("disaster_living_aid.dmn", {"county": county, "as_of": as_of,
                                                    "aid_type": "transitional_living"}) == []


def test_house_rebuilding_is_no_living_aid_type():
    assert matching("disaster_living_aid.dmn", {"county": "522601", "as_of": "2026-03-01",
                                                "aid_type": "house_rebuilding"}) == []


@pytest.mark.parametrize("county", COUNTIES)
def test_transitional_living_aid_is_20_yuan_for_at_most_3_months(county):
    for as_of in DATES:
        rule = one("disaster_living_aid.dmn", county=county, as_of=as_of, aid_type="transitional_living")
        assert (rule["daily_rate"], rule["max_days"]) == (20, 90)


def test_kaili_raised_emergency_aid_and_shortened_confirmation_in_2026():
    before = one("disaster_living_aid.dmn", county="522601", as_of="2025-12-31", aid_type="emergency_living")
    after = one("disaster_living_aid.dmn", county="522601", as_of="2026-01-01", aid_type="emergency_living")
    assert (before["daily_rate"], after["daily_rate"]) == (20, 30)
    assert one("disaster_policy.dmn", county="522601", as_of="2026-01-01")["confirm_days"] == 2
    assert one("disaster_policy.dmn", county="522622", as_of="2026-01-01")["confirm_days"] == 3


@pytest.mark.parametrize("level", LEVELS)
def test_dibao_and_registered_poor_households_get_more(level):
    rows = {c: one("disaster_rebuilding_subsidy.dmn", county="522601", as_of="2026-03-01", damage_level=level,
                   household_category=c) for c in CATEGORIES}
    assert rows["dibao"] == rows["registered_poor"]
    assert rows["dibao"]["subsidy_max"] > rows["ordinary"]["subsidy_max"]
    assert rows["dibao"]["subsidy_base"] + rows["dibao"]["subsidy_per_sqm"] > (
        rows["ordinary"]["subsidy_base"] + rows["ordinary"]["subsidy_per_sqm"])
