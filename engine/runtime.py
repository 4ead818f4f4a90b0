"""The engine's actions. Each runs in one transaction with the instance row locked:

lock → restore the workflow → act → run engine steps → save → sync task/timer rows → audit →
``transaction.on_commit`` to enqueue follow-up work. Nothing is half-done: if the process fails
(a script error, an operator failure), the action raises and the instance stays as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import audit, specs, state, task_sync
from .actors import user_groups
from .errors import (
    DefinitionNotFound,
    InstanceNotFound,
    InstanceNotRunning,
    ProcessError,
    TaskConflict,
    TaskForbidden,
    TaskNotFound,
    causes,
)
from .expressions import ExpressionError
from .models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, TimerEvent
from .operators import OperatorContext, OperatorRefusal

MAX_TASK_DATA_BYTES = 256 * 1024


@dataclass
class _Session:
    instance: ProcessInstance
    workflow: Any
    loaded: specs.LoadedSpec
    before: task_sync.Snapshot


def _context(instance: ProcessInstance) -> OperatorContext:
    def record_event(kind: str, payload: dict[str, Any], actor: Any = None) -> AuditEvent:
        # The action holds the instance lock and saves the chain head with the new state.
        return audit.append(kind, actor=actor, instance=instance, payload=payload)

    return OperatorContext(
        instance_id=instance.pk,
        process_key=instance.process_key,
        jurisdiction=instance.jurisdiction,
        business_key=instance.business_key,
        task_spec="",
        record_event=record_event,
    )


def error_text(err: BaseException) -> str:
    """The message of a process error. SpiffWorkflow's own ``__str__`` can itself fail (its "did you mean"
    hint chokes on our expression errors), which must not turn a rolled-back action into a crash."""
    try:
        return str(err)
    except Exception:  # noqa: BLE001 - any failure to format still leaves the original error to report
        return f"{type(err).__name__}: {'; '.join(str(a) for a in err.args)}"


def process_error(where: str, err: BaseException) -> ProcessError:
    """A ``ProcessError`` for ``err`` raised at ``where``, carrying the message of the operator refusal
    that caused it (SpiffWorkflow wraps it in its own exception), if one did."""
    refusal = next((str(cause) for cause in causes(err) if isinstance(cause, OperatorRefusal)), None)
    return ProcessError(f"{where}: {error_text(err)}", refusal=refusal)


def _run_engine(session: _Session) -> None:
    try:
        session.workflow.do_engine_steps()
    except (SpiffWorkflowException, ExpressionError) as err:
        raise process_error(session.instance.process_key, err) from err


_STATE_FIELDS = ["state", "lock_version", "status", "ended_at", "audit_seq", "audit_head", "updated_at"]
_HEAD_FIELDS = ["audit_seq", "audit_head", "updated_at"]


def _save(session: _Session, *, completed: UUID | None = None, firing: bool = False) -> task_sync.SyncResult:
    """Write the workflow's new state, its task/timer rows and the resulting audit events."""
    instance, workflow = session.instance, session.workflow
    instance.state = state.dumps(workflow)
    instance.lock_version += 1
    result = task_sync.apply(instance, session.before, workflow, session.loaded, completed=completed, firing=firing)
    for timer in result.fired_timers:
        audit.append("timer.fired", instance=instance, task_id=str(timer.task_id),
                     payload={"timer": timer.spec_id, "name": timer.name, "due_at": timer.due_at})
    if workflow.completed and instance.status == ProcessInstance.Status.RUNNING:
        instance.status = ProcessInstance.Status.COMPLETED
        instance.ended_at = timezone.now()
        audit.append("instance.completed", instance=instance, payload={"ended_at": instance.ended_at})
    instance.save(update_fields=_STATE_FIELDS)
    _schedule_next_timer(instance.pk, result.next_due)
    return result


