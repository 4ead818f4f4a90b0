"""Opening cases: the household-level checks that prevent 死人保 and 违规保人不保户, then the process."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import runtime

from .conflicts import find_conflicts, register_conflicts
from .models import Case, Household, IncomeItem, Member, Program
from .permissions import grant_case_access


class CaseRefused(Exception):
    """The case cannot be opened; ``problems`` lists every reason (no ID numbers in them)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def lock_people(resident_ids: list[str]) -> None:
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
    # 死人保: a death recorded in any household's register counts, not only in this one.
    dead_elsewhere = set(
        Member.objects.filter(resident_id__in=[m.resident_id for m in members], deceased_on__isnull=False)
        .exclude(household=household).values_list("resident_id", flat=True)
    )
    for member in members:
        if member.deceased:
            problems.append(_("成员 %(name)s 已死亡，须先办理成员变更") % {"name": member.name})
        elif member.resident_id in dead_elsewhere:
            problems.append(_("成员 %(name)s 在其他家庭的登记中已死亡，须先核实身份") % {"name": member.name})
    if (program.one_open_case_per_household
            and Case.objects.filter(household=household, program=program, status=Case.Status.OPEN).exists()):
        problems.append(_("该家庭已有在办的%(program)s案件") % {"program": _(program.name)})
    if program.exclusive_membership:
        # Matched on the ID number, named as this household spells it (the other may have a typo in the name).
        names = {m.resident_id: m.name for m in members}
        clashes = (
            Case.objects.filter(program=program, status=Case.Status.OPEN,
                                household__members__resident_id__in=list(names))
            .exclude(household=household)
            .values_list("business_key", "household__members__resident_id")
            .distinct()
            .order_by("business_key")
        )
        for business_key, number in clashes:
            if number in names:
                message = _("成员 %(name)s 已在其他家庭的在办案件 %(case)s 中")
                problems.append(message % {"name": names[number], "case": business_key})
    return problems


def member_facts(members: list[Member]) -> list[dict[str, Any]]:
    """The members as processes see them: what the amount and eligibility rules need, no ID numbers."""
    incomes = dict(
        IncomeItem.objects.filter(member__in=members).values_list("member").annotate(total=Sum("monthly_amount"))
    )
    return [
        {
            "name": m.name,
            "birth_date": m.birth_date.isoformat(),
            "monthly_income": float(incomes.get(m.pk, 0)),
            "severely_disabled": m.severely_disabled,
            "seriously_ill": m.seriously_ill,
            "student": m.student,
            "single_parent": m.single_parent,
        }
        for m in members
    ]


def process_start_data(case: Case, members: list[Member]) -> dict[str, Any]:
    """What the program's process starts with. No resident ID numbers: process data is shown on task pages."""
    head = next(m for m in members if m.relation == Member.Relation.HEAD)
    return {
        "household_size": len(members),
        "county": case.household.village_id[:6],
        "as_of": timezone.localtime(case.opened_at).date().isoformat(),
        "applicant_name": head.name,
        "program_name": case.program.name,
        "separately_registered": case.separately_registered,
        "members": member_facts(members),
    }


def new_case(household: Household, program: Program, **fields: Any) -> Case:
    """Create a case with its business key (``<PROGRAM>-<date>-<number>``), saved at once: operators that run
    before the process's first wait find the case by this key."""
    case = Case.objects.create(household=household, program=program,
                               business_key=f"pending-{timezone.now().timestamp()}", **fields)
    case.business_key = f"{program.code.upper()}-{timezone.localdate():%Y%m%d}-{case.pk:06d}"
    case.save(update_fields=["business_key"])
    return case


def start_case_process(case: Case, *, actor: Any, data: dict[str, Any]) -> None:
    """Start the program's process for ``case`` and give the case's offices access to it."""
    case.instance = runtime.start_process(
        case.program.process_key,
        jurisdiction=case.household.village_id,
        actor=actor,
        subject=case,
        business_key=case.business_key,
        data=data,
    )
    case.save(update_fields=["instance"])
    grant_case_access(case)


def open_case(household: Household, program: Program, *, actor: Any, data: dict[str, Any] | None = None,
              declared: dict[str, str] | None = None) -> Case:
    """Check the household, create the case, register its conflicts of interest and start its process, all or
    nothing. ``declared`` is the applicant's declaration of a staff relation (see ``conflicts.find_conflicts``);
    ``data`` is merged on top of the start data."""
    with transaction.atomic():
        members = list(household.members.order_by("pk"))
        lock_people([m.resident_id for m in members])
        problems = check_household(household, program, members)
        if problems:
            raise CaseRefused(problems)
        case = new_case(household, program)
        register_conflicts(case, find_conflicts(household, members, declared))
        start_case_process(case, actor=actor, data={**process_start_data(case, members), **(data or {})})
    return case
