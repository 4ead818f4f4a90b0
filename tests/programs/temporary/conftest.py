"""Fixtures for the temporary assistance unit tests: the Kaili jurisdictions and a case without a process."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.cases.models import Case, Household, Member
from tests.program_data import shipped_program
from tests.workflows.driver import rid

TOWNSHIP = "522601101"  # 舟溪镇
VILLAGE = "522601101200"


@pytest.fixture
def kaili(db):
    call_command("load_jurisdictions", verbosity=0)


@pytest.fixture
def case(kaili):
    program = shipped_program("temporary")
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组 12 号")
    Member.objects.create(household=home, name="周小梅", relation="head", resident_id=rid("19900202", "346"))
    return Case.objects.create(household=home, program=program, business_key="TEMPORARY-20260302-000001")
