"""Importing existing recipients (存量救助对象导入): households already receiving 低保 or 特困 under the old national
system become approved cases, so that the annual review, the hospital window's one-stop claims and the notices of
changes work for them from the first day.

The file is UTF-8 (a byte-order mark is allowed), comma-separated, one row per member, with a header row naming the
columns (any order). A household's own columns repeat on each of its rows and must agree.

====================  ========  ===============================================================================
column                required  content
====================  ========  ===============================================================================
household             yes       the household's key in this file: rows with the same key are one household
village               yes       12-digit village code (a village of the loaded jurisdictions)
address               yes       ≤ 300
program               yes       the program's code or name; only programs paid monthly with one case per
                                household (低保 ``dibao``, 特困 ``tekun``), not their reviews
old_case_number       yes       the case number in the old system (≤ 64); each is imported once
approved_on           yes       YYYY-MM-DD, the approval date (not in the future)
monthly_amount        yes       yuan per month, more than 0, at most two decimals
payment_starts        no        YYYY-MM or YYYY-MM-DD: the first month paid (default: the month after approval)
applied_on            no        YYYY-MM-DD: the application date, kept as the case's 受理时间 (default: approval)
last_reviewed_on      no        YYYY-MM-DD: the last review in the old system; the next one is counted from it
                                (default: from the approval)
irregular_income      no        yes/no: the household's income is irregular (the review rules may shorten the
                                interval)
name                  yes       the member's name (≤ 50)
relation              yes       head 户主, spouse 配偶, child 子女, parent 父母, grandchild 孙子女, sibling 兄弟姐妹,
                                other 其他 (the code or the Chinese name); one head per household
resident_id           yes       18-character resident ID number, check character valid
disabled,             no        yes/no (1/0, 是/否, true/false; empty: no); severely disabled implies disabled
severely_disabled,
seriously_ill,
student, single_parent
monthly_income        no        the member's income, yuan per month (default 0)
income_kind           no        wages 工资性收入 (default), business 经营净收入, property 财产净收入,
                                transfer 转移净收入
====================  ========  ===============================================================================

Rows are numbered as a spreadsheet shows them (the header is row 1). The whole file is checked before anything is
written: a file with any problem is refused whole, every problem named by its row (and the masked ID number, never
the full one). Problems besides the cells: a household without exactly one head, a person twice in one household
or in two households of the same program, a person recorded as deceased (死人保), a person already in an open or
approved case of the program when one person may be in only one (违规保人不保户), an old case number given to two
households.

A household whose old case number was imported before is skipped, so importing the same file twice does nothing the
second time; the number is kept in the ``case.imported`` audit event. Each imported case is created approved (amount,
approval date, first month paid), without a process, visible to its village, township and county offices, its staff
conflicts of interest registered as at opening, audited on the system chain (cases without a process have no chain of
their own) with the file's name and SHA-256, who imported it and the old case number, and enrolled in the annual
review (动态管理) like a case approved here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engine import audit
from engine.errors import EngineError
from engine.models import AuditEvent
from forms.resident_id import InvalidResidentId, parse
from forms.resident_id import mask as mask_resident_id
from portal.programs.review.services import (
    REVIEW_PROGRAMS,
    ReviewRefused,
    enrol,
    record_on_case,
    schedule_next_review,
)

from .conflicts import find_conflicts, register_conflicts
from .models import Case, Household, IncomeItem, Jurisdiction, Member, Program
from .outcome import first_of_month
from .payments import Payment
from .permissions import grant_case_access
from .services import lock_people, new_case

log = logging.getLogger("doudi.recipients")

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
        return f"{_where(self.row, self.resident_id)}：{message}"


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


# --- reading the file -------------------------------------------------------------------------------------


def _where(row: int, resident_id: str = "") -> str:
    """A row as problems name it: its number and the masked ID number it holds, never the number itself."""
    where = _("第 %(row)d 行") % {"row": row}
    return f"{where}（{mask_resident_id(resident_id)}）" if resident_id else where


def importable(program: Program) -> bool:
    """Standing benefits people are enrolled in: paid monthly, one case per household, and not a review."""
    return (program.payment == Payment.MONTHLY and program.one_open_case_per_household
            and program.code not in REVIEW_PROGRAMS.values())


def _by_name(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Code or Chinese name (the source language, whatever language is active) → code."""
    with translation.override("zh-hans"):
        return {**{str(label): value for value, label in choices}, **{value: value for value, _label in choices}}


