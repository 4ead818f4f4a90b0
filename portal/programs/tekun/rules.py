"""Read the deployed tekun rule tables outside a process (the care-home page shows the staffing ratios).

The table is the version of the decision in effect, evaluated by ``engine.decisions`` exactly as a business rule
task of the process evaluates it.
"""

from __future__ import annotations

from typing import Any

from engine import decisions

# The table is not deployed (or not in effect).
RuleNotFound = decisions.DecisionNotFound


def decide(decision_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The outputs of the deployed decision table ``decision_id`` for ``data`` ({} when no row matches)."""
    try:
        return decisions.evaluate(decision_id, data).outputs
    except decisions.NoMatchingRule:
        return {}


def policy(county: str, as_of: str) -> dict[str, Any]:
    return decide("tekun_policy", {"county": county, "as_of": as_of})
