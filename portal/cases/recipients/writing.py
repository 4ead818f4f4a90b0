"""Writing an import: approved cases, their audit and their annual review."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.errors import EngineError
from portal.programs.review.services import (
    REVIEW_PROGRAMS,
    ReviewRefused,
    enrol,
    record_on_case,
    schedule_next_review,
)

from ..conflicts import find_conflicts, register_conflicts
from ..models import Case, Household, IncomeItem, Member
from ..outcome import first_of_month
from ..permissions import grant_case_access
from ..services import lock_people, new_case
from .reading import read_households
from .register import check_register
from .rows import AUDIT_KIND, HouseholdRows, ImportRefused, ImportResult, where

log = logging.getLogger("doudi.recipients")


def _on(day: date) -> datetime:
    """A date as the time of a case (noon, so that it is the same day in any time zone nearby)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _schedule_review(case: Case, household: HouseholdRows, actor: Any) -> None:
    """Enrol the case in the annual review like a case approved here; counted from the old system's last review
    when the file gives one."""
    if case.program_id not in REVIEW_PROGRAMS:
        return
    irregular, reviewed = household.values["irregular_income"], household.values["last_reviewed_on"]
    if reviewed is None:
        enrol(case, actor=actor, irregular_income=irregular)
        return
    # The case was created in this transaction: no one else can see it, let alone lock it.
    schedule = schedule_next_review(case, start=reviewed, irregular_income=irregular, actor=actor)
    schedule.last_reviewed_on = reviewed
    schedule.save(update_fields=["last_reviewed_on", "updated_at"])


def _create(household: HouseholdRows, *, source: dict[str, Any], actor: Any) -> Case:
    values = household.values
    home = Household.objects.create(village_id=values["village"], address=values["address"])
    members = []
    for row in household.members:
        member = Member.objects.create(household=home, name=row.name, relation=row.relation,
                                       resident_id=row.resident_id, **row.flags)
        members.append(member)
        if row.monthly_income:
            IncomeItem.objects.create(household=home, member=member, kind=row.income_kind,
                                      monthly_amount=row.monthly_income, note=_("原系统登记的收入"))
    approved_on = values["approved_on"]
    case = new_case(home, household.program, status=Case.Status.APPROVED, monthly_amount=values["monthly_amount"],
                    payment_starts=values["payment_starts"] or first_of_month(approved_on, 1),
                    closed_at=_on(approved_on))
    # 受理时间 is stamped at creation; an imported case keeps the old system's dates instead.
    case.opened_at = _on(values["applied_on"] or approved_on)
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at)
    register_conflicts(case, find_conflicts(home, members, None))
    grant_case_access(case)
    record_on_case(case, AUDIT_KIND, {
        **source, "program": household.program.code, "old_case_number": household.old_case_number,
        "approved_on": approved_on.isoformat(), "monthly_amount": str(case.monthly_amount),
        "payment_starts": case.payment_starts.isoformat(), "members": len(members), "file_rows": household.rows,
    }, actor)
    try:
        _schedule_review(case, household, actor)
    except (ReviewRefused, EngineError) as err:
        message = _("无法纳入动态管理：%(error)s") % {"error": err}
        raise ImportRefused([f"{where(household.first_row)}：{message}"]) from None
    return case


def import_recipients(data: bytes, *, source_file: str, imported_by: str, actor: Any = None,
                      dry_run: bool = False) -> ImportResult:
    """Check the whole file against itself and the register, then (unless ``dry_run``) import its new households in
    one transaction. ``ImportRefused`` lists every problem; nothing is written then."""
    digest = hashlib.sha256(data).hexdigest()
    households, problems = read_households(data)
    with transaction.atomic():
        if not dry_run:
            # Serialise with case openings and other imports involving the same people, then check.
            lock_people(sorted({m.resident_id for h in households for m in h.members}))
        new, skipped, register_problems = check_register(households)
        problems = problems + register_problems
        if problems:
            raise ImportRefused([_("共 %(n)d 处问题，未导入任何记录：") % {"n": len(problems)}, *problems])
        already = [household.summary(business_key) for household, business_key in skipped]
        if dry_run:
            return ImportResult(source_file, digest, [h.summary() for h in new], already, dry_run=True)
        source = {"source_file": source_file, "sha256": digest, "imported_by": imported_by}
        imported = [h.summary(_create(h, source=source, actor=actor).business_key) for h in new]
    log.info("recipients imported from %s (sha256 %s) by %s: %d cases, %d imported before",
             source_file, digest, imported_by, len(imported), len(already))
    return ImportResult(source_file, digest, imported, already, dry_run=False)
