"""Whose notice boards a user may see: the villages within the offices of their role groups."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from engine.actors import user_groups


def office_codes(user: Any) -> list[str]:
    """The jurisdiction codes of the user's ``<role>:<code>`` groups, for the roles the engine knows."""
    codes = set()
    for name in user_groups(user):
        role, _, code = name.partition(":")
        if role in settings.ENGINE_ROLES and code.isdigit():
            codes.add(code)
    return sorted(codes)


def within(codes: list[str], field: str = "village__code") -> Q:
    """Rows whose ``field`` code lies in one of ``codes``; nothing at all when there are none."""
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{field}__startswith": code})
    return condition


def covers(codes: list[str], village: str) -> bool:
    return any(village.startswith(code) for code in codes)
