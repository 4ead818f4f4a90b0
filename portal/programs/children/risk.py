"""The risk assessment's scale: each of the four aspects a child supervisor assesses (safety, guardianship, health,
education) has ordered answers, each worth 0 (no concern), 1 (minor), 2 (serious) or 3 (critical) points.

The scale is the meaning of the assessment form's answers; which totals make a low, medium, high or emergency risk is
a rule and lives in ``workflows/children/children_risk_level.dmn``.
"""

from __future__ import annotations

from typing import Any

CRITICAL = 3
SCALES: dict[str, dict[str, int]] = {
    "safety": {"safe": 0, "hazards": 1, "threatened": 2, "in_danger": 3},
    "guardianship": {"effective": 0, "weak": 1, "inadequate": 2, "none": 3},
    "health": {"good": 0, "minor": 1, "needs_care": 2, "urgent": 3},
    "education": {"in_school": 0, "not_school_age": 0, "irregular": 1, "out_of_school": 2},
}
NO_EFFECTIVE_GUARDIAN = "none"
# Answers that mean the child was or is being harmed: the police must be told (强制报告).
HARMED = {"threatened", "in_danger"}


class UnknownAnswer(ValueError):
    pass


def score(answers: dict[str, str]) -> dict[str, Any]:
    """Points per aspect, the highest and the total, and whether the child has no effective guardian."""
    points = {}
    for aspect, scale in SCALES.items():
        answer = answers.get(aspect)
        if answer not in scale:
            raise UnknownAnswer(f"{aspect}: unknown answer {answer!r} (known: {', '.join(scale)})")
        points[aspect] = scale[answer]
    return {
        "points": points,
        "highest": max(points.values()),
        "total": sum(points.values()),
        "no_effective_guardian": answers["guardianship"] == NO_EFFECTIVE_GUARDIAN,
    }