def _schedule_next_timer(instance_id: int, next_due: Any) -> None:
    """Enqueue the instance's next timer once this transaction commits, so it fires on time.

    Celery beat's periodic sweep is the safety net; firing is idempotent, so both may deliver it.
    """
    if next_due is None or settings.INPROCESS_WORKER:
        return
    from .tasks import fire_instance_timers

    transaction.on_commit(lambda: fire_instance_timers.apply_async((instance_id,), eta=next_due))


def _open(instance: ProcessInstance) -> _Session:
    loaded = specs.load_by_id(instance.definition_id)
    workflow = state.loads(instance.state, loaded)
    workflow.doudi_context = _context(instance)
    return _Session(instance, workflow, loaded, task_sync.snapshot(workflow))


@contextmanager
def _locked(instance_id: int) -> Iterator[ProcessInstance]:
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().filter(pk=instance_id).first()
        if instance is None:
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
        yield instance


@contextmanager
def _locked_task(task_pk: int) -> Iterator[HumanTask]:
    """Lock the task's instance (one statement), then read the task row as it is under the lock.

    The task comes with ``.instance`` set to the locked instance; nothing is deserialized yet.
    """
    with transaction.atomic():
        try:
            instance = ProcessInstance.objects.select_for_update(of=("self",)).get(human_tasks__pk=task_pk)
        except ProcessInstance.DoesNotExist:
            raise TaskNotFound(f"task {task_pk} does not exist") from None
        row = HumanTask.objects.select_related("assignee").get(pk=task_pk)
        row.instance = instance
        yield row


def _json_data(data: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and not k.startswith("_") for k in data):
        raise ValueError(f"{what} must be a mapping of field names (not starting with '_') to values")
    encoded = json.dumps(audit.to_json_data(data), ensure_ascii=False)
    if len(encoded.encode("utf-8")) > MAX_TASK_DATA_BYTES:
        raise ValueError(f"{what} is larger than {MAX_TASK_DATA_BYTES // 1024} KiB; store documents by reference")
    return data


def current_definition(key: str) -> ProcessDefinition:
    now = timezone.now()
    definition = (
        ProcessDefinition.objects.filter(key=key, kind=ProcessDefinition.Kind.BPMN,
                                         status=ProcessDefinition.Status.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=now))
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise DefinitionNotFound(f"no deployed process '{key}' is in effect")
    return definition


def start_process(
    key: str,
    *,
    jurisdiction: str,
    actor: Any = None,
    subject: Any = None,
    business_key: str = "",
    data: dict[str, Any] | None = None,
) -> ProcessInstance:
    """Start the version of process ``key`` in effect now for a case located at ``jurisdiction``."""
    if not jurisdiction.isdigit() or len(jurisdiction) not in settings.ENGINE_LEVEL_DIGITS.values():
        raise ValueError("jurisdiction must be a GB/T 2260-style code of 2, 4, 6, 9 or 12 digits")
    data = _json_data(data, "start data")
    definition = current_definition(key)
    loaded = specs.load_by_id(definition.pk)
    workflow = state.new_workflow(loaded)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    with transaction.atomic():
        instance = ProcessInstance(
            definition=definition,
            process_key=definition.key,
            jurisdiction=jurisdiction,
            business_key=business_key,
            started_by=actor if getattr(actor, "pk", None) else None,
            state="",
        )
        if subject is not None:
            instance.subject_type = ContentType.objects.get_for_model(subject)
            instance.subject_id = str(subject.pk)
        instance.save()
        audit.append(
            "instance.started",
            actor=actor,
            instance=instance,
            payload={"key": definition.key, "version": definition.version, "jurisdiction": jurisdiction,
                     "business_key": business_key, "data": data},
        )
        session = _Session(instance, workflow, loaded, task_sync.Snapshot())
        workflow.doudi_context = _context(instance)
        _run_engine(session)
        _save(session)
    return instance


def _check_open(row: HumanTask) -> None:
    if row.status == HumanTask.Status.COMPLETED:
        who = row.completed_by.get_username() if row.completed_by_id else "someone"
        raise TaskConflict(f"task '{row.name}' was already completed by {who} at {row.completed_at:%Y-%m-%d %H:%M}")
    if row.status != HumanTask.Status.READY:
        raise TaskConflict(f"task '{row.name}' is no longer open (it was withdrawn by the process)")


