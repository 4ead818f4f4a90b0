"""Conflict of interest (回避): a staff member related to the household may not act on its case."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from engine.errors import TaskForbidden
from engine.models import HumanTask

from .models import CaseConflict


def related_staff_recuse(task: HumanTask, actor: Any) -> None:
    if getattr(actor, "pk", None) is None:
        return
    if CaseConflict.objects.filter(case__instance_id=task.instance_id, staff=actor).exists():
        raise TaskForbidden(_("回避：您与本案申请家庭有近亲属关系（已单独登记备案），不能办理本案任务"))
