from __future__ import annotations

from engine.models import HumanTask, ProcessInstance

APPLICATION = {"applicant_name": "张三", "household_size": 3, "requested_amount": 1200.456}
VISIT = {"visited_on": "2026-12-01", "investigators": ["李四", "王五"], "findings": "家庭困难属实"}


def open_tasks(instance: ProcessInstance) -> list[HumanTask]:
    return list(HumanTask.objects.filter(instance=instance, status=HumanTask.Status.READY).order_by("pk"))


def only_task(instance: ProcessInstance, spec_id: str | None = None) -> HumanTask:
    tasks = open_tasks(instance)
    if spec_id is not None:
        tasks = [t for t in tasks if t.spec_id == spec_id]
    assert len(tasks) == 1, [t.spec_id for t in open_tasks(instance)]
    return tasks[0]