class _Row:
    """One row's cells and its problems. Each reader returns the value, None for an empty optional cell, or
    ``_INVALID`` once the problem is recorded."""

    def __init__(self, number: int, cells: dict[str, str]):
        self.number, self.cells = number, cells
        self.problems: list[str] = []

    @property
    def where(self) -> str:
        return _where(self.number, self.cells.get("resident_id", ""))

    def problem(self, message: str) -> Any:
        self.problems.append(message)
        return _INVALID

    def text(self, column: str, *, required: bool = False) -> Any:
        value = self.cells.get(column, "")
        if not value:
            return self.problem(_("缺少 %(column)s") % {"column": column}) if required else None
        limit = _MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            return self.problem(_("%(column)s 不能超过 %(n)d 个字") % {"column": column, "n": limit})
        return value

    def amount(self, column: str, *, required: bool = False, positive: bool = False) -> Any:
        value = self.text(column, required=required)
        if value is None or value is _INVALID:
            return value
        if not _AMOUNT.fullmatch(value) or (positive and Decimal(value) <= 0):
            message = (_("%(column)s 应为大于 0、最多两位小数的金额") if positive
                       else _("%(column)s 应为不小于 0、最多两位小数的金额"))
            return self.problem(message % {"column": column})
        return Decimal(value).quantize(_CENT)

    def day(self, column: str, *, required: bool = False) -> Any:
        value = self.text(column, required=required)
        if value is None or value is _INVALID:
            return value
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            return self.problem(_("%(column)s 应为 YYYY-MM-DD 格式的日期") % {"column": column})

    def month(self, column: str) -> Any:
        """The first day of the month given as YYYY-MM or as any day of it."""
        value = self.text(column)
        if value is None or value is _INVALID:
            return value
        try:
            if _ISO_MONTH.fullmatch(value):
                return date.fromisoformat(f"{value}-01")
            if _ISO_DATE.fullmatch(value):
                return first_of_month(date.fromisoformat(value))
        except ValueError:
            pass
        return self.problem(_("%(column)s 应为 YYYY-MM 或 YYYY-MM-DD 格式的月份") % {"column": column})

    def flag(self, column: str) -> Any:
        value = self.cells.get(column, "").lower()
        if value in _YES or value in _NO:
            return value in _YES
        return self.problem(_("%(column)s 应填“是”或“否”（1 或 0）") % {"column": column})

    def choice(self, column: str, choices: dict[str, Any], *, default: Any = None) -> Any:
        value = self.text(column, required=default is None)
        if value is None:
            return default
        if value is _INVALID:
            return value
        found = choices.get(value)
        return self.problem(_("%(column)s 的值无法识别") % {"column": column}) if found is None else found

    def resident_id(self) -> Any:
        if not self.cells.get("resident_id"):
            return self.problem(_("缺少身份证号"))
        try:
            return parse(self.cells["resident_id"]).number
        except InvalidResidentId as err:
            return self.problem(str(err.reason))


