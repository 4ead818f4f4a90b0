"""Fixtures for the disaster relief unit tests: the Kaili jurisdictions, a disaster case without a process, and an
operator context that collects the audit events it would write."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from engine.operators import OperatorContext
from portal.cases.models import Case, Household, Member
from portal.cases.permissions import grant_case_access
from portal.programs.disaster.models import DisasterAid
from tests.program_data import shipped_program
from tests.workflows.driver import rid

VILLAGE = "522601101200"  # 凯里市舟溪镇舟溪村
OTHER_VILLAGE = "522601001001"  # 凯里市城西街道北京西路社区
HEAD_ID = rid("19580412", "124")


@pytest.fixture
def kaili(db):
    call_command("load_jurisdictions", verbosity=0)


def household(village: str = VILLAGE, members: list[tuple[str, str, str]] | None = None) -> Household:
    home = Household.objects.create(village_id=village, address="舟溪村 3 组 12 号")
    default = [("王秀英", "head", HEAD_ID), ("李建国", "spouse", rid("19600501", "013"))]
    for name, relation, number in members or default:
        Member.objects.create(household=home, name=name, relation=relation, resident_id=number)
    return home


def disaster_case(village: str = VILLAGE, key: str = "DISASTER-20260302-000001", members: list | None = None,
                  aid_type: str = "house_rebuilding") -> Case:
    case = Case.objects.create(household=household(village, members), program=shipped_program("disaster"),
                               business_key=key)
    DisasterAid.objects.create(case=case, event_name="2026年3月舟溪镇暴雨洪涝灾害", event_date=date(2026, 3, 1),
                               event_type="flood", aid_type=aid_type)
    grant_case_access(case)
    return case


class Events(list):
    def __call__(self, kind: str, payload: dict[str, Any], actor: Any = None) -> None:
        self.append((kind, payload))


def context_for(case: Case, events: Events | None = None) -> OperatorContext:
    return OperatorContext(instance_id=None, process_key="disaster", jurisdiction=case.household.village_id,
                           task_spec="Service_test", business_key=case.business_key, record_event=events)


@pytest.fixture
def case(kaili):
    return disaster_case()
