"""manage.py import_recipients (portal/cases/recipients/): households already receiving 低保/特困 in the old system
become approved cases, all or nothing; and the demo recipients that let the hospital window register a claim."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from engine import audit, runtime
from engine.models import AuditEvent, HumanTask
from portal.cases.management.commands.load_demo_cases import DEMO_RECIPIENTS
from portal.cases.models import Case, CaseConflict, Household, IncomeItem, Member, Program, StaffRelative
from portal.cases.permissions import visible_cases
from portal.cases.recipients import AUDIT_KIND, COLUMNS
from portal.programs.medical.claims import open_one_stop_claim
from portal.programs.medical.eligibility import prequalify
from portal.programs.review.models import ReviewSchedule
from tests.programs.review.support import approved_case, china_noon, review_programs  # noqa: F401 - a fixture
from tests.workflows.conftest import jurisdictions  # noqa: F401 - a fixture
from tests.workflows.driver import VILLAGE, rid

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)
OTHER_VILLAGE = "522601101203"

# 王秀英's household receives 低保 (reviewed in the old system in 2026); 吴老汉 is a 特困 person living alone.
WANG = rid("19580412", "124")
LI = rid("19600501", "013")
LI_XIAOHONG = rid("20120901", "026")
WU = rid("19470803", "015")
DIBAO = {"household": "A", "village": VILLAGE, "address": "舟溪村 3 组 12 号", "program": "dibao",
         "old_case_number": "DB-2025-0101", "approved_on": "2025-03-12", "monthly_amount": "1452.00",
         "last_reviewed_on": "2026-03-10"}
TEKUN = {"household": "B", "village": OTHER_VILLAGE, "address": "舟溪村 6 组 2 号", "program": "特困人员救助供养",
         "old_case_number": "TK-2024-0002", "approved_on": "2024-06-18", "monthly_amount": "1050",
         "payment_starts": "2024-07"}
GOOD = [
    {**DIBAO, "name": "王秀英", "relation": "户主", "resident_id": WANG, "monthly_income": "300.00",
     "income_kind": "转移净收入"},
    {**DIBAO, "name": "李建国", "relation": "spouse", "resident_id": LI, "seriously_ill": "是",
     "severely_disabled": "1"},
    {**DIBAO, "name": "李小红", "relation": "孙子女", "resident_id": LI_XIAOHONG, "student": "yes"},
    {**TEKUN, "name": "吴老汉", "relation": "户主", "resident_id": WU},
]


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(china_noon(TODAY)):
        yield


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_recipients", str(path), "--imported-by", "省民政厅 数据组", *args, stdout=out)
    return out.getvalue()


def refusal(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as refused:
        run(path, *args)
    return str(refused.value)


def imported_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AUDIT_KIND).order_by("seq"))


@pytest.mark.usefixtures("review_programs")
def test_a_good_file_imports_approved_cases_with_their_households_audit_and_review(tmp_path, make_user):
    path = write(tmp_path / "凯里市存量对象.csv", GOOD)
    output = run(path)

    dibao = Case.objects.get(program_id="dibao")
    tekun = Case.objects.get(program_id="tekun")
    assert f"{dibao.business_key} ← DB-2025-0101（农村最低生活保障，3 人）" in output
    assert f"{tekun.business_key} ← TK-2024-0002（特困人员救助供养，1 人）" in output
    assert "导入 2 户（4 人），0 户此前已导入" in output
    # Approved as the old system approved them, without a process.
    assert dibao.business_key == f"DIBAO-20261201-{dibao.pk:06d}" and dibao.instance is None
    assert (dibao.status, dibao.monthly_amount, dibao.payment_starts) == (
        Case.Status.APPROVED, Decimal("1452.00"), date(2025, 4, 1))  # paid from the month after approval
    assert timezone.localtime(dibao.closed_at).date() == date(2025, 3, 12)
    assert timezone.localtime(dibao.opened_at).date() == date(2025, 3, 12)
    assert (tekun.monthly_amount, tekun.payment_starts) == (Decimal("1050.00"), date(2024, 7, 1))
    # The household, its members (birth date and sex from the ID number), flags and income.
    home = dibao.household
    assert (home.village_id, home.address) == (VILLAGE, "舟溪村 3 组 12 号")
    members = {m.name: m for m in home.members.all()}
    assert [members[n].relation for n in ("王秀英", "李建国", "李小红")] == ["head", "spouse", "grandchild"]
    assert (members["李建国"].birth_date, members["李建国"].sex) == (date(1960, 5, 1), "M")
    assert (members["李建国"].seriously_ill, members["李建国"].severely_disabled, members["李建国"].disabled) == (
        True, True, True)
    assert members["李小红"].student and not members["王秀英"].student
    income = IncomeItem.objects.get(household=home)
    assert (income.member, income.kind, income.monthly_amount) == (members["王秀英"], "transfer", Decimal("300.00"))
    assert tekun.household.village_id == OTHER_VILLAGE
    # Visible to the offices of its village, township and county, like a case opened here.
    township = make_user("zhouxi_caseworker", "township_caseworker", village=VILLAGE)
    assert set(visible_cases(township)) == {dibao, tekun}
    elsewhere = make_user("huangping_caseworker", "township_caseworker", village="522622100201")
    assert not visible_cases(elsewhere).exists()
    # Audited on the system chain: the file, its digest, who imported it and the old case number.
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    events = {e.payload["business_key"]: e for e in imported_events()}
    event = events[dibao.business_key]
    assert event.chain == audit.SYSTEM_CHAIN and event.actor_label == "system"
    assert {k: event.payload[k] for k in ("source_file", "sha256", "imported_by", "old_case_number", "program",
                                          "approved_on", "monthly_amount", "members", "file_rows")} == {
        "source_file": "凯里市存量对象.csv", "sha256": digest, "imported_by": "省民政厅 数据组",
        "old_case_number": "DB-2025-0101", "program": "dibao", "approved_on": "2025-03-12",
        "monthly_amount": "1452.00", "members": 3, "file_rows": [2, 3, 4]}
    assert events[tekun.business_key].payload["old_case_number"] == "TK-2024-0002"
    assert audit.verify_chains() == []
    # Enrolled in the annual review: counted from the old system's last review, else from the approval.
    schedule = ReviewSchedule.objects.get(case=dibao)
    assert (schedule.interval_months, schedule.next_due, schedule.last_reviewed_on) == (
        12, date(2027, 3, 10), date(2026, 3, 10))
    assert ReviewSchedule.objects.get(case=tekun).next_due == date(2025, 6, 18)  # overdue: the sweep opens it
    scheduled = AuditEvent.objects.filter(kind="review.scheduled", payload__business_key=dibao.business_key).get()
    assert scheduled.payload["next_due"] == "2027-03-10"


@pytest.mark.usefixtures("review_programs")
def test_the_case_page_of_an_imported_case_shows_where_it_came_from(tmp_path, make_user, client):
    run(write(tmp_path / "凯里市存量对象.csv", GOOD))
    dibao = Case.objects.get(program_id="dibao")
    assert [e.kind for e in runtime.system_history(dibao.business_key)] == ["case.imported", "review.scheduled"]
    client.force_login(make_user("zhouxi_caseworker", "township_caseworker", village=VILLAGE))
    html = client.get(reverse("casefile:detail", args=[dibao.pk])).content.decode()
    timeline = html[html.index('id="timeline"'):]
    for shown in ("存量对象导入", "DB-2025-0101", "凯里市存量对象.csv", "2025-03-12", "确定下次核查", "2027-03-10"):
        assert shown in timeline, shown
    assert "TK-2024-0002" not in timeline  # the other household's import


@pytest.mark.usefixtures("review_programs")
def test_staff_relatives_among_imported_members_are_registered(tmp_path, make_user):
    staff = make_user("cunwei", "village_committee", village=VILLAGE)
    StaffRelative.objects.create(staff=staff, name="李小红", resident_id=LI_XIAOHONG, relation="grandchild")
    run(write(tmp_path / "r.csv", GOOD))
    case = Case.objects.get(program_id="dibao")
    assert case.separately_registered
    assert CaseConflict.objects.get(case=case).member_name == "李小红"


@pytest.mark.usefixtures("review_programs")
def test_a_file_with_bad_rows_is_refused_whole_with_every_problem(tmp_path):
    # Already receiving 低保 in another household (approved here earlier).
    zhao = rid("19700101", "011")
    existing = approved_case(Program.objects.get(code="dibao"), members=[
        ("赵大", "head", zhao, 0, {}), ("钱二", "spouse", rid("19720202", "022"), 0, {})])
    bad_check = LI[:17] + ("0" if LI[17] != "0" else "1")
    rows = [
        *GOOD,
        {**DIBAO, "household": "C", "old_case_number": "DB-9", "village": "522601101299", "name": "周一",
         "relation": "head", "resident_id": rid("19800101", "011")},  # row 6: unknown village
        {**DIBAO, "household": "D", "old_case_number": "DB-10", "name": "郑二", "relation": "head",
         "resident_id": bad_check},  # row 7: wrong check character
        {**DIBAO, "household": "E", "old_case_number": "MD-1", "program": "medical", "name": "冯三",
         "relation": "head", "resident_id": rid("19810101", "031")},  # row 8: paid once, not monthly
        {**DIBAO, "household": "F", "old_case_number": "DB-11", "name": "王秀英", "relation": "head",
         "resident_id": WANG},  # row 9: already in household A of this file
        {**DIBAO, "household": "G", "old_case_number": "DB-12", "name": "赵大", "relation": "head",
         "resident_id": zhao},  # row 10: in an approved 低保 case already
        {**DIBAO, "household": "H", "old_case_number": "DB-13", "monthly_amount": "12,00", "approved_on": "2025-02-30",
         "name": "陈四", "relation": "head", "resident_id": rid("19820101", "051")},  # row 11: amount and date
        {**DIBAO, "household": "I", "old_case_number": "DB-14", "approved_on": "2027-01-01", "name": "褚五",
         "relation": "head", "resident_id": rid("19830101", "071")},  # row 12: approved in the future
        {**DIBAO, "household": "J", "old_case_number": "DB-15", "name": "卫六", "relation": "child",
         "resident_id": rid("19840101", "091")},  # row 13: a household without a head
        {**DIBAO, "household": "K", "old_case_number": "DR-1", "program": "dibao_review", "name": "蒋七",
         "relation": "head", "resident_id": rid("19850101", "111")},  # row 14: a review, not a benefit
    ]
    path = write(tmp_path / "bad.csv", rows)
    households, members, cases = Household.objects.count(), Member.objects.count(), Case.objects.count()
    message = refusal(path)

    assert message.startswith("共 10 处问题，未导入任何记录：")
    lines = message.splitlines()
    masked = {number: f"{number[:4]}{'*' * 10}{number[-4:]}" for number in (bad_check, WANG, zhao)}
    expected = [
        "第 6 行（5226**********",  # the village
        f"第 7 行（{masked[bad_check]}）：身份证号码校验位不正确，请核对是否抄错",
        "第 8 行（5226**********",
        f"第 9 行（{masked[WANG]}）：与第 2 行是同一人，一人不能在同一救助项目的两户中",
        f"第 10 行（{masked[zhao]}）：赵大 已在农村最低生活保障案件 {existing.business_key}（已批准）中",
        "户 J（第 13 行）没有登记户主",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    for row, problem in [(6, "village 不是已登记的村（居）区划代码"), (8, "医疗救助不能作为存量救助对象导入"),
                         (11, "monthly_amount 应为大于 0、最多两位小数的金额"),
                         (11, "approved_on 应为 YYYY-MM-DD 格式的日期"), (12, "approved_on 不能晚于今天"),
                         (14, "低保动态管理（定期核查）不能作为存量救助对象导入")]:
        assert any(line.startswith(f"第 {row} 行") and problem in line for line in lines), (row, problem)
    # Nothing written, no ID number in clear.
    assert (Household.objects.count(), Member.objects.count(), Case.objects.count()) == (households, members, cases)
    assert not imported_events() and not ReviewSchedule.objects.exists()
    for number in (bad_check, WANG, zhao, LI):
        assert number not in message


@pytest.mark.usefixtures("review_programs")
def test_rows_of_one_household_must_agree_and_people_appear_once(tmp_path):
    rows = [GOOD[0], {**GOOD[1], "approved_on": "2025-03-13"}, {**GOOD[2], "resident_id": WANG},
            {**TEKUN, "household": "B", "old_case_number": "DB-2025-0101", "name": "吴老汉", "relation": "head",
             "resident_id": WU}]
    message = refusal(write(tmp_path / "r.csv", rows))
    assert "第 3 行（" in message and "approved_on 与同户第 2 行不一致" in message
    assert "与第 2 行是同一人（身份证号重复）" in message
    assert "旧系统案件编号 DB-2025-0101 用于多户：A、B" in message
    assert not Case.objects.exists()


@pytest.mark.usefixtures("review_programs")
def test_a_person_in_an_open_case_of_the_program_is_refused(tmp_path):
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 9 组")
    Member.objects.create(household=home, name="吴老汉", relation="head", resident_id=WU)
    # An application being processed (its process is not needed here).
    Case.objects.create(household=home, program_id="tekun", business_key="TEKUN-20261120-000001")
    message = refusal(write(tmp_path / "r.csv", GOOD))
    assert "吴老汉 已在特困人员救助供养案件 TEKUN-20261120-000001（办理中）中" in message


@pytest.mark.usefixtures("review_programs")
def test_a_person_recorded_as_deceased_is_refused(tmp_path):
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 9 组")
    Member.objects.create(household=home, name="吴老汉", relation="head", resident_id=WU, deceased_on=date(2026, 5, 1))
    message = refusal(write(tmp_path / "r.csv", GOOD))
    assert "吴老汉 已登记死亡，不能导入" in message
    assert not Case.objects.exists()


@pytest.mark.usefixtures("review_programs")
def test_importing_the_same_file_again_does_nothing(tmp_path):
    path = write(tmp_path / "r.csv", GOOD)
    run(path)
    counts = (Household.objects.count(), Member.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    output = run(path)
    assert "导入 0 户（0 人），2 户此前已导入，未重复导入" in output
    assert (Household.objects.count(), Member.objects.count(), Case.objects.count(),
            AuditEvent.objects.count()) == counts
    # A later file with one more household imports only that one; a known number under another program is refused.
    more = write(tmp_path / "more.csv", [*GOOD, {**TEKUN, "household": "C", "old_case_number": "TK-2025-0009",
                                                 "name": "杨秀珍", "relation": "head",
                                                 "resident_id": rid("19410211", "022")}])
    assert "导入 1 户（1 人），2 户此前已导入" in run(more)
    moved = write(tmp_path / "moved.csv", [{**GOOD[3], "program": "dibao"}])
    assert "旧系统案件编号 TK-2024-0002 已作为其他项目的案件 TEKUN-" in refusal(moved)


@pytest.mark.usefixtures("review_programs")
def test_dry_run_checks_the_file_and_writes_nothing(tmp_path):
    path = write(tmp_path / "r.csv", GOOD)
    output = run(path, "--dry-run")
    assert "DB-2025-0101（农村最低生活保障，3 人）" in output and "TK-2024-0002（特困人员救助供养，1 人）" in output
    assert "检查通过，可导入 2 户（4 人），0 户此前已导入；试运行，未写入任何数据" in output
    assert not (Household.objects.exists() or Member.objects.exists() or Case.objects.exists()
                or AuditEvent.objects.filter(kind=AUDIT_KIND).exists() or ReviewSchedule.objects.exists())
    bad = write(tmp_path / "bad.csv", [{**GOOD[0], "monthly_amount": "-5"}])
    assert "monthly_amount 应为大于 0" in refusal(bad, "--dry-run")
    run(path)
    assert Case.objects.count() == 2


@pytest.mark.usefixtures("review_programs")
def test_no_full_id_number_in_output_or_logs(tmp_path, caplog):
    numbers = [row["resident_id"] for row in GOOD]
    caplog.set_level(logging.DEBUG)
    bad = write(tmp_path / "bad.csv", [{**row, "monthly_amount": "x"} for row in GOOD])
    texts = [refusal(bad)]
    good = write(tmp_path / "good.csv", GOOD)
    texts += [run(good, "--dry-run"), run(good), run(good)]
    texts.append(caplog.text)
    texts += [str(e.payload) for e in AuditEvent.objects.all()]
    assert "recipients imported from good.csv" in caplog.text
    for text in texts:
        for number in numbers:
            assert number not in text


@pytest.mark.usefixtures("review_programs")
def test_header_problems_and_unreadable_files(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("household,village,name\n1,522601101200,王\n", encoding="utf-8")
    assert "缺少列：address, program, old_case_number" in refusal(missing)
    latin = tmp_path / "gbk.csv"
    latin.write_bytes(",".join(COLUMNS).encode() + "\n王".encode("gbk"))
    assert "文件不是 UTF-8 编码" in refusal(latin)
    empty = write(tmp_path / "empty.csv", [])
    assert "文件中没有记录" in refusal(empty)


@pytest.mark.usefixtures("jurisdictions", "shipped_programs")  # the programs, but no review rules deployed
def test_a_case_that_cannot_be_enrolled_in_the_review_undoes_the_whole_import(tmp_path):
    message = refusal(write(tmp_path / "r.csv", GOOD))
    assert message.startswith("第 2 行：无法纳入动态管理：")
    assert not (Household.objects.exists() or Case.objects.exists() or AuditEvent.objects.exists())


# --- the demo ---------------------------------------------------------------------------------------------


def one_stop_claim(resident_id: str, name: str) -> dict[str, Any]:
    return {"resident_id": resident_id, "patient_name": name, "hospital": "凯里市第一人民医院",
            "bill_number": "JS-20261130-0007", "admission_date": "2026-11-18", "discharge_date": "2026-11-30",
            "diagnosis": "慢性阻塞性肺疾病急性加重", "total_cost": 15000.0, "insurance_reimbursed": 9000.0,
            "compliant_self_paid": 5200.0}


@pytest.mark.usefixtures("deployed", "jurisdictions", "shipped_programs")
def test_demo_recipients_are_loaded_once_and_the_hospital_window_can_register_a_claim():
    call_command("load_demo_users", "--force", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_cases", "--force", stdout=out)
    assert "demo_recipients.csv：导入 3 户（6 人）" in out.getvalue()
    imported = Case.objects.filter(status=Case.Status.APPROVED, instance=None)
    assert sorted(imported.values_list("program_id", flat=True)) == ["dibao", "dibao", "tekun"]
    assert {c.household.village_id for c in imported} == {"522601101200"}
    assert ReviewSchedule.objects.filter(case__in=imported).count() == 3
    # Run again (make run does, every time): nothing new.
    again = io.StringIO()
    call_command("load_demo_cases", "--force", stdout=again)
    assert "导入 0 户（0 人），3 户此前已导入" in again.getvalue()
    assert Case.objects.filter(status=Case.Status.APPROVED, instance=None).count() == 3

    rows = list(csv.DictReader(DEMO_RECIPIENTS.open(encoding="utf-8")))
    member = next(r for r in rows if r["program"] == "dibao" and r["seriously_ill"] == "是")
    found = prequalify(member["resident_id"], ["522601"], 2026)
    assert found is not None and (found.category, found.member.name) == ("dibao", member["name"])
    tekun = next(r for r in rows if r["program"] == "tekun")
    assert prequalify(tekun["resident_id"], ["522601"], 2026).category == "tekun"
    # The hospital window (yiyuan) registers the one-stop claim: straight to the medical-security department.
    window = User.objects.get(username="yiyuan")
    claim = open_one_stop_claim(one_stop_claim(member["resident_id"], member["name"]), actor=window,
                                counties=["522601"])
    assert claim.program_id == "medical" and claim.household == found.source.household
    assert list(HumanTask.objects.filter(instance=claim.instance, status=HumanTask.Status.READY)
                .values_list("spec_id", flat=True)) == ["Task_settlement_confirm"]
