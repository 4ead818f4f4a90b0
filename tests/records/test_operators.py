"""The service task operators, run by the engine: the record's hashes land in the instance's chain."""

from __future__ import annotations

import pytest

from engine import audit, runtime
from engine.deploy import deploy_source
from engine.models import AuditEvent
from portal.records import samples, service
from portal.records.models import Record
from portal.records.verify import verify_bytes

from .conftest import VILLAGE

pytestmark = pytest.mark.django_db

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_records" targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="records_signing" name="审批表签章" isExecutable="true">
    <bpmn:laneSet id="LaneSet_r">
      <bpmn:lane id="Lane_county" name="县级">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="role" value="county_approver" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>R_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>R_sign</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>R_countersign</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>R_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="R_start" />
    <bpmn:sequenceFlow id="R1" sourceRef="R_start" targetRef="R_sign" />
    <bpmn:serviceTask id="R_sign" name="乡镇签章">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="render_signed_record" resultVariable="approval_record">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="kind" type="any" value="'approval_form'" />
            <spiffworkflow:parameter id="data" type="any" value="form" />
            <spiffworkflow:parameter id="signer" type="any" value="'赵敏'" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="R2" sourceRef="R_sign" targetRef="R_countersign" />
    <bpmn:serviceTask id="R_countersign" name="县级会签">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="countersign_record" resultVariable="approval_record">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="record_id" type="any" value="approval_record['record_id']" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="R3" sourceRef="R_countersign" targetRef="R_end" />
    <bpmn:endEvent id="R_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_service_tasks_issue_and_countersign_into_the_instance_chain():
    outcome = deploy_source("records_signing.bpmn", BPMN)
    assert outcome.ok, [str(p) for p in outcome.problems]
    # No on-commit callbacks run in this test: the events are written inside the engine's action.
    instance = runtime.start_process("records_signing", jurisdiction=VILLAGE, business_key="DB-2025-0042",
                                     data={"form": samples.approval_form()})
    instance.refresh_from_db()
    record = Record.objects.get(instance=instance)
    assert record.business_key == "DB-2025-0042" and record.signed_slots == ["township", "county"]
    assert instance.status == instance.Status.COMPLETED
    events = AuditEvent.objects.filter(chain=audit.instance_chain(instance.pk), kind="record.signed").order_by("seq")
    assert [e.payload["field"] for e in events] == ["township", "county"]
    kinds = [e.kind for e in runtime.history(instance.pk)]
    assert kinds == ["instance.started", "record.signed", "record.signed", "instance.completed"]
    assert events.last().payload["sha256"] == record.sha256
    assert audit.verify_chains() == []
    report = verify_bytes(service.read(record))
    assert report.ok and report.audit.chain == audit.instance_chain(instance.pk)


def test_an_unknown_kind_fails_the_service_task_and_leaves_nothing(django_capture_on_commit_callbacks):
    outcome = deploy_source("records_signing.bpmn", BPMN.replace("'approval_form'", "'no_such_kind'"))
    assert outcome.ok
    with pytest.raises(Exception, match="no_such_kind"):
        runtime.start_process("records_signing", jurisdiction=VILLAGE, data={"form": {}})
    assert not Record.objects.exists()
