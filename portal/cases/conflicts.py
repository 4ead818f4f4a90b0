"""Conflicts of interest found when a case is opened (单独登记备案).

Two sources: the close relatives staff members and village cadres declared (近亲属备案, ``StaffRelative``), matched
by resident ID against the household's members; and the applicant's own declaration that a member is a close relative
of a staff member, whose name is resolved to a user of the same county when exactly one matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Concat

from .models import Case, CaseConflict, Household, Member, StaffRelative


@dataclass(frozen=True)
class ConflictFinding:
    staff: Any  # the related user, or None when a declared name matches no single user
    staff_name: str
    member_name: str
    relation: str
    source: str  # a CaseConflict.Source value


def staff_display_name(user: Any) -> str:
    return user.get_full_name() or user.first_name or user.get_username()


def _compact(name: str) -> str:
    return "".join(name.split())


def _county_staff(county: str) -> Any:
    """Users holding any role group of an office inside ``county`` (group names ``<role>:<code>``)."""
    in_county = Q()
    for role in settings.ENGINE_ROLES:
        in_county |= Q(groups__name__startswith=f"{role}:{county}")
    return get_user_model().objects.filter(in_county).distinct()


def resolve_staff(name: str, county: str) -> Any:
    """The one user of ``county`` whose name is ``name`` (spaces ignored), or None if none or several are.

    Chinese names may be stored whole in ``first_name`` or split either way between the two name fields.
    """
    wanted = _compact(name)
    if not wanted:
        return None
    matches = list(
        _county_staff(county)
        .annotate(family_first=Concat("last_name", "first_name"), given_first=Concat("first_name", "last_name"))
        .filter(Q(first_name=wanted) | Q(family_first=wanted) | Q(given_first=wanted))[:2]
    )
    return matches[0] if len(matches) == 1 else None


def find_conflicts(household: Household, members: Iterable[Member],
                   declared: Mapping[str, str] | None) -> list[ConflictFinding]:
    """Every staff relation of the household's members.

    ``declared`` is the applicant's declaration: ``staff_name`` (required), ``member_name`` and ``relation``.
    """
    members = list(members)
    by_id = {m.resident_id: m for m in members}
    findings: list[ConflictFinding] = []
    relatives = (StaffRelative.objects.filter(resident_id__in=list(by_id)).select_related("staff")
                 .order_by("resident_id", "staff_id"))
    for relative in relatives:
        findings.append(ConflictFinding(
            staff=relative.staff,
            staff_name=staff_display_name(relative.staff),
            member_name=by_id[relative.resident_id].name,
            relation=str(relative.get_relation_display()),
            source=CaseConflict.Source.MATCHED,
        ))
    if declared and declared.get("staff_name"):
        staff_name = declared["staff_name"].strip()
        user = resolve_staff(staff_name, household.village_id[:6])
        findings.append(ConflictFinding(
            staff=user,
            staff_name=staff_display_name(user) if user else staff_name,
            member_name=(declared.get("member_name") or "").strip(),
            relation=(declared.get("relation") or "").strip(),
            source=CaseConflict.Source.DECLARED,
        ))
    return findings


def register_conflicts(case: Case, findings: Iterable[ConflictFinding]) -> list[CaseConflict]:
    """Record the findings on the case and mark it registered separately when there are any."""
    rows = CaseConflict.objects.bulk_create([
        CaseConflict(case=case, staff=f.staff, staff_name=f.staff_name[:50], member_name=f.member_name[:50],
                     relation=f.relation[:50], source=f.source)
        for f in findings
    ])
    if rows and not case.separately_registered:
        case.separately_registered = True
        case.save(update_fields=["separately_registered"])
    return rows
