"""Intake (受理): who may register applications, what a valid one creates, what an invalid one shows, 一次性告知."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from engine import runtime
from engine.models import HumanTask, ProcessInstance
from portal.cases.models import Asset, Case, CaseConflict, Household, IncomeItem, Member, Program, StaffRelative
from portal.cases.permissions import visible_cases

from .conftest import CHILD, HEAD, OTHER_TOWNSHIP_VILLAGE, SPOUSE, VILLAGE, application, post_data, rid

pytestmark = pytest.mark.django_db


def new_url(village: str = VILLAGE, program: str = "dibao") -> str:
    return reverse("intake:new", args=[program]) + f"?village={village}"


def submit(client, data: dict, action: str = "submit", village: str = VILLAGE):
    return client.post(new_url(village), post_data(data, action))


def nothing_saved() -> bool:
    return not (Household.objects.exists() or Member.objects.exists() or Case.objects.exists()
                or ProcessInstance.objects.exists() or CaseConflict.objects.exists())


def started_data(case: Case) -> dict:
    (started,) = [e for e in runtime.history(case.instance_id) if e.kind == "instance.started"]
    return started.payload["data"]


# --- who may register ------------------------------------------------------------------------------------------------


def test_the_caseworker_chooses_program_and_village_then_sees_the_form(client, dibao, caseworker):
    # One program deployed without an application form, one whose process is not deployed: not the shipped ones.
    Program.objects.create(code="tekun", name="特困人员救助供养", process_key="demo_assistance")
    Program.objects.create(code="linshi", name="临时救助", process_key="not_deployed")
    client.force_login(caseworker)
    start = client.get(reverse("intake:start")).content.decode()
    assert "农村最低生活保障" in start and "舟溪村村民委员会" in start
    assert "特困人员救助供养（暂未开通受理）" in start  # deployed, but intake is not wired for it
    assert "临时救助" not in start  # its process is not deployed
    assert "旁海" not in start  # villages of other townships are not offered
    chosen = client.get(reverse("intake:start"), {"program": "dibao", "village": VILLAGE})
    assert chosen.status_code == 302 and chosen.url == new_url()
    page = client.get(new_url())
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("最低生活保障申请", "舟溪镇", "申请人姓名", "共同生活家庭成员", "主要收入类别", "家庭财产",
                 "家庭成员中有民政工作人员或村（居）干部的近亲属", "材料不全，出具一次性告知",
                 "members-__prefix__-name"):
        assert text in html, text
    assert client.get(new_url(program="tekun")).status_code == 404


def test_a_village_of_another_township_is_not_offered(client, dibao, caseworker):
    client.force_login(caseworker)
    assert client.get(new_url(OTHER_TOWNSHIP_VILLAGE)).status_code == 404
    assert client.get(new_url("522601101")).status_code == 404  # the township itself is not a village
    assert client.get(new_url("")).status_code == 404
    assert client.post(new_url(OTHER_TOWNSHIP_VILLAGE), post_data(application())).status_code == 404
    refused = client.get(reverse("intake:start"), {"program": "dibao", "village": OTHER_TOWNSHIP_VILLAGE})
    assert refused.status_code == 200 and "请选择可受理的救助项目" in refused.content.decode()
    assert nothing_saved()


def test_other_offices_and_anonymous_users_cannot_register(client, dibao, make_user):
    other_caseworker = make_user("pang", "township_caseworker", village=OTHER_TOWNSHIP_VILLAGE)
    village_committee = make_user("cun", "village_committee", village=VILLAGE)
    reviewer = make_user("shen", "township_reviewer", village=VILLAGE)
    for user in (other_caseworker, village_committee, reviewer):
        client.force_login(user)
        assert client.get(new_url()).status_code == 404, user.username
        assert client.post(new_url(), post_data(application())).status_code == 404, user.username
    for user in (village_committee, reviewer):
        client.force_login(user)
        assert client.get(reverse("intake:start")).status_code == 404
    client.logout()
    for url in (reverse("intake:start"), new_url()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert nothing_saved()


def test_an_unknown_program_is_404(client, dibao, caseworker):
    client.force_login(caseworker)
    assert client.get(new_url(program="nope")).status_code == 404


# --- a valid application ---------------------------------------------------------------------------------------------


def test_a_valid_application_creates_the_household_and_opens_the_case(client, dibao, caseworker):
    client.force_login(caseworker)
    response = submit(client, application())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    household = case.household
    assert (household.village_id, household.address) == (VILLAGE, "凯里市舟溪镇舟溪村三组")
    members = {m.name: m for m in household.members.all()}
    assert set(members) == {"张三", "李梅", "张小明"}
    zhang, li, child = members["张三"], members["李梅"], members["张小明"]
    assert (zhang.resident_id, zhang.relation, zhang.birth_date, zhang.sex) == (HEAD, "head", date(1965, 4, 12), "M")
    assert (li.resident_id, li.birth_date, li.sex) == (SPOUSE, date(1967, 7, 4), "F")
    assert (child.resident_id, child.birth_date, child.sex, child.student) == (CHILD, date(2010, 9, 1), "M", True)
    assert li.seriously_ill and li.severely_disabled and li.disabled and not zhang.disabled
    assert list(IncomeItem.objects.values_list("member__name", "kind", "monthly_amount")) == [
        ("张三", "business", Decimal("600.50")),
    ]
    assert sorted(Asset.objects.values_list("kind", "value", "description")) == [
        ("deposit", Decimal("3000.00"), "农村信用社活期"), ("vehicle", Decimal("2500.50"), "三轮摩托车"),
    ]
    assert case.status == Case.Status.OPEN and case.business_key.startswith("DIBAO-") and not case.separately_registered
    assert case.instance.status == "running" and case.instance.jurisdiction == VILLAGE
    assert HumanTask.objects.filter(instance=case.instance).exists()
    assert case.instance.started_by == caseworker
    assert list(visible_cases(caseworker)) == [case]

    data = started_data(case)
    assert (data["household_size"], data["county"], data["applicant_name"]) == (3, "522601", "张三")
    assert data["program_name"] == "农村最低生活保障" and data["separately_registered"] is False
    assert data["as_of"] == timezone.localdate().isoformat()
    assert (data["reason"], data["phone"]) == ("配偶重病，无劳动能力", "13812345678")
    assert sorted(data["members"], key=lambda m: m["birth_date"]) == [
        {"name": "张三", "birth_date": "1965-04-12", "monthly_income": 600.5, "severely_disabled": False,
         "seriously_ill": False, "student": False, "single_parent": False},
        {"name": "李梅", "birth_date": "1967-07-04", "monthly_income": 0.0, "severely_disabled": True,
         "seriously_ill": True, "student": False, "single_parent": False},
        {"name": "张小明", "birth_date": "2010-09-01", "monthly_income": 0.0, "severely_disabled": False,
         "seriously_ill": False, "student": True, "single_parent": False},
    ]
    payload = json.dumps([e.payload for e in runtime.history(case.instance_id)], ensure_ascii=False)
    for number in (HEAD, SPOUSE, CHILD):
        assert number not in payload and number[:14] not in payload


def test_deleted_member_rows_are_not_registered(client, dibao, caseworker):
    client.force_login(caseworker)
    extra = {"name": "张", "resident_id": "123", "relation": "other", "monthly_income": 0, "DELETE": True}
    members = [*application()["members"], extra]
    assert submit(client, application(members=members)).status_code == 302
    assert Member.objects.count() == 3


# --- errors: shown all at once, nothing saved -------------------------------------------------------------------------


def test_an_invalid_application_saves_nothing_and_shows_every_error(client, dibao, caseworker):
    client.force_login(caseworker)
    members = application()["members"]
    members[1]["resident_id"] = SPOUSE[:-1] + ("0" if SPOUSE[-1] != "0" else "1")
    members[2]["monthly_income"] = -5
    data = application(phone="02588886666", reason=..., truthfulness_pledge=False, members=members,
                       assets=[{"kind": "boat", "value": 10}], staff_relation_declared=True)
    response = submit(client, data)
    html = response.content.decode()
    assert response.status_code == 200
    for message in ("请填写 11 位手机号码", "校验位", "大于或等于", "须承诺所填信息真实", "选择一个有效的选项",
                    "已申报近亲属关系，请填写相关工作人员姓名", "已申报近亲属关系，请填写与其有亲属关系的家庭成员",
                    "已申报近亲属关系，请填写亲属关系及工作单位"):
        assert message in html, message
    assert html.count("这个字段是必填项") >= 1  # the reason
    assert "配偶重病" not in html and 'value="张三"' in html  # what was entered is kept (the reason was removed)
    assert "处需要补正或修改" in html
    assert nothing_saved()


def test_duplicate_ids_and_two_heads_are_refused(client, dibao, caseworker):
    client.force_login(caseworker)
    members = application()["members"]
    members[2]["resident_id"] = HEAD
    members[1]["relation"] = "head"
    html = submit(client, application(members=members)).content.decode()
    assert "与第 1 行成员的身份证号重复" in html and "一户只能有一名户主" in html
    assert nothing_saved()


def test_a_household_without_a_head_or_without_the_applicant_is_refused(client, dibao, caseworker):
    client.force_login(caseworker)
    members = application()["members"]
    members[0]["relation"] = "other"
    html = submit(client, application(members=members)).content.decode()
    assert "须登记一名户主" in html
    html = submit(client, application(resident_id=rid("19800101", "013"))).content.decode()
    assert "申请人须登记在共同生活家庭成员中" in html
    html = submit(client, application(applicant_name="张山")).content.decode()
    assert "申请人姓名与家庭成员中登记的姓名不一致" in html
    declared = application(staff_relation_declared=True, staff_relation_name="刘芳", staff_relation_member="王五",
                           staff_relation_detail="其姑母")
    assert "请填写家庭成员名单中的姓名" in submit(client, declared).content.decode()
    assert nothing_saved()


def test_a_member_recorded_as_deceased_is_refused(client, dibao, caseworker):
    old_home = Household.objects.create(village_id=VILLAGE, address="舟溪村一组")
    Member.objects.create(household=old_home, name="李梅", relation="head", resident_id=SPOUSE,
                          deceased_on=date(2025, 1, 1))
    client.force_login(caseworker)
    response = submit(client, application())
    html = response.content.decode()
    assert response.status_code == 200 and "不能受理" in html and "成员 李梅 在其他家庭的登记中已死亡" in html
    assert Household.objects.get() == old_home and not Case.objects.exists() and not ProcessInstance.objects.exists()


def test_a_member_already_in_another_open_case_is_refused(client, dibao, caseworker):
    client.force_login(caseworker)
    assert submit(client, application()).status_code == 302
    first = Case.objects.get()
    second = application(applicant_name="赵四", resident_id=rid("19700101", "011"), members=[
        {"name": "赵四", "resident_id": rid("19700101", "011"), "relation": "head", "monthly_income": 0},
        {"name": "张小明", "resident_id": CHILD, "relation": "grandchild", "monthly_income": 0},
    ])
    html = submit(client, second).content.decode()
    assert f"成员 张小明 已在其他家庭的在办案件 {first.business_key} 中" in html
    assert CHILD not in html.split("<form")[0]  # the refusal does not repeat the ID number
    assert Household.objects.count() == 1 and Case.objects.count() == 1 and ProcessInstance.objects.count() == 1


def test_the_same_household_applying_again_for_dibao_is_refused(client, dibao, caseworker):
    assert dibao.one_open_case_per_household and dibao.exclusive_membership
    client.force_login(caseworker)
    assert submit(client, application()).status_code == 302
    first = Case.objects.get()
    response = submit(client, application())
    html = response.content.decode()
    assert response.status_code == 200 and "不能受理" in html
    for name in ("张三", "李梅", "张小明"):
        assert f"成员 {name} 已在其他家庭的在办案件 {first.business_key} 中" in html, name
    assert Household.objects.count() == 1 and Case.objects.count() == 1 and ProcessInstance.objects.count() == 1


def test_a_process_failure_rolls_everything_back(client, dibao, caseworker, monkeypatch):
    from engine.errors import ProcessError

    def fail(*args, **kwargs):
        raise ProcessError("script failed")

    monkeypatch.setattr("portal.cases.services.runtime.start_process", fail)
    client.force_login(caseworker)
    html = submit(client, application()).content.decode()
    assert "审批流程启动出错，本次受理未保存" in html
    assert nothing_saved() and not IncomeItem.objects.exists() and not Asset.objects.exists()


# --- conflicts of interest --------------------------------------------------------------------------------------------


def test_declared_and_matched_staff_relations_register_the_case_separately(client, dibao, caseworker, make_user):
    cadre = make_user("cadre", "village_committee", village=VILLAGE)
    cadre.first_name = "李建国"
    cadre.save()
    StaffRelative.objects.create(staff=cadre, name="李梅", resident_id=SPOUSE, relation="sibling")
    officer = make_user("officer", "county_approver", village=VILLAGE)
    officer.first_name, officer.last_name = "芳", "刘"
    officer.save()
    client.force_login(caseworker)
    data = application(staff_relation_declared=True, staff_relation_name="刘芳", staff_relation_member="张小明",
                       staff_relation_detail="其姑母，县民政局工作人员")
    assert submit(client, data).status_code == 302
    case = Case.objects.get()
    assert case.separately_registered and started_data(case)["separately_registered"] is True
    shown = client.get(reverse("intake:start")).content.decode()  # the messages of the redirect
    assert f"已受理，业务编号 {case.business_key}" in shown and "本案已单独登记备案" in shown
    assert set(case.conflicts.values_list("staff", "staff_name", "member_name", "relation", "source")) == {
        (cadre.pk, "李建国", "李梅", "兄弟姐妹", "matched"),
        (officer.pk, "芳 刘", "张小明", "其姑母，县民政局工作人员", "declared"),
    }


def test_an_undeclared_household_without_relatives_is_not_registered_separately(client, dibao, caseworker, make_user):
    cadre = make_user("cadre", "village_committee", village=VILLAGE)
    StaffRelative.objects.create(staff=cadre, name="某人", resident_id=rid("19700101", "011"), relation="spouse")
    client.force_login(caseworker)
    data = application(staff_relation_name="刘芳")  # a name without the declaration is ignored
    assert submit(client, data).status_code == 302
    case = Case.objects.get()
    assert not case.separately_registered and not case.conflicts.exists()


# --- 一次性告知 -------------------------------------------------------------------------------------------------------


def test_the_notice_lists_every_missing_item_and_saves_nothing(client, dibao, caseworker):
    client.force_login(caseworker)
    partial = {
        "applicant_name": "张三",
        "phone": "12345",
        "members": [
            {"name": "张三", "resident_id": HEAD, "relation": "head"},
            {"name": "李梅", "relation": "spouse", "monthly_income": 0},
        ],
        "assets": [{"kind": "house"}],
    }
    response = submit(client, partial, action="notice")
    html = response.content.decode()
    assert response.status_code == 200 and "补正材料告知书" in html
    assert "舟溪镇" in html and "舟溪村村民委员会" in html and "农村最低生活保障" in html and "张三：" in html
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in html and "陈经办" in html
    expected = [
        ("申请人身份证号", "这个字段是必填项"),
        ("联系电话", "请填写 11 位手机号码"),
        ("家庭住址", "这个字段是必填项"),
        ("申请理由", "这个字段是必填项"),
        ("共同生活家庭成员第 1 行（张三） · 月收入（元）", "这个字段是必填项"),
        ("共同生活家庭成员第 2 行（李梅） · 身份证号", "这个字段是必填项"),
        ("家庭财产第 1 行 · 价值（元）", "这个字段是必填项"),
        ("授权核对家庭经济状况", "须授权核对家庭经济状况后方可受理"),
        ("承诺所填信息真实", "须承诺所填信息真实"),
    ]
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == len(expected)
    for row, (label, message) in zip(rows, expected, strict=True):
        assert label in row and message in row, row
    assert HEAD not in html
    assert nothing_saved()


def test_a_complete_application_needs_no_notice(client, dibao, caseworker):
    client.force_login(caseworker)
    response = submit(client, application(), action="notice")
    html = response.content.decode()
    assert response.status_code == 200 and "无需补正" in html and "补正材料告知书" not in html
    assert nothing_saved()


def test_household_problems_are_in_the_notice_too(client, dibao, caseworker):
    client.force_login(caseworker)
    members = application()["members"]
    members[2]["resident_id"] = SPOUSE
    html = submit(client, application(members=members), action="notice").content.decode()
    assert "共同生活家庭成员第 3 行（张小明） · 身份证号" in html and "与第 2 行成员的身份证号重复" in html
    assert nothing_saved()
