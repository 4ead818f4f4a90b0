"""The operator in a running process: a BPMN service task verifies the instance's case."""

from __future__ import annotations

import pytest

from engine import runtime
from engine.audit import verify_chains
from engine.deploy import deploy_sources
from engine.errors import ProcessError
from engine.models import AuditEvent
from tests.engine.helpers import only_task

from .conftest import BUSINESS_KEY, HEAD, SPOUSE, VILLAGE

pytestmark = pytest.mark.django_db

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_test_verification" targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="test_verification" name="家庭经济状况核对测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_v">
      <bpmn:lane id="Lane_township" name="乡镇">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="role" value="township_reviewer" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>V_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>V_verify</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>V_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>V_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="V_start" />
    <bpmn:sequenceFlow id="V1" sourceRef="V_start" targetRef="V_verify" />
    <bpmn:serviceTask id="V_verify" name="家庭经济状况核对">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="verify_household_economy" resultVariable="verification">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="standard" type="any" value="standard" />
            <spiffworkflow:parameter id="asset_limit_months" type="any" value="asset_limit_months" />
            <spiffworkflow:parameter id="as_of" type="any" value="as_of" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="V2" sourceRef="V_verify" targetRef="V_review" />
    <bpmn:userTask id="V_review" name="乡镇审核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="review_opinion" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="V3" sourceRef="V_review" targetRef="V_end" />
    <bpmn:endEvent id="V_end" />
  </bpmn:process>
</bpmn:definitions>
"""

DATA = {"standard": 800, "asset_limit_months": 12, "as_of": "2025-03-01"}


@pytest.fixture
def process(db):
    outcomes = deploy_sources([("test_verification.bpmn", BPMN)])
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]


def test_service_task_verifies_the_case_and_audits_it(process, build):
    case = build()
    case.member("张大山", HEAD)
    case.member("李桂花", SPOUSE, relation="spouse")
    case.registry(HEAD, "social_insurance", "income", "养老金", "1850.00")
    instance = runtime.start_process("test_verification", jurisdiction=VILLAGE, business_key=BUSINESS_KEY, data=DATA)
    data = runtime.task_data(only_task(instance, "V_review").pk)
    result = data["verification"]
    assert result["assessed_monthly_income"] == 1850.0 and result["consistent"] is False
    assert result["eligible_by_verification"] is False
    event = AuditEvent.objects.get(kind="verification.completed")
    assert event.instance_id == instance.pk and event.payload["discrepancies"] == 1
    assert verify_chains() == []


def test_a_process_without_a_case_fails_with_the_operator_message(process, build):
    with pytest.raises(ProcessError, match="no case has business key"):
        runtime.start_process("test_verification", jurisdiction=VILLAGE, business_key="DIBAO-NONE", data=DATA)
