"""生活自理能力评估: six daily activities, each done alone or not; the number not done alone decides the level.

With the national thresholds (tekun_policy: ``care_partial_from`` 1, ``care_full_from`` 4): all six done
alone = 生活自理 (self_care), 1–3 not = 部分丧失 (partial, 半护理), 4 or more not = 完全丧失 (full, 全护理).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

ACTIVITIES = {
    "eating": gettext_noop("自主吃饭"),
    "dressing": gettext_noop("自主穿衣"),
    "transfer": gettext_noop("自主上下床"),
    "toileting": gettext_noop("自主如厕"),
    "walking": gettext_noop("室内行走"),
    "bathing": gettext_noop("自主洗澡"),
}
ANSWERS = ("able", "unable")
LEVEL_LABELS = {"self_care": gettext_noop("生活自理"), "partial": gettext_noop("部分丧失生活自理能力"),
                "full": gettext_noop("完全丧失生活自理能力")}


class AssessmentError(ValueError):
    pass


@dataclass(frozen=True)
class CareAssessment:
    level: str
    level_label: str
    unable: list[str]
    unable_labels: list[str]
    unable_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess(activities: dict[str, Any], *, partial_from: int, full_from: int) -> CareAssessment:
    if set(activities) != set(ACTIVITIES):
        missing, extra = set(ACTIVITIES) - set(activities), set(activities) - set(ACTIVITIES)
        raise AssessmentError(f"activities should be exactly {', '.join(ACTIVITIES)}"
                              f" (missing: {sorted(missing)}, unknown: {sorted(extra)})")
    for name, answer in activities.items():
        if answer not in ANSWERS:
            raise AssessmentError(f"activity {name!r} should be 'able' or 'unable'")
    if not 1 <= partial_from < full_from <= len(ACTIVITIES):
        raise AssessmentError(f"thresholds should satisfy 1 <= partial_from < full_from <= {len(ACTIVITIES)}")
    unable = [name for name in ACTIVITIES if activities[name] == "unable"]
    count = len(unable)
    level = "full" if count >= full_from else "partial" if count >= partial_from else "self_care"
    with translation.override(settings.LANGUAGE_CODE):
        return CareAssessment(level=level, level_label=_(LEVEL_LABELS[level]), unable=unable,
                              unable_labels=[_(ACTIVITIES[name]) for name in unable], unable_count=count)