class _Reader:
    """Reads the rows into households, recording every problem."""

    def __init__(self, programs: dict[str, Program], villages: set[str]):
        self.programs, self.villages = programs, villages
        self.relations = _by_name(Member.Relation.choices)
        self.income_kinds = _by_name(IncomeItem.Kind.choices)
        self.households: dict[str, HouseholdRows] = {}
        self.problems: list[str] = []

    def household_values(self, row: _Row) -> dict[str, Any]:
        values = {column: row.text(column, required=True) for column in ("address", "old_case_number")}
        village = row.text("village", required=True)
        if village is not _INVALID and village not in self.villages:
            village = row.problem(_("village 不是已登记的村（居）区划代码（12 位）"))
        values["village"] = village
        program = row.choice("program", self.programs)
        if program is not _INVALID and not importable(program):
            program = row.problem(_("%(program)s不能作为存量救助对象导入：只能导入按月发放、每户一案的救助项目")
                                  % {"program": program.name})
        values["program"] = program
        today = timezone.localdate()
        approved = row.day("approved_on", required=True)
        if approved is not _INVALID and approved > today:
            approved = row.problem(_("approved_on 不能晚于今天"))
        values["approved_on"] = approved
        values["monthly_amount"] = row.amount("monthly_amount", required=True, positive=True)
        values["payment_starts"] = row.month("payment_starts")
        values["applied_on"] = row.day("applied_on")
        values["last_reviewed_on"] = row.day("last_reviewed_on")
        values["irregular_income"] = row.flag("irregular_income")
        starts, applied, reviewed = values["payment_starts"], values["applied_on"], values["last_reviewed_on"]
        if approved is not _INVALID:
            if isinstance(starts, date) and starts < first_of_month(approved):
                values["payment_starts"] = row.problem(_("payment_starts 不能早于批准月份"))
            if isinstance(applied, date) and applied > approved:
                values["applied_on"] = row.problem(_("applied_on 不能晚于 approved_on"))
            if isinstance(reviewed, date) and not approved <= reviewed <= today:
                values["last_reviewed_on"] = row.problem(_("last_reviewed_on 应在 approved_on 与今天之间"))
        return values

    def member(self, row: _Row) -> MemberRow | None:
        values = {
            "resident_id": row.resident_id(),
            "name": row.text("name", required=True),
            "relation": row.choice("relation", self.relations),
            "monthly_income": row.amount("monthly_income"),
            "income_kind": row.choice("income_kind", self.income_kinds, default=IncomeItem.Kind.WAGES),
        }
        flags = {column: row.flag(column) for column in FLAG_COLUMNS}
        if _INVALID in values.values() or _INVALID in flags.values():
            return None
        flags["disabled"] = flags["disabled"] or flags["severely_disabled"]
        return MemberRow(row.number, values["name"], values["relation"], values["resident_id"], flags,
                         values["monthly_income"] or Decimal(0), values["income_kind"])

    def read(self, row: _Row) -> None:
        key = row.text("household", required=True)
        values = self.household_values(row)
        member = self.member(row)
        if key is not _INVALID:
            household = self.households.get(key)
            if household is None:
                household = self.households[key] = HouseholdRows(key, row.number, values)
            else:
                self._agree(household, values, row)
            household.rows.append(row.number)
            if member is not None:
                household.members.append(member)
        self.problems.extend(f"{row.where}：{problem}" for problem in row.problems)

    @staticmethod
    def _agree(household: HouseholdRows, values: dict[str, Any], row: _Row) -> None:
        """The household's columns repeat its first row; a cell invalid in either is reported already."""
        for column in HOUSEHOLD_COLUMNS:
            mine, first = values[column], household.values[column]
            if mine is _INVALID or first is _INVALID:
                household.values[column] = _INVALID
            elif mine != first:
                row.problem(_("%(column)s 与同户第 %(row)d 行不一致") % {"column": column, "row": household.first_row})

    def household_problems(self) -> list[str]:
        """Heads, people listed twice, old case numbers given to two households."""
        problems = []
        by_number: dict[str, list[HouseholdRows]] = defaultdict(list)
        by_person: dict[tuple[str, str], list[MemberRow]] = defaultdict(list)
        for household in self.households.values():
            if len(household.members) == len(household.rows):  # every relation known
                heads = sum(m.relation == Member.Relation.HEAD for m in household.members)
                if heads != 1:
                    message = (_("户 %(key)s（第 %(rows)s 行）没有登记户主") if not heads
                               else _("户 %(key)s（第 %(rows)s 行）登记了 %(n)d 名户主，一户只能有一名户主"))
                    rows = "、".join(str(n) for n in household.rows)
                    problems.append(message % {"key": household.key, "rows": rows, "n": heads})
            if household.values["old_case_number"] is not _INVALID:
                by_number[household.values["old_case_number"]].append(household)
            seen: dict[str, MemberRow] = {}
            for member in household.members:
                first = seen.setdefault(member.resident_id, member)
                if first is not member:
                    problems.append(member.problem(_("与第 %(row)d 行是同一人（身份证号重复）") % {"row": first.row}))
            program = household.values["program"]
            if isinstance(program, Program) and program.exclusive_membership:
                for member in seen.values():
                    by_person[(member.resident_id, program.code)].append(member)
        for number, households in by_number.items():
            if len(households) > 1:
                problems.append(_("旧系统案件编号 %(number)s 用于多户：%(keys)s")
                                % {"number": number, "keys": "、".join(h.key for h in households)})
        for listed in by_person.values():
            problems.extend(member.problem(_("与第 %(row)d 行是同一人，一人不能在同一救助项目的两户中")
                                           % {"row": listed[0].row}) for member in listed[1:])
        return problems

    def valid_households(self) -> list[HouseholdRows]:
        """The households whose every row and value is good: those the register is checked against."""
        return [h for h in self.households.values()
                if len(h.members) == len(h.rows) and _INVALID not in h.values.values()]


