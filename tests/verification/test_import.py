"""manage.py import_registry_records: whole files or nothing, no full ID number in any output."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from engine.audit import verify_chains
from engine.models import AuditEvent
from forms.resident_id import mask as mask_resident_id
from forms.resident_id import parse
from portal.verification.demo import DEMO_FILE, DEMO_IDS
from portal.verification.models import ImportBatch, RegistryRecord

from .conftest import HEAD, SON, SPOUSE

pytestmark = pytest.mark.django_db

HEADER = "resident_id,source,kind,category,monthly_amount,value,description,valid_from,valid_to\n"


def write(tmp_path: Path, body: str, name: str = "registry.csv", header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + (header + body).encode("utf-8"))
    return path


def refused(path: Path, capsys) -> str:
    with pytest.raises(CommandError) as error:
        call_command("import_registry_records", str(path))
    captured = capsys.readouterr()
    return str(error.value) + captured.out + captured.err


def test_demo_file_imports(capsys):
    call_command("import_registry_records", str(DEMO_FILE), "--imported-by", "县民政局 张科员")
    out = capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert (batch.source_file, batch.rows, batch.imported_by) == ("demo_registry.csv", 10, "县民政局 张科员")
    assert batch.sha256 == hashlib.sha256(DEMO_FILE.read_bytes()).hexdigest()
    assert f"导入 10 条记录（批次 {batch.pk}" in out and "social_insurance 2" in out
    assert RegistryRecord.objects.filter(batch=batch).count() == 10
    assert set(RegistryRecord.objects.values_list("resident_id", flat=True)) == set(DEMO_IDS.values()) - {
        DEMO_IDS["王小雨"]}
    death = RegistryRecord.objects.get(kind="death")
    assert death.resident_id == DEMO_IDS["杨光荣"] and death.valid_from == date(2024, 9, 3)
    assert death.monthly_amount is None and death.value is None
    # Every demo ID is valid, in Kaili.
    assert all(parse(number).region_code == "522601" for number in DEMO_IDS.values())
    # Auditors see the file in the system audit chain too.
    event = AuditEvent.objects.get(kind="verification.registry_imported")
    assert event.payload["sha256"] == batch.sha256 and event.payload["rows"] == 10
    assert event.payload["by_source"]["bank"] == 2
    assert verify_chains() == []


def test_good_file_with_labels_bom_and_lowercase_x(tmp_path, capsys):
    number = "52260119520315011x"
    path = write(tmp_path, f"{number},社保,收入,养老金,1850.5,,,2012-04-01,\n"
                           f"{SPOUSE},银行,财产,定期存款,,32000,农商银行,,2025-12-31\n\n", bom=True)
    call_command("import_registry_records", str(path))
    pension, deposit = RegistryRecord.objects.order_by("pk")
    assert (pension.resident_id, pension.source, pension.kind) == (number.upper(), "social_insurance", "income")
    assert pension.monthly_amount == Decimal("1850.50") and pension.valid_to is None
    assert (deposit.value, deposit.valid_from, deposit.valid_to) == (Decimal("32000"), None, date(2025, 12, 31))
    assert deposit.imported_at is not None and deposit.batch.rows == 2


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(tmp_path):
    path = write(tmp_path, f"养老金,1000,social_insurance,income,{HEAD}\n",
                 header="category,monthly_amount,source,kind,resident_id\n")
    call_command("import_registry_records", str(path))
    assert RegistryRecord.objects.get().monthly_amount == Decimal(1000)


def test_a_file_with_bad_rows_is_refused_whole(tmp_path, capsys):
    bad_check = HEAD[:17] + ("0" if HEAD[17] != "0" else "1")
    path = write(tmp_path, "\n".join([
        f"{HEAD},social_insurance,income,养老金,1850.00,,,2012-04-01,",  # row 2: good
        f"{bad_check},social_insurance,income,养老金,100,,,,",  # row 3: check character
        f"{SPOUSE},police,income,工资,100,,,,",  # row 4: unknown source
        f"{SON},tax,income,工资,,5000,,,",  # row 5: income without monthly amount, with a value
        f"{SON},bank,asset,存款,-5,,,,",  # row 6: negative / malformed amount and no value
        f"{SON},vehicle,asset,小型汽车,,45000,,2024-05-01,2024-04-30",  # row 7: range backwards
        f"{SON},other,death,死亡,,,,,",  # row 8: death without date
        f"{SON},tax,income,,100,,,2024-13-01,",  # row 9: no category, bad date
        ",tax,income,工资,100,,,,",  # row 10: no ID
        f"{SON},tax,income,工资,100",  # row 11: too few columns
    ]) + "\n")
    message = refused(path, capsys)
    assert RegistryRecord.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="verification.registry_imported").exists()
    lines = message.splitlines()
    assert lines[0].startswith("9 行有误") and "未导入任何记录" in lines[0]
    assert not any(line.startswith("第 2 行") for line in lines)
    expected = {
        3: "校验位不正确", 4: "source 的值无法识别", 5: "收入记录须填写月收入", 6: "monthly_amount 应为不小于 0",
        7: "有效期止不能早于有效期起", 8: "死亡登记须以有效期起填写死亡日期", 9: "valid_from 应为 YYYY-MM-DD",
        10: "缺少身份证号", 11: "应有 9 列，实有 5 列",
    }
    for row, problem in expected.items():
        assert any(line.startswith(f"第 {row} 行") and problem in line for line in lines), (row, lines)
    assert any(line.startswith("第 5 行") and "收入记录不应填写价值" in line for line in lines)
    assert any(line.startswith("第 6 行") and "财产记录须填写价值" in line for line in lines)
    assert any(line.startswith("第 9 行") and "缺少 category" in line for line in lines)
    # Rows name the masked number, never the full one.
    assert f"第 3 行（{mask_resident_id(bad_check)}）" in message and "5226**********" in message
    for number in (HEAD, SPOUSE, SON, bad_check):
        assert number not in message


def test_masking():
    assert mask_resident_id("52260119520315011X") == "5226**********011X"
    assert mask_resident_id(" 52260119520315011x ") == "5226**********011X"
    assert mask_resident_id("5226011952031501") == "5226********1501"
    assert mask_resident_id("12345") == "*****"
    assert mask_resident_id("") == ""


def test_duplicate_file_is_refused(tmp_path, capsys):
    path = write(tmp_path, f"{HEAD},social_insurance,income,养老金,1850.00,,,,\n")
    call_command("import_registry_records", str(path))
    copy = write(tmp_path, f"{HEAD},social_insurance,income,养老金,1850.00,,,,\n", name="renamed.csv")
    message = refused(copy, capsys)
    batch = ImportBatch.objects.get()
    assert "已于" in message and f"批次 {batch.pk}" in message and "不能重复导入" in message
    assert RegistryRecord.objects.count() == 1


@pytest.mark.parametrize(("content", "problem"), [
    (HEADER, "文件中没有记录"),
    ("resident_id,source,kind\n", "缺少列：category"),
    (HEADER.replace("valid_to", "valid_until"), "无法识别的列：valid_until"),
    ("resident_id,source,kind,category,category\n", "重复的列：category"),
    ("", "缺少列：resident_id, source, kind, category"),
])
def test_bad_headers_and_empty_files(tmp_path, capsys, content, problem):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    assert problem in refused(path, capsys)
    assert ImportBatch.objects.count() == 0


def test_not_utf8_and_missing_file(tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + f"{HEAD},社保,收入,养老金,100,,,,\n").encode("gbk"))
    assert "不是 UTF-8" in refused(path, capsys)
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_registry_records", str(tmp_path / "missing.csv"))


def test_amount_too_large_and_text_too_long(tmp_path, capsys):
    path = write(tmp_path, f"{HEAD},bank,asset,存款,,1234567890123,,,\n"
                           f"{HEAD},bank,asset,{'存' * 51},,1.999,,,\n")
    message = refused(path, capsys)
    assert "第 2 行" in message and "value 应为" in message
    assert "category 不能超过 50 个字" in message and "第 3 行" in message


def test_record_validity_on_a_day():
    record = RegistryRecord(valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    assert record.counts_on(date(2024, 1, 1)) and record.counts_on(date(2024, 12, 31))
    assert not record.counts_on(date(2023, 12, 31)) and not record.counts_on(date(2025, 1, 1))
    assert RegistryRecord().counts_on(date(1990, 1, 1))


def test_model_clean_checks_amount_by_kind():
    from django.core.exceptions import ValidationError

    record = RegistryRecord(resident_id=HEAD, source="bank", kind="asset", category="存款", monthly_amount=Decimal(1))
    with pytest.raises(ValidationError) as error:
        record.clean()
    assert set(error.value.message_dict) == {"value", "monthly_amount"}


def test_chinese_names_are_accepted_whatever_the_language(tmp_path):
    from django.utils import translation

    from portal.verification.importer import read_rows

    data = (HEADER + f"{HEAD},社保,收入,养老金,1,,,,\n{SPOUSE},其他,死亡,死亡,,,,2024-01-01,\n").encode()
    with translation.override("en"):
        rows = read_rows(data)
    assert [(r["source"], r["kind"]) for r in rows] == [("social_insurance", "income"), ("other", "death")]
    from portal.verification.importer import CHINESE_NAMES

    with translation.override("zh-hans"):
        for choices in (RegistryRecord.Source, RegistryRecord.Kind):
            assert all(CHINESE_NAMES[str(label)] == code for code, label in choices.choices)
