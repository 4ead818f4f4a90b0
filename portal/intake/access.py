"""Who may register applications (受理): township caseworkers, for the villages of their own township."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from engine.actors import office_codes
from engine.models import ProcessDefinition
from portal.cases.models import Jurisdiction, Program

ROLE = "township_caseworker"
TOWNSHIP_DIGITS = 9



def caseworker_townships(user: Any) -> list[str]:
    """The 9-digit township codes of the user's ``township_caseworker:<code>`` groups."""
    return [code for code in office_codes(user, [ROLE]) if len(code) == TOWNSHIP_DIGITS]


def require_caseworker(user: Any) -> list[str]:
    """The user's townships; anyone else gets a 404, as for everything outside one's office."""
    townships = caseworker_townships(user)
    if not townships:
        raise Http404
    return townships


def villages_of(townships: list[str]) -> QuerySet[Jurisdiction]:
    within = Q()
    for code in townships:
        within |= Q(code__startswith=code)
    return Jurisdiction.objects.filter(within, level=Jurisdiction.Level.VILLAGE).select_related("parent")


def village_or_404(townships: list[str], code: str) -> Jurisdiction:
    village = villages_of(townships).filter(code=code).first()
    if village is None:
        raise Http404
    return village


def deployed_programs() -> list[Program]:
    """Programs whose process has an active deployed version in effect now (what ``start_process`` will start)."""
    keys = set(
        ProcessDefinition.objects.filter(kind=ProcessDefinition.Kind.BPMN, status=ProcessDefinition.Status.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=timezone.now()))
        .values_list("key", flat=True)
    )
    return [p for p in Program.objects.order_by("code") if p.process_key in keys]


def intake_program_or_404(code: str) -> tuple[Program, str]:
    """The program and its application form key (``Program.application_form``, an extension of
    ``household_application``), if it has one and its process is deployed."""
    program = next((p for p in deployed_programs() if p.code == code), None)
    if program is None or not program.application_form:
        raise Http404
    return program, program.application_form
