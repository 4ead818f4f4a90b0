"""How a program pays is data (programs.json → Program.payment, Program.one_open_case_per_household): the loader, the
wording amounts get from it, the records' default, and the migration that set it for the programs already loaded."""

import importlib
import io
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from engine.operators import OperatorContext
from forms.resident_id import check_character
from portal.cases import case_records
from portal.cases.management.commands import load_programs
from portal.cases.models import Case, Household, Member, Program
from portal.cases.payments import Payment, proposed_amount_column, wording

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


@pytest.fixture
def village(db):
    call_command("load_jurisdictions", verbosity=0)


def test_programs_json_says_how_each_program_pays_and_whether_a_household_may_have_several_open_cases():
    out = io.StringIO()
    call_command("load_programs", stdout=out)
    rows = {p.code: (p.payment, p.one_open_case_per_household) for p in Program.objects.all()}
    assert rows == {
        "dibao": ("monthly", True), "tekun": ("monthly", True), "dibao_review": ("monthly", True),
        "tekun_review": ("monthly", True), "medical": ("one_off", False), "temporary": ("one_off", True),
        "disaster": ("one_off", True), "children": ("one_off", True),
    }
    assert "updated medical" not in out.getvalue() and "created medical: 医疗救助 → medical (one_off)" in out.getvalue()
    Program.objects.filter(code="medical").update(payment="monthly", one_open_case_per_household=True)
    call_command("load_programs", stdout=io.StringIO())
    medical = Program.objects.get(code="medical")
    assert (medical.payment, medical.one_open_case_per_household, medical.one_off) == ("one_off", False, True)


def test_an_unknown_payment_kind_loads_nothing(tmp_path, monkeypatch):
    data = {"programs": [{"code": "dibao", "name": "农村最低生活保障", "process_key": "dibao"},
                         {"code": "odd", "name": "某项目", "process_key": "odd", "payment": "weekly"}]}
    path = tmp_path / "programs.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(load_programs, "PROGRAMS_FILE", path)
    with pytest.raises(CommandError, match="odd: payment should be one of monthly, one_off, got 'weekly'"):
        call_command("load_programs", stdout=io.StringIO())
    assert not Program.objects.exists()


def test_amounts_are_worded_by_the_payment_kind():
    monthly, one_off = wording(Payment.MONTHLY), wording("one_off")
    assert (str(monthly.amount), str(monthly.proposed), str(monthly.unit), str(monthly.payment_month)) == (
        "月保障金额（元）", "拟保障金额（元/月）", "元/月", "发放起始月份")
    assert (str(one_off.amount), str(one_off.proposed), str(one_off.unit), str(one_off.payment_month)) == (
        "救助金额（元）", "拟救助金额（元）", "元（一次性）", "发放月份")
    assert Program(payment="one_off").amount_wording == one_off and not Program().one_off


def test_a_column_of_one_kind_names_the_unit_once_and_a_mixed_column_on_every_amount():
    assert proposed_amount_column(["monthly", "monthly"]) == ("拟保障金额（元/月）", False)
    assert proposed_amount_column(iter(["one_off"])) == ("拟救助金额（元）", False)
    assert proposed_amount_column(["monthly", "one_off"]) == ("拟救助金额", True)
    assert proposed_amount_column([]) == ("拟救助金额", False)


@pytest.mark.parametrize(("program_payment", "given", "one_off"), [
    ("one_off", None, True), ("monthly", None, False), ("monthly", "one_off", True), ("one_off", "monthly", False),
])
def test_case_records_are_worded_as_the_program_pays_unless_the_process_says(village, monkeypatch, program_payment,
                                                                              given, one_off):
    # A program of each payment kind, whatever the shipped ones pay.
    program = Program.objects.create(code="p", name="某救助", process_key="p", payment=program_payment)
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
    Member.objects.create(household=home, name="王秀英", relation="head", resident_id=rid("19650412", "124"))
    case = Case.objects.create(household=home, program=program, business_key="P-20260302-000001")
    issued = []
    record = SimpleNamespace(next_slot=None)
    monkeypatch.setattr(case_records.service, "issue", lambda kind, data, **kwargs: issued.append(data) or record)
    monkeypatch.setattr(case_records.service, "summary", lambda r: {"record": "summary"})
    context = OperatorContext(instance_id=None, process_key="p", jurisdiction=VILLAGE, task_spec="Service_record",
                              business_key=case.business_key)
    extra = {} if given is None else {"payment": given}
    result = case_records.issue_case_record(kind="decision_notice", levels=["county"], amount=5200.0,
                                            context=context, **extra)
    assert result == {"record": "summary"} and issued[0]["one_off"] is one_off and issued[0]["amount"] == "5200.00"


def test_an_unknown_payment_given_by_the_process_is_an_error(village):
    context = OperatorContext(instance_id=None, process_key="p", jurisdiction=VILLAGE, task_spec="Service_record",
                              business_key="none")
    with pytest.raises(case_records.OperatorError, match="payment should be monthly or one_off, got 'weekly'"):
        case_records.issue_case_record(kind="decision_notice", levels=["county"], payment="weekly", context=context)


def test_the_migration_sets_the_shipped_programs_and_copies_their_rule_to_existing_cases(village):
    migration = importlib.import_module("portal.cases.migrations.0005_program_payment_and_household_rule")
    # The rows as the migration found them, with the fields' defaults: not the shipped programs.
    medical = Program.objects.create(code="medical", name="医疗救助", process_key="medical")
    dibao = Program.objects.create(code="dibao", name="农村最低生活保障", process_key="dibao")
    temporary = Program.objects.create(code="temporary", name="临时救助", process_key="temporary")
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
    # As the cases stood before the migration: every one under the one-open-case rule.
    claim = Case.objects.create(household=home, program=medical, business_key="MEDICAL-1")
    enrolled = Case.objects.create(household=home, program=dibao, business_key="DIBAO-1")
    migration.copy_program_rules(apps, None)
    rows = {p.code: (p.payment, p.one_open_case_per_household)
            for p in Program.objects.filter(pk__in=[medical.pk, dibao.pk, temporary.pk])}
    assert rows == {"medical": ("one_off", False), "dibao": ("monthly", True), "temporary": ("one_off", True)}
    assert Case.objects.get(pk=claim.pk).one_open_case_per_household is False
    assert Case.objects.get(pk=enrolled.pk).one_open_case_per_household is True
