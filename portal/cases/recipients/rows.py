"""The rows of a recipients file, read and checked: members, households, and what an import returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from forms.resident_id import mask as mask_resident_id

from ..models import Program

AUDIT_KIND = "case.imported"
FLAG_COLUMNS = ("disabled", "severely_disabled", "seriously_ill", "student", "single_parent")
HOUSEHOLD_COLUMNS = ("village", "address", "program", "old_case_number", "approved_on", "monthly_amount",
                     "payment_starts", "applied_on", "last_reviewed_on", "irregular_income")
REQUIRED_COLUMNS = ("household", "village", "address", "program", "old_case_number", "approved_on",
                    "monthly_amount", "name", "relation", "resident_id")
COLUMNS = (*REQUIRED_COLUMNS, "payment_starts", "applied_on", "last_reviewed_on", "irregular_income", *FLAG_COLUMNS,
           "monthly_income", "income_kind")
_MAX_LENGTH = {"address": 300, "old_case_number": 64, "name": 50}
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")  # the model fields hold 12 digits, 2 of them decimals
_CENT = Decimal("0.01")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")
_YES = {"1", "yes", "y", "true", "是"}
_NO = {"", "0", "no", "n", "false", "否"}
_INVALID = object()  # a cell that failed its check (already reported): never compared with the household's others


def where(row: int, resident_id: str = "") -> str:
    """A row as problems name it: its number and the masked ID number it holds, never the number itself."""
    text = _("第 %(row)d 行") % {"row": row}
    return f"{text}（{mask_resident_id(resident_id)}）" if resident_id else text


class ImportRefused(Exception):
    """Nothing was imported; ``problems`` lists every reason (row problems start with the row)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ImportedCase:
    old_case_number: str
    program: str  # the program's name
    members: int
    business_key: str = ""  # empty in a dry run


@dataclass(frozen=True)
class ImportResult:
    source_file: str
    sha256: str
    imported: list[ImportedCase]
    skipped: list[ImportedCase]  # imported before (same old case number): left as they are
    dry_run: bool

    @property
    def members(self) -> int:
        return sum(case.members for case in self.imported)


@dataclass
class MemberRow:
    row: int
    name: str
    relation: str
    resident_id: str
    flags: dict[str, bool]
    monthly_income: Decimal
    income_kind: str

    def problem(self, message: str) -> str:
        return f"{where(self.row, self.resident_id)}：{message}"


@dataclass
class HouseholdRows:
    key: str
    first_row: int
    values: dict[str, Any]  # HOUSEHOLD_COLUMNS, parsed (program: a Program, village: its code)
    members: list[MemberRow] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    @property
    def program(self) -> Program:
        return self.values["program"]

    @property
    def old_case_number(self) -> str:
        return self.values["old_case_number"]

    def summary(self, business_key: str = "") -> ImportedCase:
        return ImportedCase(self.old_case_number, self.program.name, len(self.members), business_key)


