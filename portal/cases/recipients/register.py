"""A file's households against the register: imported before, or people already in a case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from engine import audit
from engine.models import AuditEvent

from ..models import Case, Member
from .rows import AUDIT_KIND, HouseholdRows, where

_BATCH = 500  # values per IN (…) query


def _batches(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start:start + _BATCH]


def imported_before(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The ``case.imported`` audit payload of each of these old case numbers imported before (on the system chain:
    an imported case has no process)."""
    found: dict[str, dict[str, Any]] = {}
    for batch in _batches(sorted(set(numbers))):
        events = AuditEvent.objects.filter(chain=audit.SYSTEM_CHAIN, kind=AUDIT_KIND,
                                           payload__old_case_number__in=batch)
        found.update((p["old_case_number"], p) for p in events.values_list("payload", flat=True))
    return found


def _cases_of(resident_ids: list[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(resident ID, program) → (business key, status) of the open and approved cases of programs where a person
    may be in one case only."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for batch in _batches(resident_ids):
        wanted = set(batch)
        rows = (Case.objects.filter(status__in=[Case.Status.OPEN, Case.Status.APPROVED],
                                    program__exclusive_membership=True, household__members__resident_id__in=batch)
                .values_list("household__members__resident_id", "program_id", "business_key", "status")
                .distinct().order_by("business_key"))
        for number, program, business_key, status in rows:
            if number in wanted:
                found[(number, program)].append((business_key, status))
    return found


def check_register(households: list[HouseholdRows]) -> tuple[list[HouseholdRows], list[tuple[HouseholdRows, str]],
                                                              list[str]]:
    """The households to import, those imported before (with their case's business key), and every problem the
    register has with the rest: an old case number imported for another program, people recorded as deceased,
    people already in an open or approved case of an exclusive program."""
    before = imported_before([h.old_case_number for h in households])
    new: list[HouseholdRows] = []
    skipped: list[tuple[HouseholdRows, str]] = []
    problems: list[str] = []
    for household in households:
        earlier = before.get(household.old_case_number)
        if earlier is None:
            new.append(household)
        elif earlier.get("program") == household.program.code:
            skipped.append((household, earlier.get("business_key", "")))
        else:
            problems.append(f"{where(household.first_row)}："
                            + _("旧系统案件编号 %(number)s 已作为其他项目的案件 %(case)s 导入")
                            % {"number": household.old_case_number, "case": earlier.get("business_key", "")})
    resident_ids = sorted({m.resident_id for h in new for m in h.members})
    dead: set[str] = set()
    for batch in _batches(resident_ids):
        dead.update(Member.objects.filter(resident_id__in=batch, deceased_on__isnull=False)
                    .values_list("resident_id", flat=True))
    cases = _cases_of(resident_ids)
    for household in new:
        for member in household.members:
            if member.resident_id in dead:
                problems.append(member.problem(_("%(name)s 已登记死亡，不能导入") % {"name": member.name}))
            for business_key, status in cases.get((member.resident_id, household.program.code), []):
                problems.append(member.problem(_("%(name)s 已在%(program)s案件 %(case)s（%(status)s）中") % {
                    "name": member.name, "program": household.program.name, "case": business_key,
                    "status": Case.Status(status).label}))
    return new, skipped, problems


