"""Where a case's process stands: per diagram, the BPMN element ids that are done and current.

One deserialization of the instance's workflow answers it. The top-level process and its embedded
sub-processes are elements of one file, the instance's definition, so they share one diagram. Each
call activity's sub-workflow runs the called process, drawn in that process's own file: the version
the definition pinned at deploy time (``ProcessDefinition.dependencies``, which also carries the
pins of nested calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from engine import specs, state
from engine.models import ProcessDefinition, ProcessInstance

MAIN = "main"
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class DiagramProgress:
    """One diagram to show: the main process, or one run of a call activity."""

    ref: str  # "main", or the call activity's task id
    process: str  # the id of the process drawn
    name: str
    definition_id: int | None  # the ProcessDefinition whose file draws it
    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    parent: str = ""  # ref of the diagram holding the call activity
    called_from: str = ""  # the call activity's element id there
    finished: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "process": self.process, "name": self.name, "done": self.done,
                "current": self.current, "parent": self.parent, "calledFrom": self.called_from,
                "finished": self.finished}


def called_definition_id(definition: ProcessDefinition, process: str) -> int | None:
    """The pinned definition drawing ``process``, a process called (directly or not) by ``definition``."""
    if process == definition.key or process in (definition.provides or []):
        return definition.pk
    pin = (definition.dependencies or {}).get(f"process:{process}")
    return pin["id"] if pin else None


def instance_progress(instance: ProcessInstance) -> list[DiagramProgress]:
    """The main diagram first, then each call activity's sub-workflow in the order the process reached it."""
    definition = instance.definition
    workflow = state.loads(instance.state, specs.load_by_id(instance.definition_id))
    ended = instance.status in (ProcessInstance.Status.COMPLETED, ProcessInstance.Status.CANCELLED)

    title = _(definition.name) if definition.name else definition.key
    diagrams = {MAIN: DiagramProgress(MAIN, definition.key, title, definition.pk,
                                      finished=ended or workflow.completed)}
    owner_of: dict[UUID | None, str] = {None: MAIN}  # workflow (by its parent task id) → diagram ref

    def owner(parent_task_id: UUID | None) -> str:
        if parent_task_id in owner_of:
            return owner_of[parent_task_id]
        parent_task = workflow.get_task_from_id(parent_task_id)
        if isinstance(parent_task.task_spec, CallActivity):
            ref = str(parent_task_id)
            sub = workflow.subprocesses[parent_task_id]
            diagrams[ref] = DiagramProgress(
                ref, sub.spec.name, _(sub.spec.description) if sub.spec.description else sub.spec.name,
                called_definition_id(definition, sub.spec.name),
                parent=owner(parent_task.workflow.parent_task_id), called_from=parent_task.task_spec.bpmn_id,
                finished=ended or sub.completed,
            )
        else:  # an embedded sub-process: drawn in the diagram that holds it
            ref = owner(parent_task.workflow.parent_task_id)
        owner_of[parent_task_id] = ref
        return ref

    # Depth-first over every task, sub-workflows included: call activities come out in process order.
    done: dict[str, set[str]] = {}
    current: dict[str, set[str]] = {}
    for task in workflow.get_tasks():
        bpmn_id = task.task_spec.bpmn_id
        if task.id in workflow.subprocesses:
            owner(task.id)
        if not bpmn_id:
            continue  # the engine's own bookkeeping tasks (Start, End, joins)
        ref = owner(task.workflow.parent_task_id)
        if task.state == TaskState.COMPLETED:
            done.setdefault(ref, set()).add(bpmn_id)
        elif task.state & ACTIVE and not ended:
            current.setdefault(ref, set()).add(bpmn_id)
    # A call activity is current while anything in its sub-workflow is.
    for diagram in sorted(diagrams.values(), key=lambda d: -_depth(d, diagrams)):
        if diagram.parent and current.get(diagram.ref):
            current.setdefault(diagram.parent, set()).add(diagram.called_from)
    runs: dict[tuple[str, str], list[DiagramProgress]] = {}
    for ref, diagram in diagrams.items():
        diagram.current = sorted(current.get(ref, set()))
        diagram.done = sorted(done.get(ref, set()) - current.get(ref, set()))
        if diagram.parent:
            runs.setdefault((diagram.parent, diagram.called_from), []).append(diagram)
    for repeated in runs.values():
        if len(repeated) > 1:  # a call activity reached again (a loop back): number its runs
            for n, diagram in enumerate(repeated, start=1):
                diagram.name = _("%(name)s（第 %(n)d 次）") % {"name": diagram.name, "n": n}
    return list(diagrams.values())


def _depth(diagram: DiagramProgress, diagrams: dict[str, DiagramProgress]) -> int:
    depth = 0
    while diagram.parent:
        diagram, depth = diagrams[diagram.parent], depth + 1
    return depth
