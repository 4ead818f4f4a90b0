"""Opening cases: the household-level checks that prevent 死人保 and 违规保人不保户, then the process."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import runtime

from .models import Case, Household, Program
from .permissions import grant_case_access


class CaseRefused(Exception):
    """The case cannot be opened; ``problems`` lists every reason (no ID numbers in them)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _lock_people(resident_ids: list[str]) -> None:
    """Serialise case openings that involve the same people (PostgreSQL advisory locks).

    SQLite needs nothing: its IMMEDIATE transactions already run one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({int.from_bytes(hashlib.sha256(r.encode()).digest()[:8], "big", signed=True) for r in resident_ids})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def check_household(household: Household, program: Program, members: list | None = None) -> list[str]:
    problems = []
    members = list(household.members.all()) if members is None else members
    if not members:
        problems.append(_("家庭没有成员"))
    if not any(m.relation == m.Relation.HEAD for m in members):
        problems.append(_("家庭没有登记户主"))
    for member in members:
        if member.deceased:
            problems.append(_("成员 %(name)s 已死亡，须先办理成员变更") % {"name": member.name})
    if Case.objects.filter(household=household, program=program, status=Case.Status.OPEN).exists():
        problems.append(_("该家庭已有在办的%(program)s案件") % {"program": program.name})
    if program.exclusive_membership:
        clashes = (
            Case.objects.filter(program=program, status=Case.Status.OPEN,
                                household__members__resident_id__in=[m.resident_id for m in members])
            .exclude(household=household)
            .values_list("business_key", "household__members__name")
            .distinct()
        )
        for business_key, name in clashes:
            if any(m.name == name for m in members):
                message = _("成员 %(name)s 已在其他家庭的在办案件 %(case)s 中")
                problems.append(message % {"name": name, "case": business_key})
    return problems


def open_case(household: Household, program: Program, *, actor: Any, data: dict[str, Any] | None = None) -> Case:
    """Check the household, create the case and start its process, all or nothing."""
    with transaction.atomic():
        members = list(household.members.all())
        _lock_people([m.resident_id for m in members])
        problems = check_household(household, program, members)
        if problems:
            raise CaseRefused(problems)
        case = Case.objects.create(household=household, program=program,
                                   business_key=f"pending-{timezone.now().timestamp()}")
        case.business_key = f"{program.code.upper()}-{timezone.localdate():%Y%m%d}-{case.pk:06d}"
        case.instance = runtime.start_process(
            program.process_key,
            jurisdiction=household.village_id,
            actor=actor,
            subject=case,
            business_key=case.business_key,
            data={"household_size": len(members), **(data or {})},
        )
        case.save(update_fields=["business_key", "instance"])
        grant_case_access(case)
    return case
