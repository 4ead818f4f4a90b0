"""Temporary assistance rules as data (workflows/temporary/*.dmn): every table lints, each UNIQUE table matches
exactly one row inside its domain, and the approval tiers follow the amount."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine.lint import lint_file
from engine.parsing import read_file
from tests.dmn_rules import matching_rules

RULES_DIR = Path(settings.WORKFLOWS_DIR) / "temporary"
TABLES = ["temporary_standard.dmn", "temporary_policy.dmn", "temporary_approval_tier.dmn"]
COUNTIES = ["522601", "522622", "522636"]
DATES = ["2025-01-01", "2025-12-31", "2026-01-01", "2026-07-01", "2030-12-31"]


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


@pytest.mark.parametrize("name", ["temporary_standard.dmn", "temporary_policy.dmn"])
def test_unique_tables_match_one_rule_in_qiandongnan_from_2025(name):
    for county in COUNTIES:
        for as_of in DATES:
            one(name, county=county, as_of=as_of)
    for county, as_of in [("522701", "2026-03-01"), ("520102", "2026-03-01"), ("522601", "2024-12-31")]:
        assert matching(name, {"county": county, "as_of": as_of}) == []


def test_tier_table_covers_every_amount_once():
    for county in COUNTIES:
        for as_of in DATES:
            ranks = [one("temporary_approval_tier.dmn", county=county, as_of=as_of, amount=amount)["tier_rank"]
                     for amount in [0, 0.01, 780, 1000, 1000.01, 1400, 1500, 1500.01, 2000, 2000.01, 10000, 10000.01,
                                    20000, 20000.01, 50000, 50000.01, 1e9]]
            assert ranks == sorted(ranks), (county, as_of)  # a larger amount never goes to a lower level


@pytest.mark.parametrize(("county", "as_of", "amount", "tier", "notice"), [
    ("522601", "2026-03-02", 1500, "township", False),
    ("522601", "2026-03-02", 1500.01, "county", True),
    ("522601", "2026-03-02", 20000, "county", True),
    ("522601", "2026-03-02", 20000.01, "collective", True),
    ("522601", "2026-03-02", 50000, "collective", True),
    ("522601", "2026-03-02", 50000.01, "over_ceiling", False),
    ("522601", "2025-06-01", 1000.01, "county", True),  # Kaili raised its delegation from 1,000 in 2026
    ("522601", "2025-06-01", 10000.01, "collective", True),
    ("522622", "2026-03-02", 2000, "township", False),
    ("522622", "2026-03-02", 2000.01, "county", False),
    ("522622", "2025-06-01", 1400.01, "county", False),
])
def test_tiers_by_amount(county, as_of, amount, tier, notice):
    row = one("temporary_approval_tier.dmn", county=county, as_of=as_of, amount=amount)
    assert (row["tier"], row["notice_required"], row["ceiling"]) == (tier, notice, 50000)


def test_kaili_2026_worked_values():
    assert one("temporary_standard.dmn", county="522601", as_of="2026-03-02") == {
        "urban_standard": 780, "standard_rules": "凯里市2026年城市低保标准"}
    policy = one("temporary_policy.dmn", county="522601", as_of="2026-03-02")
    assert (policy["paperwork_days"], policy["quick_aid_enabled"], policy["quick_aid_months"], policy["quick_days"],
            policy["delegating_office"]) == (5, True, 1, 3, "凯里市民政局")
    assert one("temporary_policy.dmn", county="522601", as_of="2025-12-31")["quick_aid_enabled"] is False
    # Every rule set's delegation covers 小额快救 (one month of the standard), so quick aid stays with the township.
    for county in COUNTIES:
        for as_of in DATES:
            standard = one("temporary_standard.dmn", county=county, as_of=as_of)["urban_standard"]
            tier = one("temporary_approval_tier.dmn", county=county, as_of=as_of, amount=standard)
            assert tier["tier"] == "township", (county, as_of)
