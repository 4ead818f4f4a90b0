"""Separation of duties declared in the BPMN: a user task's ``separateFrom`` property lists task ids
(of this process or of the processes it calls) whose completers may not act on it, e.g. the county
approval lists the home visit and the township review:

    <spiffworkflow:property name="separateFrom" value="Task_home_visit, Task_township_review" />

and a co-signature (``cosignOf``) must come from someone other than whoever did the latest
completion of the task it countersigns (the second investigator of a home visit).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .errors import TaskForbidden
from .models import HumanTask


def separated_task_ids(task: HumanTask) -> list[str]:
    value = (task.properties or {}).get("separateFrom", "")
    return [part.strip() for part in str(value).split(",") if part.strip()]


def separate_from(task: HumanTask, actor: Any) -> None:
    """Refuse ``actor`` on ``task`` when they completed one of the tasks it must be separate from."""
    spec_ids = separated_task_ids(task)
    if not spec_ids or getattr(actor, "pk", None) is None:
        return
    done = (
        HumanTask.objects.filter(instance_id=task.instance_id, spec_id__in=spec_ids, completed_by=actor,
                                 status=HumanTask.Status.COMPLETED)
        .values_list("name", flat=True)
        .first()
    )
    if done is not None:
        raise TaskForbidden(
            _("职责分离：您已在本案办理“%(done)s”，不能再办理“%(task)s”") % {"done": done, "task": task.name}
        )


def cosign_of(task: HumanTask, actor: Any) -> None:
    """Refuse ``actor`` on a co-signature task when they completed the latest run of the signed task."""
    spec_id = str((task.properties or {}).get("cosignOf", "")).strip()
    if not spec_id or getattr(actor, "pk", None) is None:
        return
    latest = (
        HumanTask.objects.filter(instance_id=task.instance_id, spec_id=spec_id, status=HumanTask.Status.COMPLETED)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if latest is not None and latest.completed_by_id == actor.pk:
        raise TaskForbidden(
            _("会签须由另一名工作人员办理：“%(done)s”是您本人办理的") % {"done": latest.name}
        )