def _csv_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (row number, cells) of each non-empty row; ``ImportRefused`` for an unreadable file or a
    bad header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("文件不是 UTF-8 编码")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        rows = [(number, values) for number, values in enumerate(reader, start=2) if any(v.strip() for v in values)]
    except csv.Error as err:
        raise ImportRefused([_("CSV 格式错误：%(error)s") % {"error": err}]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    problems = (
        [_("缺少列：%(columns)s") % {"columns": ", ".join(missing)}] * bool(missing)
        + [_("无法识别的列：%(columns)s") % {"columns": ", ".join(unknown)}] * bool(unknown)
        + [_("重复的列：%(columns)s") % {"columns": ", ".join(repeated)}] * bool(repeated)
    )
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([_("文件中没有记录")])
    return header, rows


def read_households(data: bytes) -> tuple[list[HouseholdRows], list[str]]:
    """The households of the file whose every row is good, and every problem of its cells and households (the
    register is not consulted beyond programs and villages)."""
    header, table = _csv_table(data)
    rows = [_Row(number, dict(zip(header, (v.strip() for v in values), strict=False))) for number, values in table]
    programs: dict[str, Program] = {}
    for program in Program.objects.all():
        programs[program.code] = programs[program.name] = program
    codes = {row.cells.get("village", "") for row in rows}
    villages = set(Jurisdiction.objects.filter(level=Jurisdiction.Level.VILLAGE, code__in=codes)
                   .values_list("code", flat=True))
    reader = _Reader(programs, villages)
    for row, (_number, values) in zip(rows, table, strict=True):
        if len(values) != len(header):
            row.problem(_("应有 %(n)d 列，实有 %(m)d 列") % {"n": len(header), "m": len(values)})
            reader.problems.append(f"{row.where}：{row.problems[0]}")
        else:
            reader.read(row)
    return reader.valid_households(), reader.problems + reader.household_problems()


# --- the register -----------------------------------------------------------------------------------------

_BATCH = 500  # values per IN (…) query


def _batches(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start:start + _BATCH]


def imported_before(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The ``case.imported`` audit payload of each of these old case numbers imported before (on the system chain:
    an imported case has no process)."""
    found: dict[str, dict[str, Any]] = {}
    for batch in _batches(sorted(set(numbers))):
        events = AuditEvent.objects.filter(chain=audit.SYSTEM_CHAIN, kind=AUDIT_KIND,
                                           payload__old_case_number__in=batch)
        found.update((p["old_case_number"], p) for p in events.values_list("payload", flat=True))
    return found


def _cases_of(resident_ids: list[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(resident ID, program) → (business key, status) of the open and approved cases of programs where a person
    may be in one case only."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for batch in _batches(resident_ids):
        wanted = set(batch)
        rows = (Case.objects.filter(status__in=[Case.Status.OPEN, Case.Status.APPROVED],
                                    program__exclusive_membership=True, household__members__resident_id__in=batch)
                .values_list("household__members__resident_id", "program_id", "business_key", "status")
                .distinct().order_by("business_key"))
        for number, program, business_key, status in rows:
            if number in wanted:
                found[(number, program)].append((business_key, status))
    return found


def check_register(households: list[HouseholdRows]) -> tuple[list[HouseholdRows], list[tuple[HouseholdRows, str]],
                                                              list[str]]:
    """The households to import, those imported before (with their case's business key), and every problem the
    register has with the rest: an old case number imported for another program, people recorded as deceased,
    people already in an open or approved case of an exclusive program."""
    before = imported_before([h.old_case_number for h in households])
    new: list[HouseholdRows] = []
    skipped: list[tuple[HouseholdRows, str]] = []
    problems: list[str] = []
    for household in households:
        earlier = before.get(household.old_case_number)
        if earlier is None:
            new.append(household)
        elif earlier.get("program") == household.program.code:
            skipped.append((household, earlier.get("business_key", "")))
        else:
            problems.append(f"{_where(household.first_row)}："
                            + _("旧系统案件编号 %(number)s 已作为其他项目的案件 %(case)s 导入")
                            % {"number": household.old_case_number, "case": earlier.get("business_key", "")})
    resident_ids = sorted({m.resident_id for h in new for m in h.members})
    dead: set[str] = set()
    for batch in _batches(resident_ids):
        dead.update(Member.objects.filter(resident_id__in=batch, deceased_on__isnull=False)
                    .values_list("resident_id", flat=True))
    cases = _cases_of(resident_ids)
    for household in new:
        for member in household.members:
            if member.resident_id in dead:
                problems.append(member.problem(_("%(name)s 已登记死亡，不能导入") % {"name": member.name}))
            for business_key, status in cases.get((member.resident_id, household.program.code), []):
                problems.append(member.problem(_("%(name)s 已在%(program)s案件 %(case)s（%(status)s）中") % {
                    "name": member.name, "program": household.program.name, "case": business_key,
                    "status": Case.Status(status).label}))
    return new, skipped, problems


# --- writing ----------------------------------------------------------------------------------------------


def _on(day: date) -> datetime:
    """A date as the time of a case (noon, so that it is the same day in any time zone nearby)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _schedule_review(case: Case, household: HouseholdRows, actor: Any) -> None:
    """Enrol the case in the annual review like a case approved here; counted from the old system's last review
    when the file gives one."""
    if case.program_id not in REVIEW_PROGRAMS:
        return
    irregular, reviewed = household.values["irregular_income"], household.values["last_reviewed_on"]
    if reviewed is None:
        enrol(case, actor=actor, irregular_income=irregular)
        return
    # The case was created in this transaction: no one else can see it, let alone lock it.
    schedule = schedule_next_review(case, start=reviewed, irregular_income=irregular, actor=actor)
    schedule.last_reviewed_on = reviewed
    schedule.save(update_fields=["last_reviewed_on", "updated_at"])


def _create(household: HouseholdRows, *, source: dict[str, Any], actor: Any) -> Case:
    values = household.values
    home = Household.objects.create(village_id=values["village"], address=values["address"])
    members = []
    for row in household.members:
        member = Member.objects.create(household=home, name=row.name, relation=row.relation,
                                       resident_id=row.resident_id, **row.flags)
        members.append(member)
        if row.monthly_income:
            IncomeItem.objects.create(household=home, member=member, kind=row.income_kind,
                                      monthly_amount=row.monthly_income, note=_("原系统登记的收入"))
    approved_on = values["approved_on"]
    case = new_case(home, household.program, status=Case.Status.APPROVED, monthly_amount=values["monthly_amount"],
                    payment_starts=values["payment_starts"] or first_of_month(approved_on, 1),
                    closed_at=_on(approved_on))
    # 受理时间 is stamped at creation; an imported case keeps the old system's dates instead.
    case.opened_at = _on(values["applied_on"] or approved_on)
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at)
    register_conflicts(case, find_conflicts(home, members, None))
    grant_case_access(case)
    record_on_case(case, AUDIT_KIND, {
        **source, "program": household.program.code, "old_case_number": household.old_case_number,
        "approved_on": approved_on.isoformat(), "monthly_amount": str(case.monthly_amount),
        "payment_starts": case.payment_starts.isoformat(), "members": len(members), "file_rows": household.rows,
    }, actor)
    try:
        _schedule_review(case, household, actor)
    except (ReviewRefused, EngineError) as err:
        message = _("无法纳入动态管理：%(error)s") % {"error": err}
        raise ImportRefused([f"{_where(household.first_row)}：{message}"]) from None
    return case


def import_recipients(data: bytes, *, source_file: str, imported_by: str, actor: Any = None,
                      dry_run: bool = False) -> ImportResult:
    """Check the whole file against itself and the register, then (unless ``dry_run``) import its new households in
    one transaction. ``ImportRefused`` lists every problem; nothing is written then."""
    digest = hashlib.sha256(data).hexdigest()
    households, problems = read_households(data)
    with transaction.atomic():
        if not dry_run:
            # Serialise with case openings and other imports involving the same people, then check.
            lock_people(sorted({m.resident_id for h in households for m in h.members}))
        new, skipped, register_problems = check_register(households)
        problems = problems + register_problems
        if problems:
            raise ImportRefused([_("共 %(n)d 处问题，未导入任何记录：") % {"n": len(problems)}, *problems])
        already = [household.summary(business_key) for household, business_key in skipped]
        if dry_run:
            return ImportResult(source_file, digest, [h.summary() for h in new], already, dry_run=True)
        source = {"source_file": source_file, "sha256": digest, "imported_by": imported_by}
        imported = [h.summary(_create(h, source=source, actor=actor).business_key) for h in new]
    log.info("recipients imported from %s (sha256 %s) by %s: %d cases, %d imported before",
             source_file, digest, imported_by, len(imported), len(already))
    return ImportResult(source_file, digest, imported, already, dry_run=False)
