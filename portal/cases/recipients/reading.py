"""Reading a recipients file: the CSV table, each cell checked, rows grouped into households."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forms.resident_id import InvalidResidentId, parse
from portal.programs.review.services import (
    REVIEW_PROGRAMS,
)

from ..models import IncomeItem, Jurisdiction, Member, Program
from ..outcome import first_of_month
from ..payments import Payment
from .rows import (
    _AMOUNT,
    _CENT,
    _INVALID,
    _ISO_DATE,
    _ISO_MONTH,
    _MAX_LENGTH,
    _NO,
    _YES,
    COLUMNS,
    FLAG_COLUMNS,
    HOUSEHOLD_COLUMNS,
    REQUIRED_COLUMNS,
    HouseholdRows,
    ImportRefused,
    MemberRow,
    where,
)


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
        return where(self.number, self.cells.get("resident_id", ""))

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


