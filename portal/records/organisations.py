"""Which organisation seals each slot of a record.

A township slot is sealed by the township government. A county slot is sealed by the county department that
decides the record's program there (``settings.RECORDS_SIGNING_DEPARTMENTS``): medical assistance by the
medical-security bureau, disaster relief by the emergency-management bureau, the other programs by the civil-affairs
bureau, unless a county is configured otherwise. Each organisation has a key of its own, found under its code
(``pki.org_signer``): the jurisdiction code for the township government and the county civil-affairs bureau (the
codes every key had before other departments signed), ``"<county>-<department>"`` for another department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from engine.models import ProcessInstance

CODE = re.compile(r"(?P<jurisdiction>\d{2,12})(?:-(?P<department>[a-z][a-z0-9_]*))?")


class OrganisationError(Exception):
    pass


@dataclass(frozen=True)
class Organisation:
    jurisdiction: str
    department: str = ""  # "" for a township government

    @property
    def code(self) -> str:
        if not self.department or self.department == settings.RECORDS_COUNTY_DEPARTMENT:
            return self.jurisdiction
        return f"{self.jurisdiction}-{self.department}"

    def describe(self) -> str:
        """For error messages: "the medical_security department of 522601"."""
        if not self.department:
            return f"the government of {self.jurisdiction}"
        return f"the {self.department} department of {self.jurisdiction}"


def parse_code(code: str) -> Organisation:
    """The organisation an organisation code names (``"522601"``, ``"522601-medical_security"``)."""
    match = CODE.fullmatch(code)
    if match is None:
        raise OrganisationError(f"'{code}' is not an organisation code (<jurisdiction> or <county>-<department>)")
    department = match["department"] or ""
    if department and department not in settings.RECORDS_DEPARTMENTS:
        raise OrganisationError(f"'{code}' names an unknown department '{department}'")
    return Organisation(match["jurisdiction"], department)


def signing_department(program: str, county: str) -> str:
    """The department that seals ``program``'s county records in ``county``: the county's own setting, the default,
    or the civil-affairs bureau."""
    configured = settings.RECORDS_SIGNING_DEPARTMENTS
    for scope in (county, "default"):
        department = (configured.get(scope) or {}).get(program)
        if department:
            break
    else:
        department = settings.RECORDS_COUNTY_DEPARTMENT
    if department not in settings.RECORDS_DEPARTMENTS:
        raise OrganisationError(f"RECORDS_SIGNING_DEPARTMENTS names an unknown department '{department}' for "
                                f"program '{program}' in county {county}")
    return department


def for_slot(slot: str, jurisdiction: str, program: str = "") -> Organisation:
    """The organisation that seals ``slot`` of a record of ``program`` (a program code; "" for none) issued in
    ``jurisdiction`` (the case's village, or any code at or below the slot's level)."""
    digits = settings.ENGINE_LEVEL_DIGITS.get(slot)
    if slot not in ("township", "county") or not digits or len(jurisdiction) < digits or not jurisdiction.isdigit():
        raise OrganisationError(f"cannot derive the {slot} organisation from jurisdiction '{jurisdiction}'")
    code = jurisdiction[:digits]
    if slot == "township":
        return Organisation(code)
    return Organisation(code, signing_department(program, code))


def program_of(instance_id: int | None) -> str:
    """The program code of the case a process instance runs ("" when the instance runs no case).

    The instance's subject is its case from the moment the process starts, so this works inside the first engine
    action too, before the case row points back at its instance.
    """
    if instance_id is None:
        return ""
    case_model = apps.get_model("cases", "Case")
    subject = ProcessInstance.objects.filter(pk=instance_id).values_list("subject_type_id", "subject_id").first()
    if subject is None or subject[0] != ContentType.objects.get_for_model(case_model).pk:
        return ""
    return case_model.objects.filter(pk=subject[1]).values_list("program_id", flat=True).first() or ""
