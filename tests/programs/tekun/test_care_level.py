"""生活自理能力评估: the level from the number of the six daily activities not done alone."""

from __future__ import annotations

import pytest

from portal.programs.tekun.care_level import ACTIVITIES, AssessmentError, assess

NATIONAL = {"partial_from": 1, "full_from": 4}


def answers(unable: int) -> dict[str, str]:
    return {name: "unable" if index < unable else "able" for index, name in enumerate(ACTIVITIES)}


@pytest.mark.parametrize(("unable", "level", "label"), [
    (0, "self_care", "生活自理"),
    (1, "partial", "部分丧失生活自理能力"),
    (3, "partial", "部分丧失生活自理能力"),
    (4, "full", "完全丧失生活自理能力"),
    (6, "full", "完全丧失生活自理能力"),
])
def test_boundaries(unable, level, label):
    result = assess(answers(unable), **NATIONAL)
    assert (result.unable_count, result.level, result.level_label) == (unable, level, label)
    assert result.unable == list(ACTIVITIES)[:unable]


def test_unable_activities_are_named():
    result = assess({**answers(0), "bathing": "unable", "transfer": "unable"}, **NATIONAL)
    assert result.unable == ["transfer", "bathing"] and result.unable_labels == ["自主上下床", "自主洗澡"]
    assert result.as_dict()["level"] == "partial"


def test_thresholds_come_from_the_rules():
    assert assess(answers(3), partial_from=2, full_from=3).level == "full"
    assert assess(answers(1), partial_from=2, full_from=3).level == "self_care"


@pytest.mark.parametrize(("activities", "thresholds", "message"), [
    ({**answers(0), "eating": "maybe"}, NATIONAL, "'able' or 'unable'"),
    ({k: v for k, v in answers(0).items() if k != "bathing"}, NATIONAL, "missing: \\['bathing'\\]"),
    ({**answers(0), "cooking": "able"}, NATIONAL, "unknown: \\['cooking'\\]"),
    (answers(0), {"partial_from": 4, "full_from": 4}, "thresholds"),
    (answers(0), {"partial_from": 0, "full_from": 4}, "thresholds"),
    (answers(0), {"partial_from": 1, "full_from": 7}, "thresholds"),
])
def test_bad_input_is_refused(activities, thresholds, message):
    with pytest.raises(AssessmentError, match=message):
        assess(activities, **thresholds)
