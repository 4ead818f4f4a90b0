"""Fixtures for the medical assistance app: the workflow fixtures (jurisdictions, staff per role, test PKI)
and the programs a one-stop claim is checked against."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.cases.models import Case, Household, Program
from tests.workflows.conftest import (  # noqa: F401 - fixtures
    delegated_people,
    jurisdictions,
    people,
    records_settings,
    workflow_pki,
)
from tests.workflows.driver import make_household

PROGRAMS = [("medical", "医疗救助", "medical_application"), ("dibao", "农村最低生活保障", "dibao_application"),
            ("tekun", "特困人员救助供养", "tekun_application")]


@pytest.fixture
def programs(deployed, jurisdictions):  # noqa: F811
    # As in portal/cases/data/programs.json: medical claims are one-off and a household may have several open.
    for code, name, form in PROGRAMS:
        medical = code == "medical"
        Program.objects.get_or_create(code=code, defaults={"name": name, "process_key": code,
                                                           "application_form": form,
                                                           "exclusive_membership": not medical,
                                                           "one_open_case_per_household": not medical,
                                                           "payment": "one_off" if medical else "monthly"})
    return Program.objects.get(code="medical")


def approved(program: str, household: Household | None = None, key: str = "") -> Case:
    """An approved case of ``program`` (the register one-stop settlement is checked against)."""
    home = household or make_household()
    count = Case.objects.count() + 1
    return Case.objects.create(household=home, program_id=program, status=Case.Status.APPROVED,
                               business_key=key or f"{program.upper()}-20250610-{count:06d}",
                               closed_at=datetime(2025, 6, 10, tzinfo=UTC), monthly_amount=Decimal("500.00"))