def _check_actor(row: HumanTask, actor: Any) -> None:
    if actor is None:
        return  # the system itself (operators, migrations)
    if row.assignee_id is not None and row.assignee_id != actor.pk:
        raise TaskConflict(f"task '{row.name}' is claimed by {row.assignee.get_username()}")
    if row.assignee_id != actor.pk and row.candidate_group not in user_groups(actor):
        raise TaskForbidden(f"you are not in the group that handles '{row.name}'")
    for path in settings.ENGINE_TASK_POLICIES:
        import_string(path)(row, actor)


def complete_task(task_pk: int, actor: Any, data: dict[str, Any] | None = None) -> HumanTask:
    """Complete a READY human task with the submitted ``data`` and run the process on.

    Raises ``TaskConflict`` when the task was completed, withdrawn or claimed by someone else
    meanwhile (of two simultaneous completions exactly one succeeds), ``TaskForbidden`` when the
    actor is not a candidate.
    """
    data = _json_data(data, "task data")
    with _locked_task(task_pk) as row:
        if row.instance.status != ProcessInstance.Status.RUNNING:
            raise InstanceNotRunning(f"process instance {row.instance.pk} is {row.instance.status}")
        _check_open(row)
        _check_actor(row, actor)
        session = _open(row.instance)
        task = session.workflow.get_task_from_id(row.task_id)
        if task is None or task.state != TaskState.READY:
            raise TaskConflict(f"task '{row.name}' is not ready in the process any more")
        task.data.update(data)
        try:
            task.run()
        except (SpiffWorkflowException, ExpressionError) as err:
            raise process_error(row.name, err) from err
        # The completion is recorded before the process runs on, so the service tasks that follow
        # (records naming who decided) see it, and the chain lists events in the order they happened.
        row.status = HumanTask.Status.COMPLETED
        row.completed_at = timezone.now()
        row.completed_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["status", "completed_at", "completed_by"])
        audit.append(
            "task.completed",
            actor=actor,
            instance=session.instance,
            task_id=str(row.task_id),
            payload={"task": row.spec_id, "name": row.name, "form_key": row.form_key, "data": data},
        )
        _run_engine(session)
        _save(session, completed=row.task_id)
    return row


def claim_task(task_pk: int, actor: Any) -> HumanTask:
    with _locked_task(task_pk) as row:
        _check_open(row)
        if row.assignee_id == actor.pk:
            return row
        _check_actor(row, actor)
        row.assignee = actor
        row.save(update_fields=["assignee"])
        audit.append("task.claimed", actor=actor, instance=row.instance, task_id=str(row.task_id),
                     payload={"task": row.spec_id})
        row.instance.save(update_fields=_HEAD_FIELDS)
    return row


def unclaim_task(task_pk: int, actor: Any) -> HumanTask:
    with _locked_task(task_pk) as row:
        _check_open(row)
        if row.assignee_id != actor.pk:
            raise TaskConflict(f"task '{row.name}' is not claimed by you")
        row.assignee = None
        row.save(update_fields=["assignee"])
        audit.append("task.unclaimed", actor=actor, instance=row.instance, task_id=str(row.task_id),
                     payload={"task": row.spec_id})
        row.instance.save(update_fields=_HEAD_FIELDS)
    return row


def reassign_task(task_pk: int, actor: Any, to_user: Any, *, reason: str = "") -> HumanTask:
    """Give an open task to ``to_user`` (who must be in its group); needs ``engine.reassign_humantask``."""
    if not actor.has_perm("engine.reassign_humantask"):
        raise TaskForbidden("you may not reassign tasks")
    with _locked_task(task_pk) as row:
        _check_open(row)
        if row.candidate_group not in user_groups(to_user):
            raise TaskForbidden(f"{to_user.get_username()} is not in the group that handles '{row.name}'")
        previous = row.assignee.get_username() if row.assignee_id else None
        row.assignee = to_user
        row.save(update_fields=["assignee"])
        audit.append("task.reassigned", actor=actor, instance=row.instance, task_id=str(row.task_id),
                     payload={"task": row.spec_id, "from": previous, "to": to_user.get_username(), "reason": reason})
        row.instance.save(update_fields=_HEAD_FIELDS)
    return row


