"""Copy what a workflow waits on into rows: READY human tasks → HumanTask, timers → TimerEvent.

An action takes a ``Snapshot`` of the restored workflow before it acts and calls ``apply`` after,
inside its transaction: rows change exactly where the workflow changed, without reading them back.
Rows and state are written together under the instance lock, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_
from uuid import UUID

from django.conf import settings
from django.db.models import Q
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


@dataclass(frozen=True)
class WaitingTimer:
    task_id: UUID
    due_at: datetime
    spec_id: str
    name: str
    kind: str


@dataclass
class Snapshot:
    """What a workflow waits on: READY human tasks and pending timers."""

    ready: dict[UUID, object] = field(default_factory=dict)
    timers: dict[tuple[UUID, datetime], WaitingTimer] = field(default_factory=dict)

    @property
    def next_due(self) -> datetime | None:
        return min((t.due_at for t in self.timers.values()), default=None)


@dataclass
class SyncResult:
    created: list[HumanTask]
    withdrawn: list[UUID]
    fired_timers: list[WaitingTimer]
    next_due: datetime | None


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


def snapshot(workflow) -> Snapshot:  # noqa: ANN001
    snap = Snapshot(ready={t.id: t for t in workflow.get_tasks(state=TaskState.READY, manual=True)})
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
        snap.timers[(task.id, due)] = WaitingTimer(
            task.id, due, task.task_spec.bpmn_id or task.task_spec.name, definition.name or "",
            type(definition).__name__,
        )
    return snap


def _lane_role(task, loaded: LoadedSpec) -> str | None:  # noqa: ANN001
    """The role of the task's lane, looked up in the process that owns the lane: a task of an embedded
    sub-process sits in a lane of the enclosing process; a called process has lanes of its own."""
    workflow = task.workflow
    while True:
        role = loaded.role_for(workflow.spec.name, task.task_spec.lane)
        if role is not None or workflow.parent_task_id is None:
            return role
        parent = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if parent is None:
            return None
        workflow = parent.workflow


def _human_task_row(instance: ProcessInstance, task, loaded: LoadedSpec) -> HumanTask:  # noqa: ANN001
    spec = task.task_spec
    role = _lane_role(task, loaded)
    if role is None:
        raise ProcessError(f"task '{spec.bpmn_id}' is in lane '{spec.lane}', which maps to no role")
    county = instance.jurisdiction[: settings.ENGINE_LEVEL_DIGITS["county"]]
    role = settings.ENGINE_ROLE_OVERRIDES.get(county, {}).get(role, role)
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


def _pairs(timers: list[WaitingTimer]) -> Q:
    return reduce(or_, (Q(task_id=t.task_id, due_at=t.due_at) for t in timers))


def apply(
    instance: ProcessInstance,
    before: Snapshot,
    workflow,  # noqa: ANN001
    loaded: LoadedSpec,
    *,
    completed: UUID | None = None,
    firing: bool = False,
) -> SyncResult:
    """Write the difference between ``before`` and ``workflow`` now.

    ``completed`` is the task the action completed (its row is updated by the action). With
    ``firing``, timers the workflow stopped waiting on that were due are recorded as fired; the
    others (a boundary timer whose task finished first) as cancelled.
    """
    after = snapshot(workflow)
    created = [_human_task_row(instance, task, loaded) for tid, task in after.ready.items() if tid not in before.ready]
    if created:
        HumanTask.objects.bulk_create(created)
    withdrawn = [tid for tid in before.ready if tid not in after.ready and tid != completed]
    if withdrawn:
        HumanTask.objects.filter(instance=instance, task_id__in=withdrawn, status=HumanTask.Status.READY).update(
            status=HumanTask.Status.WITHDRAWN
        )

    new_timers = [t for key, t in after.timers.items() if key not in before.timers]
    if new_timers:
        TimerEvent.objects.bulk_create(
            TimerEvent(instance=instance, task_id=t.task_id, due_at=t.due_at, spec_id=t.spec_id, name=t.name,
                       kind=t.kind)
            for t in new_timers
        )
    now = timezone.now()
    gone = [t for key, t in before.timers.items() if key not in after.timers]
    fired = [t for t in gone if firing and t.due_at <= now]
    cancelled = [t for t in gone if t not in fired]
    pending = TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING)
    if fired:
        pending.filter(_pairs(fired)).update(status=TimerEvent.Status.FIRED, fired_at=now)
    if cancelled:
        pending.filter(_pairs(cancelled)).update(status=TimerEvent.Status.CANCELLED)
    return SyncResult(created=created, withdrawn=withdrawn, fired_timers=fired, next_due=after.next_due)
