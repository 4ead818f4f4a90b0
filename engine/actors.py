"""Who may act on a task: candidate groups are Django auth groups named ``<role>:<jurisdiction>``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings


def candidate_group(role: str, jurisdiction: str) -> str:
    return f"{role}:{jurisdiction}"


def role_level_digits(role: str) -> int:
    level = settings.ENGINE_ROLES[role]["level"]
    return settings.ENGINE_LEVEL_DIGITS[level]


def task_jurisdiction(role: str, instance_jurisdiction: str) -> str:
    """The code of the office that acts for ``role`` on a case located at ``instance_jurisdiction``."""
    return instance_jurisdiction[: role_level_digits(role)]


def user_groups(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_engine_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._engine_groups = cached
    return cached


def user_offices(user: Any) -> list[tuple[str, str]]:
    """(role, jurisdiction code) of each of the user's ``<role>:<code>`` groups, for the roles the engine knows."""
    offices = []
    for name in user_groups(user):
        role, _, code = name.partition(":")
        if role in settings.ENGINE_ROLES and code.isdigit():
            offices.append((role, code))
    return sorted(offices)


def office_codes(user: Any, roles: Iterable[str] | None = None) -> list[str]:
    """The jurisdiction codes of the user's offices, of any role or only of ``roles``."""
    wanted = None if roles is None else set(roles)
    return sorted({code for role, code in user_offices(user) if wanted is None or role in wanted})


def actor_label(user: Any) -> str:
    if user is None:
        return "system"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{user.get_username()} ({full})" if full else user.get_username()
