"""Builders for verification tests: a case with members, declarations and registry records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from engine.operators import OperatorContext
from forms.resident_id import check_character
from portal.cases.models import Asset, Case, Household, IncomeItem, Jurisdiction, Member, Program
from portal.verification.models import ImportBatch, RegistryRecord
from portal.verification.operators import verify_household_economy

VILLAGE = "522601101200"
BUSINESS_KEY = "DIBAO-TEST-1"


def rid(birth: str, seq: str) -> str:
    body = "522601" + birth + seq
    return body + check_character(body)


HEAD = rid("19560310", "011")  # 张大山
SPOUSE = rid("19600521", "022")  # 李桂花
SON = rid("19851107", "031")  # 张小军


@pytest.fixture
def village(db) -> Jurisdiction:
    parent = None
    chain = [("52", "贵州省", "province"), ("5226", "黔东南州", "city"), ("522601", "凯里市", "county"),
             ("522601101", "舟溪镇", "township"), (VILLAGE, "舟溪村", "village")]
    for code, name, level in chain:
        parent = Jurisdiction.objects.create(code=code, name=name, level=level, parent=parent)
    return parent


@pytest.fixture
def program(shipped_programs) -> Program:
    return shipped_programs["dibao"]


class CaseBuilder:
    """One household with a 低保 case; declarations and registry records added by the test."""

    def __init__(self, program: Program, business_key: str = BUSINESS_KEY):
        self.household = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
        self.case = Case.objects.create(household=self.household, program=program, business_key=business_key)
        self.members: dict[str, Member] = {}
        self._batch: ImportBatch | None = None

    def member(self, name: str, number: str, relation: str = "head", deceased_on: str | None = None) -> Member:
        self.members[name] = Member.objects.create(household=self.household, name=name, resident_id=number,
                                                   relation=relation, deceased_on=deceased_on)
        return self.members[name]

    def income(self, name: str | None, kind: str, amount: str) -> None:
        IncomeItem.objects.create(household=self.household, member=self.members[name] if name else None, kind=kind,
                                  monthly_amount=Decimal(amount))

    def asset(self, kind: str, value: str) -> None:
        Asset.objects.create(household=self.household, kind=kind, value=Decimal(value))

    def registry(self, number: str, source: str, kind: str, category: str, amount: str | None = None, *,
                 valid_from: str | None = None, valid_to: str | None = None, batch: ImportBatch | None = None,
                 description: str = "") -> RegistryRecord:
        if batch is None:
            if self._batch is None:
                self._batch = new_batch("test.csv")
            batch = self._batch
        return RegistryRecord.objects.create(
            resident_id=number, source=source, kind=kind, category=category, description=description, batch=batch,
            monthly_amount=Decimal(amount) if kind == "income" else None,
            value=Decimal(amount) if kind == "asset" else None,
            valid_from=date.fromisoformat(valid_from) if valid_from else None,
            valid_to=date.fromisoformat(valid_to) if valid_to else None,
        )


def new_batch(name: str) -> ImportBatch:
    return ImportBatch.objects.create(source_file=name, sha256=name.encode().hex().ljust(64, "0")[:64], rows=0,
                                      imported_by="test")


@pytest.fixture
def build(village, program):
    return lambda business_key=BUSINESS_KEY: CaseBuilder(program, business_key)


class Verifier:
    """Calls the operator as the engine would, collecting the audit events it records."""

    def __init__(self):
        self.events: list[tuple[str, dict[str, Any]]] = []

    def context(self, business_key: str = BUSINESS_KEY) -> OperatorContext:
        return OperatorContext(instance_id=None, process_key="dibao", jurisdiction=VILLAGE, task_spec="verify",
                               business_key=business_key,
                               record_event=lambda kind, payload, actor=None: self.events.append((kind, payload)))

    def __call__(self, *, standard: Any = 800, asset_limit_months: Any = 12, as_of: Any = "2025-03-01",
                 business_key: str = BUSINESS_KEY) -> dict[str, Any]:
        return verify_household_economy(standard=standard, asset_limit_months=asset_limit_months, as_of=as_of,
                                        context=self.context(business_key))


@pytest.fixture
def verify() -> Verifier:
    return Verifier()
