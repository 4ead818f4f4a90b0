"""The engine's actions on the demo approval process, through the public API."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime, worklist
from engine.errors import DefinitionNotFound, InstanceNotRunning, TaskConflict, TaskForbidden
from engine.models import AuditEvent, HumanTask, ProcessInstance, TimerEvent

from ..conftest import VILLAGE
from .helpers import APPLICATION, VISIT, only_task, open_tasks

pytestmark = pytest.mark.django_db


def start(staff, **data):
    return runtime.start_process("demo_assistance", jurisdiction=VILLAGE, actor=staff["village"],
                                 business_key="DB-2026-0001", data=data)


def to_notice(instance, staff):
    runtime.complete_task(only_task(instance).pk, staff["village"], APPLICATION)
    runtime.complete_task(only_task(instance).pk, staff["caseworker"], VISIT)
    runtime.complete_task(only_task(instance).pk, staff["village"], {"decision": "approve", "opinion": "评议通过"})


def test_start_creates_first_task_for_the_village_group(deployed, staff):
    instance = start(staff)
    task = only_task(instance)
    assert instance.status == ProcessInstance.Status.RUNNING
    assert (task.spec_id, task.role, task.jurisdiction) == ("Task_apply", "village_committee", VILLAGE)
    assert task.candidate_group == f"village_committee:{VILLAGE}"
    assert task.form_key == "generic_application"
    assert task.due_at is not None and task.due_at > timezone.now()
    assert task.process_key == "demo_assistance" and task.name == "填写救助申请"


def test_tasks_go_to_the_office_at_the_role_level(deployed, staff):
    instance = start(staff)
    runtime.complete_task(only_task(instance).pk, staff["village"], APPLICATION)
    visit = only_task(instance)
    assert visit.candidate_group == f"township_caseworker:{VILLAGE[:9]}"
    assert list(worklist.group_tasks(staff["caseworker"])) == [visit]
    assert list(worklist.group_tasks(staff["village"])) == []


def test_full_approval_path(deployed, staff):
    with freeze_time(timezone.now()) as clock:
        instance = start(staff)
        to_notice(instance, staff)
        assert open_tasks(instance) == []
        timer = TimerEvent.objects.get(instance=instance, status=TimerEvent.Status.PENDING)
        assert timer.spec_id == "Timer_notice"
        clock.tick(timedelta(days=7, seconds=1))
        assert [t.spec_id for t in runtime.fire_instance_timers(instance.pk)] == ["Timer_notice"]
        runtime.complete_task(only_task(instance).pk, staff["township"], {"decision": "approve", "opinion": "同意"})
        county = only_task(instance)
        assert county.spec_id == "Task_county_approval"
        runtime.complete_task(county.pk, staff["county"], {"decision": "approve", "opinion": "批准"})
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.COMPLETED and instance.ended_at is not None
    assert open_tasks(instance) == []
    assert TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING).count() == 0
    data = runtime.history(instance.pk)
    kinds = [e.kind for e in data]
    assert kinds[0] == "instance.started" and kinds[-1] == "instance.completed"
    assert kinds.count("task.completed") == 5 and "timer.fired" in kinds
    completed = [e for e in data if e.kind == "task.completed"]
    assert completed[0].payload["data"]["applicant_name"] == "张三"
    assert completed[0].actor == staff["village"]


def test_script_task_result_lands_in_task_data(deployed, staff):
    instance = start(staff)
    to_notice(instance, staff)
    with freeze_time(timezone.now() + timedelta(days=8)):
        runtime.fire_instance_timers(instance.pk)
    data = runtime.task_data(only_task(instance).pk)
    assert data["amount"] == 1200.46 and data["notice_days"] == 7


def test_township_refusal_goes_to_refusal_notice(deployed, staff):
    instance = start(staff)
    to_notice(instance, staff)
    with freeze_time(timezone.now() + timedelta(days=8)):
        runtime.fire_instance_timers(instance.pk)
    runtime.complete_task(only_task(instance).pk, staff["township"], {"decision": "refuse", "opinion": "收入超标"})
    notice = only_task(instance)
    assert notice.spec_id == "Task_refusal_notice"
    runtime.complete_task(notice.pk, staff["caseworker"], {"decision": "refuse", "opinion": "已送达"})
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.COMPLETED


def test_outsider_cannot_complete(deployed, staff, make_user):
    instance = start(staff)
    other_village = make_user("other", "village_committee", village="522601102301")
    with pytest.raises(TaskForbidden):
        runtime.complete_task(only_task(instance).pk, other_village, APPLICATION)
    with pytest.raises(TaskForbidden):
        runtime.complete_task(only_task(instance).pk, staff["county"], APPLICATION)
    assert only_task(instance).status == HumanTask.Status.READY


def test_duplicate_completion_is_a_conflict(deployed, staff):
    instance = start(staff)
    task = only_task(instance)
    runtime.complete_task(task.pk, staff["village"], APPLICATION)
    with pytest.raises(TaskConflict, match="already completed by village"):
        runtime.complete_task(task.pk, staff["village"], APPLICATION)
    assert AuditEvent.objects.filter(instance=instance, kind="task.completed").count() == 1


def test_claim_unclaim_and_claimed_by_someone_else(deployed, staff, make_user):
    instance = start(staff)
    colleague = make_user("colleague", "village_committee")
    task = only_task(instance)
    runtime.claim_task(task.pk, staff["village"])
    assert list(worklist.my_tasks(staff["village"])) == [task]
    assert list(worklist.group_tasks(colleague)) == []
    with pytest.raises(TaskConflict, match="claimed by village"):
        runtime.claim_task(task.pk, colleague)
    with pytest.raises(TaskConflict):
        runtime.complete_task(task.pk, colleague, APPLICATION)
    with pytest.raises(TaskConflict):
        runtime.unclaim_task(task.pk, colleague)
    runtime.unclaim_task(task.pk, staff["village"])
    runtime.claim_task(task.pk, colleague)
    runtime.complete_task(task.pk, colleague, APPLICATION)
    kinds = [e.kind for e in runtime.history(instance.pk)]
    assert kinds[:5] == ["instance.started", "task.claimed", "task.unclaimed", "task.claimed", "task.completed"]


def test_reassign_needs_permission_and_a_group_member(deployed, staff, make_user):
    instance = start(staff)
    task = only_task(instance)
    colleague = make_user("colleague", "village_committee")
    with pytest.raises(TaskForbidden):
        runtime.reassign_task(task.pk, staff["admin"], colleague)
    staff["admin"].user_permissions.add(Permission.objects.get(codename="reassign_humantask"))
    admin = type(staff["admin"]).objects.get(pk=staff["admin"].pk)
    with pytest.raises(TaskForbidden):
        runtime.reassign_task(task.pk, admin, staff["county"])
    runtime.reassign_task(task.pk, admin, colleague, reason="原经办人休假")
    task.refresh_from_db()
    assert task.assignee == colleague
    event = runtime.history(instance.pk)[-1]
    assert event.kind == "task.reassigned" and event.payload["to"] == "colleague"


def test_cancel_withdraws_tasks_and_timers(deployed, staff, make_user):
    instance = start(staff)
    to_notice(instance, staff)
    boss = make_user("boss", "county_admin")
    with pytest.raises(TaskForbidden):
        runtime.cancel_instance(instance.pk, boss, reason="申请人撤回申请")
    boss.user_permissions.add(Permission.objects.get(codename="cancel_processinstance"))
    boss = type(boss).objects.get(pk=boss.pk)
    with pytest.raises(ValueError):
        runtime.cancel_instance(instance.pk, boss, reason=" ")
    runtime.cancel_instance(instance.pk, boss, reason="申请人撤回申请")
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.CANCELLED
    assert not TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING).exists()
    with pytest.raises(InstanceNotRunning):
        runtime.cancel_instance(instance.pk, boss, reason="again")
    assert runtime.history(instance.pk)[-1].payload == {"reason": "申请人撤回申请"}


def test_bad_input_is_refused_without_changing_anything(deployed, staff):
    instance = start(staff)
    task = only_task(instance)
    with pytest.raises(ValueError):
        runtime.complete_task(task.pk, staff["village"], {"_private": 1})
    with pytest.raises(ValueError):
        runtime.complete_task(task.pk, staff["village"], {"blob": "x" * 300_000})
    with pytest.raises(ValueError):
        runtime.start_process("demo_assistance", jurisdiction="52-26", actor=staff["village"])
    with pytest.raises(DefinitionNotFound):
        runtime.start_process("no_such_process", jurisdiction=VILLAGE)
    instance.refresh_from_db()
    assert instance.lock_version == 1 and only_task(instance).pk == task.pk


def test_actionable_tasks_lists_mine_and_my_groups(deployed, staff, make_user):
    first = start(staff)
    second = start(staff)
    colleague = make_user("colleague", "village_committee")
    runtime.claim_task(only_task(first).pk, colleague)
    assert list(worklist.actionable_tasks(staff["village"])) == [only_task(second)]
    assert set(worklist.actionable_tasks(colleague)) == {only_task(first), only_task(second)}


def test_a_failing_script_rolls_the_whole_action_back(deployed, staff):
    from engine.errors import ProcessError

    instance = start(staff)
    runtime.complete_task(only_task(instance).pk, staff["village"], {**APPLICATION, "requested_amount": "很多"})
    runtime.complete_task(only_task(instance).pk, staff["caseworker"], VISIT)
    review = only_task(instance)
    instance.refresh_from_db()
    before = (instance.lock_version, instance.state)
    with pytest.raises(ProcessError, match="Script_amount|script"):
        runtime.complete_task(review.pk, staff["village"], {"decision": "approve", "opinion": "通过"})
    instance.refresh_from_db()
    assert (instance.lock_version, instance.state) == before
    review.refresh_from_db()
    assert review.status == HumanTask.Status.READY
    assert not AuditEvent.objects.filter(instance=instance, task_id=str(review.task_id)).exists()


def test_restored_workflows_always_use_the_sandbox(deployed, staff):
    from engine import specs, state
    from engine.script_engine import SANDBOX

    instance = start(staff)
    workflow = state.loads(instance.state, specs.load(instance.definition))
    assert workflow.script_engine is SANDBOX


EMBEDDED_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Defs_embedded_task" targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="embedded_task" name="内嵌子流程中的任务" isExecutable="true">
    <bpmn:laneSet id="LaneSet_embedded">
      <bpmn:lane id="Lane_embedded" name="乡镇审核">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="role" value="township_reviewer" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>Em_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Em_sub</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Em_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Em_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Em_start" />
    <bpmn:sequenceFlow id="Em1" sourceRef="Em_start" targetRef="Em_sub" />
    <bpmn:subProcess id="Em_sub" name="复核">
      <bpmn:startEvent id="Em_sub_start" />
      <bpmn:sequenceFlow id="Em2" sourceRef="Em_sub_start" targetRef="Em_review" />
      <bpmn:userTask id="Em_review" name="复核意见">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="review_opinion" />
        </spiffworkflow:properties></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="Em3" sourceRef="Em_review" targetRef="Em_sub_end" />
      <bpmn:endEvent id="Em_sub_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="Em4" sourceRef="Em_sub" targetRef="Em_end" />
    <bpmn:endEvent id="Em_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_task_of_an_embedded_subprocess_takes_the_role_of_its_lane(db, staff):
    from engine.deploy import deploy_source

    assert deploy_source("embedded_task.bpmn", EMBEDDED_TASK).ok
    instance = runtime.start_process("embedded_task", jurisdiction=VILLAGE)
    task = only_task(instance)
    assert (task.spec_id, task.role, task.candidate_group) == (
        "Em_review", "township_reviewer", f"township_reviewer:{VILLAGE[:9]}")
    runtime.complete_task(task.pk, staff["township"], {"decision": "approve", "opinion": "同意"})
    instance.refresh_from_db()
    assert instance.status == "completed"
