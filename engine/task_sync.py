"""Copy what a workflow waits on into rows: READY human tasks → HumanTask, timers → TimerEvent.

Runs after every engine run inside the action's transaction, so rows and state never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from . import expressions
from .actors import candidate_group, task_jurisdiction
from .errors import ProcessError
from .models import HumanTask, ProcessInstance, TimerEvent
from .specs import LoadedSpec


def _parse_due(value: object, what: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = TimerEventDefinition.parse_time_or_duration(value)
        except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises bare Exception for bad values
            raise ProcessError(f"{what}: '{value}' is not an ISO-8601 date/time") from err
        if isinstance(parsed, datetime):
            return parsed
    raise ProcessError(f"{what}: expected an ISO-8601 date/time, got {type(value).__name__}")


def _human_task_row(instance: ProcessInstance, task, loaded: LoadedSpec) -> HumanTask:  # noqa: ANN001
    spec = task.task_spec
    process_id = task.workflow.spec.name
    role = loaded.role_for(process_id, spec.lane)
    if role is None:
        raise ProcessError(f"task '{spec.bpmn_id}' is in lane '{spec.lane}', which maps to no role")
    props = dict(getattr(spec, "extensions", {}).get("properties", {}))
    jurisdiction = task_jurisdiction(role, instance.jurisdiction)
    due_at = None
    if props.get("dueIn"):
        try:
            value = expressions.evaluate(props["dueIn"], task.data)
        except expressions.ExpressionError as err:
            raise ProcessError(f"task '{spec.bpmn_id}': dueIn failed: {err.reason}") from err
        due_at = _parse_due(value, f"task '{spec.bpmn_id}' dueIn")
    return HumanTask(
        instance=instance,
        task_id=task.id,
        spec_id=spec.bpmn_id or spec.name,
        process_key=instance.process_key,
        name=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane or "",
        role=role,
        jurisdiction=jurisdiction,
        candidate_group=candidate_group(role, jurisdiction),
        form_key=props.get("formKey", ""),
        properties=props,
        due_at=due_at,
    )


@dataclass
class SyncResult:
    created: list[HumanTask]
    withdrawn: list[HumanTask]
    fired_timers: list[TimerEvent]


def sync(instance: ProcessInstance, workflow, loaded: LoadedSpec, *, firing: bool = False) -> SyncResult:  # noqa: ANN001
    """Bring HumanTask and TimerEvent rows in line with ``workflow``.

    With ``firing``, pending timers that the workflow stopped waiting on are marked fired (the
    caller just refreshed timers); otherwise they were cancelled (e.g. a boundary timer whose
    task was completed first).
    """
    ready = {t.id: t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    open_rows = {row.task_id: row for row in HumanTask.objects.filter(instance=instance, status=HumanTask.Status.READY)}
    created = [_human_task_row(instance, task, loaded) for tid, task in ready.items() if tid not in open_rows]
    if created:
        HumanTask.objects.bulk_create(created)
    withdrawn = [row for tid, row in open_rows.items() if tid not in ready]
    if withdrawn:
        HumanTask.objects.filter(pk__in=[r.pk for r in withdrawn]).update(status=HumanTask.Status.WITHDRAWN)
    fired = _sync_timers(instance, workflow, firing=firing)
    return SyncResult(created=created, withdrawn=withdrawn, fired_timers=fired)


def waiting_timers(workflow) -> dict[tuple[UUID, datetime], tuple[str, str, str]]:  # noqa: ANN001
    waiting = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(definition, CycleTimerEventDefinition):
            if not value or value.get("cycles") == 0:
                continue
            value = value["next"]
        if value is None:
            continue
        due = _parse_due(value, f"timer '{task.task_spec.bpmn_id}'")
        waiting[(task.id, due)] = (task.task_spec.bpmn_id or task.task_spec.name, definition.name or "",
                                   type(definition).__name__)
    return waiting


def _sync_timers(instance: ProcessInstance, workflow, *, firing: bool) -> list[TimerEvent]:  # noqa: ANN001
    waiting = waiting_timers(workflow)
    pending = {(row.task_id, row.due_at): row for row in TimerEvent.objects.filter(instance=instance,
                                                                                  status=TimerEvent.Status.PENDING)}
    new_rows = [
        TimerEvent(instance=instance, task_id=tid, due_at=due, spec_id=spec, name=name, kind=kind)
        for (tid, due), (spec, name, kind) in waiting.items()
        if (tid, due) not in pending
    ]
    if new_rows:
        TimerEvent.objects.bulk_create(new_rows)
    gone = [row for key, row in pending.items() if key not in waiting]
    now = timezone.now()
    fired = [row for row in gone if firing and row.due_at <= now]
    if gone:
        if fired:
            TimerEvent.objects.filter(pk__in=[r.pk for r in fired]).update(status=TimerEvent.Status.FIRED, fired_at=now)
        cancelled = [r.pk for r in gone if r not in fired]
        if cancelled:
            TimerEvent.objects.filter(pk__in=cancelled).update(status=TimerEvent.Status.CANCELLED)
    return fired
