"""Who may see a case: the offices of its village, township and county (django-guardian).

Opening a case grants ``cases.view_case`` on it to every role group of the case's jurisdiction at
that role's level (``<role>:<code>``, the same groups that receive its tasks). Views look cases up
through ``visible_cases(user)``, so a case of another township does not exist for the user (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from engine.actors import candidate_group, task_jurisdiction

from .models import Case

VIEW_CASE = "cases.view_case"


def office_groups(jurisdiction: str) -> list[Group]:
    groups = []
    for role in settings.ENGINE_ROLES:
        name = candidate_group(role, task_jurisdiction(role, jurisdiction))
        groups.append(Group.objects.get_or_create(name=name)[0])
    return groups


def grant_case_access(case: Case) -> None:
    for group in office_groups(case.household.village_id):
        assign_perm(VIEW_CASE, group, case)


def visible_cases(user: Any) -> QuerySet[Case]:
    return get_objects_for_user(user, VIEW_CASE, klass=Case, accept_global_perms=False)
