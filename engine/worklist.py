"""Worklist queries, answered from HumanTask rows alone (no workflow is deserialized)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .actors import user_groups
from .models import HumanTask


def open_tasks() -> QuerySet[HumanTask]:
    return HumanTask.objects.filter(status=HumanTask.Status.READY)


def my_tasks(user: Any) -> QuerySet[HumanTask]:
    """Tasks claimed by or assigned to ``user``."""
    return open_tasks().filter(assignee=user).order_by("due_at", "created_at")


def group_tasks(user: Any, *, unclaimed_only: bool = True) -> QuerySet[HumanTask]:
    """Tasks offered to any of ``user``'s candidate groups."""
    qs = open_tasks().filter(candidate_group__in=sorted(user_groups(user)))
    if unclaimed_only:
        qs = qs.filter(assignee__isnull=True)
    return qs.order_by("due_at", "created_at")


def actionable_tasks(user: Any) -> QuerySet[HumanTask]:
    """Everything ``user`` can act on now: theirs, and their groups' unclaimed tasks."""
    groups = sorted(user_groups(user))
    return (
        open_tasks()
        .filter(Q(assignee=user) | Q(assignee__isnull=True, candidate_group__in=groups))
        .order_by("due_at", "created_at")
    )
