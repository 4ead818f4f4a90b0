"""Fixtures for the medical assistance app: the workflow fixtures (jurisdictions, staff per role, test PKI)
and the programs a one-stop claim is checked against."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.cases.models import Case, Household
from tests.workflows.conftest import (  # noqa: F401 - fixtures
    delegated_people,
    jurisdictions,
    people,
    records_settings,
    workflow_pki,
)
from tests.workflows.driver import make_household


@pytest.fixture
def programs(deployed, jurisdictions, shipped_programs):  # noqa: F811
    return shipped_programs["medical"]


def approved(program: str, household: Household | None = None, key: str = "") -> Case:
    """An approved case of ``program`` (the register one-stop settlement is checked against)."""
    home = household or make_household()
    count = Case.objects.count() + 1
    return Case.objects.create(household=home, program_id=program, status=Case.Status.APPROVED,
                               business_key=key or f"{program.upper()}-20250610-{count:06d}",
                               closed_at=datetime(2025, 6, 10, tzinfo=UTC), monthly_amount=Decimal("500.00"))
