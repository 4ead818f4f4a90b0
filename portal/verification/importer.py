"""Reading registry data files (CSV) into ``RegistryRecord`` rows, all or nothing.

The file is UTF-8 (a byte-order mark is allowed), comma-separated, with a header row naming the
columns (any order):

=================  ========  ==============================================================
column             required  content
=================  ========  ==============================================================
resident_id        yes       18-character resident ID number, check character valid
source             yes       social_insurance 社保, housing_fund 公积金, business_registry 工商,
                             tax 税务, vehicle 车辆, real_estate 不动产, bank 银行, other 其他
                             (the code or the Chinese name)
kind               yes       income 收入, asset 财产, death 死亡登记
category           yes       the registry's item name, e.g. 养老金, 工资, 小型汽车, 住房 (≤ 50)
monthly_amount     income    yuan per month, e.g. 1850.00 (empty for other kinds)
value              asset     yuan, e.g. 45000 (empty for other kinds)
description        no        free text (≤ 200)
valid_from         death     YYYY-MM-DD; for a death, the date of death
valid_to           no        YYYY-MM-DD, inclusive; empty = still valid
=================  ========  ==============================================================

Rows are numbered as a spreadsheet shows them: the header is row 1. A file with any bad row is
refused whole, each problem naming its row and the masked ID number, never the full number. The
same file (same SHA-256) is never imported twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit
from forms.resident_id import InvalidResidentId, parse
from forms.resident_id import mask as mask_resident_id

from .models import ImportBatch, RegistryRecord, kind_errors

REQUIRED_COLUMNS = ("resident_id", "source", "kind", "category")
OPTIONAL_COLUMNS = ("monthly_amount", "value", "description", "valid_from", "valid_to")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
AUDIT_KIND = "verification.registry_imported"
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_INTEGER_DIGITS = {"monthly_amount": 10, "value": 12}  # the model fields' max_digits − 2 decimals
_MAX_LENGTH = {"category": 50, "description": 200}
CHINESE_NAMES = {
    "社保": "social_insurance", "公积金": "housing_fund", "工商": "business_registry", "税务": "tax", "车辆": "vehicle",
    "不动产": "real_estate", "银行": "bank", "其他": "other",
    "收入": "income", "财产": "asset", "死亡登记": "death", "死亡": "death",
}


class ImportRefused(Exception):
    """The file was not imported; ``problems`` lists every reason (row problems start with the row)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Imported:
    batch: ImportBatch
    by_source: dict[str, int]


def _choice(value: str, choices: type[RegistryRecord.Source] | type[RegistryRecord.Kind]) -> str | None:
    """A choice given as its code or its Chinese name (whatever language is active)."""
    if value in choices.values:
        return value
    return CHINESE_NAMES.get(value) if CHINESE_NAMES.get(value) in choices.values else None


def _amount(value: str, column: str, problems: list[str]) -> Decimal | None:
    if not value:
        return None
    if not _AMOUNT.fullmatch(value) or len(value.split(".")[0]) > _MAX_INTEGER_DIGITS[column]:
        problems.append(_("%(column)s 应为不小于 0、最多两位小数的金额") % {"column": column})
        return None
    return Decimal(value)


