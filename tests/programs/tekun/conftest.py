"""Fixtures of the 特困 unit tests: Kaili's jurisdictions, the tekun program, households with cases and the test PKI
that seals the care agreements."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.cases.models import Case, Household, Jurisdiction
from tests.workflows.conftest import records_settings, workflow_pki  # noqa: F401 - fixtures

from .driver import program


@pytest.fixture
def kaili(db):
    call_command("load_jurisdictions", verbosity=0)
    huangping = [("522622", "黄平县", "county", "5226"), ("522622100", "新州镇", "township", "522622"),
                 ("522622100201", "城关村", "village", "522622100")]
    for code, name, level, parent in huangping:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})


@pytest.fixture
def make_case(kaili):
    counter = iter(range(1, 10_000))

    def make(village: str = "522601101200", status: str = Case.Status.OPEN) -> Case:
        household = Household.objects.create(village_id=village, address="舟溪村")
        return Case.objects.create(household=household, program=program(), status=status,
                                   business_key=f"TEKUN-TEST-{next(counter):05d}")

    return make
