"""Who the patient is and on what status they qualify, from the case register (never from process data).

* ``patient_of(case, name)``: the case household's living member of that name (process data names the
  patient, never by ID number).
* ``approved_case(resident_id, program_code)``: the person's approved case of a program (低保, 特困) —
  an approved case is in force; review or termination changes its status.
* ``prequalify(resident_id, counties, year)``: one-stop settlement needs a status already established —
  an approved 特困 or 低保 case, or else a key-group category established by an approved medical
  assistance application in the same calendar year. Only households in ``counties`` are searched, so a
  hospital window learns nothing about people of other counties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.cases.models import Case, Member

from .categories import PREQUALIFYING_PROGRAMS, PREQUALIFYING_SETTLED, Channel
from .models import Settlement


class PatientNotFound(LookupError):
    pass


def patient_of(case: Case, name: str) -> Member:
    """The patient; the reasons it cannot be found are shown to the staff who opened the case."""
    members = [m for m in case.household.members.all() if m.name == name.strip()]
    if not members:
        raise PatientNotFound(_("患者“%(name)s”不是登记的共同生活家庭成员") % {"name": name})
    if len(members) > 1:
        raise PatientNotFound(_("家庭中有多名成员名为“%(name)s”，无法确定患者") % {"name": name})
    if members[0].deceased:
        raise PatientNotFound(_("患者“%(name)s”已登记死亡") % {"name": name})
    return members[0]


def _in_counties(counties: Iterable[str] | None, path: str = "household__village__code") -> Q:
    if counties is None:
        return Q()
    within = Q(pk__in=[])
    for code in counties:
        within |= Q(**{f"{path}__startswith": code})
    return within


def approved_case(resident_id: str, program_code: str, counties: Iterable[str] | None = None) -> Case | None:
    return (
        Case.objects.filter(_in_counties(counties), program_id=program_code, status=Case.Status.APPROVED,
                            household__members__resident_id=resident_id,
                            household__members__deceased_on__isnull=True)
        .select_related("household", "program")
        .order_by("-closed_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Prequalification:
    category: str
    source: Case  # the approved case that establishes the status
    member: Member  # the person in the source case's household

    @property
    def basis(self) -> str:
        return f"{self.source.program.name} {self.source.business_key}"


def _member(case: Case, resident_id: str) -> Member:
    return case.household.members.get(resident_id=resident_id)


def prequalify(resident_id: str, counties: Iterable[str] | None, year: int) -> Prequalification | None:
    counties = list(counties) if counties is not None else None
    for program_code, category in PREQUALIFYING_PROGRAMS:
        case = approved_case(resident_id, program_code, counties)
        if case is not None:
            return Prequalification(str(category), case, _member(case, resident_id))
    settled = (
        Settlement.objects.filter(_in_counties(counties, "case__household__village__code"), resident_id=resident_id,
                                  year=year, channel=Channel.APPLICATION, category__in=PREQUALIFYING_SETTLED,
                                  case__status=Case.Status.APPROVED)
        .select_related("case__household", "case__program")
        .order_by("-settled_at")
    )
    for row in settled:
        case = row.case
        member = case.household.members.filter(resident_id=resident_id, deceased_on__isnull=True).first()
        if member is not None:
            return Prequalification(row.category, case, member)
    return None