def _date(value: str, column: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        problems.append(_("%(column)s 应为 YYYY-MM-DD 格式的日期") % {"column": column})
        return None


def _row(cells: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """One row's field values and its problems (none of which repeats the ID number)."""
    problems: list[str] = []
    fields: dict[str, Any] = {}
    try:
        fields["resident_id"] = parse(cells["resident_id"]).number
    except InvalidResidentId as err:
        problems.append(str(err.reason) if cells["resident_id"] else _("缺少身份证号"))
    for column, choices in (("source", RegistryRecord.Source), ("kind", RegistryRecord.Kind)):
        fields[column] = _choice(cells[column], choices)
        if fields[column] is None:
            problems.append(_("%(column)s 的值无法识别") % {"column": column} if cells[column]
                            else _("缺少 %(column)s") % {"column": column})
    if not cells["category"]:
        problems.append(_("缺少 category"))
    for column, limit in _MAX_LENGTH.items():
        fields[column] = cells.get(column, "")
        if len(fields[column]) > limit:
            problems.append(_("%(column)s 不能超过 %(n)d 个字") % {"column": column, "n": limit})
    for column in ("monthly_amount", "value"):
        fields[column] = _amount(cells.get(column, ""), column, problems)
    for column in ("valid_from", "valid_to"):
        fields[column] = _date(cells.get(column, ""), column, problems)
    if fields["kind"] is not None:
        # Which cells are filled in, whatever their content (a malformed one is reported above).
        given = {c: cells.get(c) or None for c in ("monthly_amount", "value", "valid_from")}
        problems.extend(str(message) for message in kind_errors(fields["kind"], **given).values())
    if fields["valid_from"] and fields["valid_to"] and fields["valid_from"] > fields["valid_to"]:
        problems.append(_("有效期止不能早于有效期起"))
    return fields, problems


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Every row's field values, or ``ImportRefused`` listing every problem in the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("文件不是 UTF-8 编码")]) from None
    try:
        return _read_rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise ImportRefused([_("CSV 格式错误：%(error)s") % {"error": err}]) from None


def _read_rows(reader: Iterator[list[str]]) -> list[dict[str, Any]]:
    header = [name.strip() for name in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    header_problems = (
        [_("缺少列：%(columns)s") % {"columns": ", ".join(missing)}] * bool(missing)
        + [_("无法识别的列：%(columns)s") % {"columns": ", ".join(unknown)}] * bool(unknown)
        + [_("重复的列：%(columns)s") % {"columns": ", ".join(repeated)}] * bool(repeated)
    )
    if header_problems:
        raise ImportRefused(header_problems)

    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    bad_rows: set[int] = set()
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        cells = dict(zip(header, (v.strip() for v in values), strict=False))
        where = _("第 %(row)d 行") % {"row": number}
        if cells.get("resident_id"):
            where += f"（{mask_resident_id(cells['resident_id'])}）"
        if len(values) != len(header):
            problems.append(f"{where}：" + _("应有 %(n)d 列，实有 %(m)d 列") % {"n": len(header), "m": len(values)})
            bad_rows.add(number)
            continue
        fields, row_problems = _row(cells)
        problems.extend(f"{where}：{p}" for p in row_problems)
        if row_problems:
            bad_rows.add(number)
        rows.append(fields)
    if problems:
        counts = {"rows": len(bad_rows), "n": len(problems)}
        raise ImportRefused([_("%(rows)d 行有误（共 %(n)d 处问题），未导入任何记录：") % counts, *problems])
    if not rows:
        raise ImportRefused([_("文件中没有记录")])
    return rows


def import_file(data: bytes, *, source_file: str, imported_by: str) -> Imported:
    """Validate the whole file, then import it in one transaction with its batch and audit event."""
    digest = hashlib.sha256(data).hexdigest()
    duplicate = ImportBatch.objects.filter(sha256=digest).first()
    if duplicate is not None:
        raise ImportRefused([_("该文件已于 %(when)s 导入（批次 %(batch)d），不能重复导入") % {
            "when": timezone.localtime(duplicate.imported_at).strftime("%Y-%m-%d %H:%M"), "batch": duplicate.pk}])
    rows = read_rows(data)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(source_file=source_file, sha256=digest, rows=len(rows),
                                               imported_by=imported_by)
            RegistryRecord.objects.bulk_create(RegistryRecord(batch=batch, **fields) for fields in rows)
            by_source = dict(sorted(Counter(fields["source"] for fields in rows).items()))
            audit.append(AUDIT_KIND, payload={
                "batch": batch.pk, "source_file": source_file, "sha256": digest, "rows": len(rows),
                "imported_by": imported_by, "by_source": by_source,
            })
    except IntegrityError:
        # Another import of the same file committed first (the SHA-256 is unique).
        raise ImportRefused([_("该文件已导入，不能重复导入")]) from None
    return Imported(batch=batch, by_source=by_source)
