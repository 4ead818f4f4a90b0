"""The tekun rule tables (workflows/tekun/*.dmn) as deployed, read through ``rules.decide``, which evaluates
them with the engine's DMN engine and expression language exactly as the process's business rule tasks do."""

from __future__ import annotations

import pytest

from portal.programs.tekun import rules

pytestmark = pytest.mark.django_db
LEVELS = ("self_care", "partial", "full")


def test_policy_by_county_and_date(deployed):
    kaili_2025 = rules.policy("522601", "2025-07-01")
    kaili_2026 = rules.policy("522601", "2026-03-02")
    huangping = rules.policy("522622", "2026-03-02")
    assert (kaili_2025["income_limit"], kaili_2026["income_limit"], huangping["income_limit"]) == (450, 480, 420)
    for found in (kaili_2025, kaili_2026, huangping):
        assert (found["township_days"], found["recheck_days"], found["county_days"], found["notice_days"]) == (
            15, 15, 15, 7)
        assert (found["elderly_age"], found["minor_age"], found["care_partial_from"], found["care_full_from"]) == (
            60, 16, 1, 4)
        assert found["spot_check_rate"] >= 0.3
        assert (found["staff_ratio_full"], found["staff_ratio_partial"], found["staff_ratio_self"]) == (3, 6, 10)
    assert rules.policy("520102", "2026-03-02") == {}  # outside 黔东南州: no rule, the process cannot run
    assert rules.policy("522601", "2024-12-31") == {}


@pytest.mark.parametrize(("county", "as_of", "basic", "care"), [
    ("522601", "2025-07-01", 585, (100, 300, 600)),
    ("522601", "2026-03-02", 624, (110, 320, 640)),
    ("522622", "2026-03-02", 546, (90, 270, 540)),
])
def test_standard_is_at_least_1_3_times_the_dibao_standard(deployed, county, as_of, basic, care):
    dibao = rules.policy(county, as_of)["income_limit"]
    for level, amount in zip(LEVELS, care, strict=True):
        found = rules.decide("tekun_standard", {"county": county, "as_of": as_of, "care_level": level})
        assert (found["basic_living_standard"], found["care_standard"]) == (basic, amount)
        assert found["basic_living_standard"] >= 1.3 * dibao


@pytest.mark.parametrize(("level", "preferred", "carer", "mode", "interval"), [
    ("full", "dispersed", True, "dispersed", 15),
    ("full", "dispersed", False, "centralised", 0),
    ("full", "centralised", True, "centralised", 0),
    ("partial", "dispersed", False, "dispersed", 30),
    ("partial", "centralised", False, "centralised", 0),
    ("self_care", "dispersed", True, "dispersed", 30),
    ("self_care", "centralised", True, "centralised", 0),
])
def test_support_mode(deployed, level, preferred, carer, mode, interval):
    found = rules.decide("tekun_support_mode", {"county": "522601", "as_of": "2026-03-02", "care_level": level,
                                                "preferred_support": preferred, "carer_available": carer})
    assert (found["support_mode"], found["visit_interval_days"]) == (mode, interval)


def test_a_table_that_is_not_deployed(db):
    with pytest.raises(rules.RuleNotFound):
        rules.decide("tekun_policy", {"county": "522601", "as_of": "2026-03-02"})
