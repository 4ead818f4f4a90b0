"""The children's rules as data (workflows/children/*.dmn), run through the engine as the case's process runs them:
a small process scores the assessment, applies the three tables and waits at a user task whose data we read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from engine import runtime
from engine.deploy import deploy_sources
from engine.lint import lint_file
from engine.parsing import read_file
from tests.engine.helpers import only_task

pytestmark = pytest.mark.django_db

JURISDICTION = "522601101200"
CHILDREN_DIR = Path(settings.WORKFLOWS_DIR) / "children"
DMN_FILES = ["children_policy.dmn", "children_risk_level.dmn", "children_visits.dmn"]

TEST_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_test_children" targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="test_children_rules" name="儿童保障规则测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_test_children">
      <bpmn:lane id="Lane_supervisor" name="儿童督导员">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="role" value="child_supervisor" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>C_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_policy</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_score</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_flatten</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_level</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_visits</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>C_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="C_start" />
    <bpmn:sequenceFlow id="C1" sourceRef="C_start" targetRef="C_policy" />
    <bpmn:businessRuleTask id="C_policy" name="办理规则">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>children_policy</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="C2" sourceRef="C_policy" targetRef="C_score" />
    <bpmn:serviceTask id="C_score" name="计分">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="children_risk_score" resultVariable="risk_score">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="safety" type="any" value="safety" />
            <spiffworkflow:parameter id="guardianship" type="any" value="guardianship" />
            <spiffworkflow:parameter id="health" type="any" value="health" />
            <spiffworkflow:parameter id="education" type="any" value="education" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="C3" sourceRef="C_score" targetRef="C_flatten" />
    <bpmn:scriptTask id="C_flatten" name="汇总">
      <bpmn:script>risk_highest = risk_score["highest"]
risk_total = risk_score["total"]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="C4" sourceRef="C_flatten" targetRef="C_level" />
    <bpmn:businessRuleTask id="C_level" name="风险等级">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>children_risk_level</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="C5" sourceRef="C_level" targetRef="C_visits" />
    <bpmn:businessRuleTask id="C_visits" name="探访频次">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>children_visits</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="C6" sourceRef="C_visits" targetRef="C_review" />
    <bpmn:userTask id="C_review" name="复核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="review_opinion" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="C7" sourceRef="C_review" targetRef="C_end" />
    <bpmn:endEvent id="C_end" />
  </bpmn:process>
</bpmn:definitions>
"""
SAFE = {"safety": "safe", "guardianship": "effective", "health": "good", "education": "in_school"}


@pytest.fixture
def rules(db):
    sources = [(name, (CHILDREN_DIR / name).read_text(encoding="utf-8")) for name in DMN_FILES]
    outcomes = deploy_sources([*sources, ("test_children_rules.bpmn", TEST_BPMN)])
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]


def run(answers: dict[str, str] | None = None, *, county: str = "522601", as_of: str = "2026-03-02") -> dict:
    data = {"county": county, "as_of": as_of, **SAFE, **(answers or {})}
    instance = runtime.start_process("test_children_rules", jurisdiction=JURISDICTION, data=data)
    return runtime.task_data(only_task(instance).pk)


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
    data = run(county=county, as_of=as_of)
    assert not {"emergency_hours", "risk_level", "visit_interval_days"} & set(data)
