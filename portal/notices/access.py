"""Whose notice boards a user may see: the villages within the offices of their role groups
(``engine.actors.office_codes``)."""

from __future__ import annotations

from django.db.models import Q


def within(codes: list[str], field: str = "village__code") -> Q:
    """Rows whose ``field`` code lies in one of ``codes``; nothing at all when there are none."""
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{field}__startswith": code})
    return condition


def covers(codes: list[str], village: str) -> bool:
    return any(village.startswith(code) for code in codes)