def cancel_instance(instance_id: int, actor: Any, *, reason: str) -> ProcessInstance:
    """Terminate a running instance; open tasks are withdrawn and timers cancelled."""
    if actor is not None and not actor.has_perm("engine.cancel_processinstance"):
        raise TaskForbidden("you may not cancel process instances")
    if not reason.strip():
        raise ValueError("a reason is required to cancel a process")
    with _locked(instance_id) as instance:
        if instance.status != ProcessInstance.Status.RUNNING:
            raise InstanceNotRunning(f"process instance {instance.pk} is {instance.status}")
        session = _open(instance)
        session.workflow.cancel()
        instance.status = ProcessInstance.Status.CANCELLED
        instance.ended_at = timezone.now()
        instance.state = state.dumps(session.workflow)
        instance.lock_version += 1
        HumanTask.objects.filter(instance=instance, status=HumanTask.Status.READY).update(
            status=HumanTask.Status.WITHDRAWN
        )
        TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING).update(
            status=TimerEvent.Status.CANCELLED
        )
        audit.append("instance.cancelled", actor=actor, instance=instance, payload={"reason": reason})
        instance.save(update_fields=_STATE_FIELDS)
    return instance


def fire_instance_timers(instance_id: int) -> list[task_sync.WaitingTimer]:
    """Fire the instance's due timers. Idempotent: a second delivery finds nothing due and does nothing."""
    now = timezone.now()
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().filter(pk=instance_id).first()
        if instance is None:
            return []
        due = TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING, due_at__lte=now)
        if not due.exists():
            return []  # already fired (a redelivery, or a concurrent delivery that held the lock first)
        if instance.status != ProcessInstance.Status.RUNNING:
            due.update(status=TimerEvent.Status.CANCELLED)
            return []
        session = _open(instance)
        session.workflow.refresh_timers()
        _run_engine(session)
        result = _save(session, firing=True)
    return result.fired_timers


def due_timer_instances(limit: int = 1000) -> list[int]:
    return list(
        TimerEvent.objects.filter(status=TimerEvent.Status.PENDING, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("instance_id", flat=True)
        .distinct()[:limit]
    )


def task_data(task_pk: int) -> dict[str, Any]:
    """The data a READY task sees (for rendering its form); deserializes one workflow."""
    row = HumanTask.objects.select_related("instance").get(pk=task_pk)
    loaded = specs.load_by_id(row.instance.definition_id)
    workflow = state.loads(row.instance.state, loaded)
    task = workflow.get_task_from_id(UUID(str(row.task_id)))
    return audit.to_json_data(task.data) if task is not None else {}


def history(instance_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(instance_id=instance_id).order_by("seq").select_related("actor"))


def system_history(business_key: str) -> list[AuditEvent]:
    """Events of the system chain about ``business_key`` (a case without a process: imported, say), oldest first."""
    # The lookup matches the expression of the index engine_audit_business_key.
    return list(AuditEvent.objects.filter(instance__isnull=True, payload__business_key=business_key)
                .order_by("seq").select_related("actor"))


def record_event(instance_id: int, kind: str, *, actor: Any = None, payload: dict[str, Any] | None = None,
                 task_id: str = "") -> AuditEvent:
    """Append an event that happened outside the engine (a record signed, a case viewed) to the
    instance's audit chain, under the instance lock like every other link of that chain."""
    with _locked(instance_id) as instance:
        event = audit.append(kind, actor=actor, instance=instance, task_id=task_id, payload=payload)
        instance.save(update_fields=_HEAD_FIELDS)
    return event
