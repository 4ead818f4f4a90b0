"""The hospital window's one-stop claim page (/programs/medical/claim/) and settlement slip: who may use them,
what a pre-qualified claim opens, and how a person who is not pre-qualified is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from engine import runtime
from engine.models import HumanTask
from portal.cases.models import Case
from portal.cases.services import open_case
from tests.workflows.driver import HOUSEHOLD, make_household

from .conftest import approved

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PATIENT_ID = HOUSEHOLD[1][2]
CLAIM = {"resident_id": PATIENT_ID, "patient_name": "李建国", "hospital": "凯里市第一人民医院",
         "bill_number": "JS-20260302-0001", "admission_date": "2026-02-20", "discharge_date": "2026-03-02",
         "diagnosis": "慢性阻塞性肺疾病急性加重", "total_cost": "15000", "insurance_reimbursed": "9000",
         "compliant_self_paid": "5200"}
CLAIM_URL = reverse("medical:claim")


def post(client, user, **changes):  # noqa: ANN001, ANN201
    client.force_login(user)
    with freeze_time(MONDAY):
        return client.post(CLAIM_URL, {**CLAIM, **changes})


def test_claim_page_is_for_hospital_windows_only(client, programs, people):
    response = client.get(CLAIM_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for name in ("jingban", "shenhe", "shenpi", "yibao", "cunwei", "xianguan"):
        client.force_login(people[name])
        assert client.get(CLAIM_URL).status_code == 404, name
        assert client.post(CLAIM_URL, CLAIM).status_code == 404, name
    client.force_login(people["yiyuan"])
    response = client.get(CLAIM_URL)
    assert response.status_code == 200
    assert "一站式即时结算登记" in response.content.decode() and "522601" in response.content.decode()
    assert not Case.objects.filter(program_id="medical").exists()


def test_window_registers_a_claim_for_a_dibao_member_and_prints_the_slip(client, programs, people):
    source = approved("dibao")
    response = post(client, people["yiyuan"])
    case = Case.objects.get(program_id="medical")
    assert response.status_code == 302 and response["Location"] == reverse("medical:slip", args=[case.pk])
    assert case.household == source.household
    task = HumanTask.objects.get(instance=case.instance, status=HumanTask.Status.READY)
    assert (task.spec_id, task.candidate_group) == ("Task_settlement_confirm", "medical_security:522601")
    data = runtime.task_data(task.pk)
    assert data["channel"] == "one_stop" and data["bill_number"] == "JS-20260302-0001"
    assert PATIENT_ID not in str(data)
    slip = client.get(response["Location"]).content.decode()
    # 低保 in Kaili 2026, covered in full: 5,200 assistance; the patient pays 15,000 − 9,000 − 5,200 = 800.
    assert "5200.00" in slip and "800.00" in slip and "待医疗保障部门确认" in slip and source.business_key in slip
    assert PATIENT_ID not in slip


def test_person_who_is_not_prequalified_is_refused_at_the_window(client, programs, people):
    make_household()  # registered, but with no approved 低保 or 特困 case
    response = post(client, people["yiyuan"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能一站式结算" in page and "不能一站式即时结算" in page and "向户籍所在乡镇（街道）申请医疗救助" in page
    assert not Case.objects.filter(program_id="medical").exists()


def test_window_of_another_county_finds_nobody_and_sees_no_slip(client, programs, people, delegated_people):
    approved("dibao")
    response = post(client, delegated_people["yiyuan"])
    assert response.status_code == 200 and "不能一站式即时结算" in response.content.decode()
    post(client, people["yiyuan"])
    case = Case.objects.get(program_id="medical")
    slip = reverse("medical:slip", args=[case.pk])
    client.force_login(delegated_people["yiyuan"])
    assert client.get(slip).status_code == 404
    for name in ("yibao", "jingban"):  # the case is theirs to see in the case file, but the slip is the window's
        client.force_login(people[name])
        assert client.get(slip).status_code == 404
    client.force_login(people["yiyuan"])
    assert client.get(slip).status_code == 200


def test_slip_exists_only_for_one_stop_claims(client, programs, people):
    with freeze_time(MONDAY):
        case = open_case(make_household(), programs, actor=people["jingban"], data={
            "channel": "application", "patient_name": "李建国", "category": "registered_poor",
            "category_evidence": ["贫困户登记证明"], "hospital": "凯里市第一人民医院", "bill_number": "ZY-0001",
            "diagnosis": "肺部感染",
            "admission_date": "2026-02-10", "discharge_date": "2026-02-27", "total_cost": 30000.0,
            "insurance_reimbursed": 16000.0, "compliant_self_paid": 12000.0})
    client.force_login(people["yiyuan"])
    assert client.get(reverse("medical:slip", args=[case.pk])).status_code == 404


def test_invalid_claims_show_every_error_and_save_nothing(client, programs, people):
    approved("dibao")
    wrong = PATIENT_ID[:-1] + ("0" if PATIENT_ID[-1] != "0" else "1")
    page = post(client, people["yiyuan"], resident_id=wrong, compliant_self_paid="7000").content.decode()
    assert "校验位" in page and "之和不能超过住院总费用" in page
    page = post(client, people["yiyuan"], discharge_date="2026-03-09").content.decode()
    assert "出院日期不能晚于" in page
    # A bill already in an open claim is not claimed again (the household may have other open claims).
    assert post(client, people["yiyuan"]).status_code == 302
    page = post(client, people["yiyuan"]).content.decode()
    assert "该医保结算单已在办理中，不能重复结算" in page
    assert Case.objects.filter(program_id="medical").count() == 1


def test_the_window_registers_claims_of_two_members_of_one_household_and_a_second_stay(client, programs, people):
    source = approved("dibao")
    head_id = HOUSEHOLD[0][2]
    claims = [post(client, people["yiyuan"]),  # 李建国
              post(client, people["yiyuan"], resident_id=head_id, patient_name="王秀英", bill_number="JS-0002",
                   diagnosis="股骨颈骨折"),
              post(client, people["yiyuan"], bill_number="JS-0003", admission_date="2026-02-24")]  # his next stay
    cases = list(Case.objects.filter(program_id="medical").order_by("pk"))
    assert [r.status_code for r in claims] == [302, 302, 302]
    assert [r["Location"] for r in claims] == [reverse("medical:slip", args=[c.pk]) for c in cases]
    assert {c.household_id for c in cases} == {source.household_id}
    assert [c.status for c in cases] == [Case.Status.OPEN] * 3
    assert not any(c.one_open_case_per_household for c in cases)
    patients = []
    for case in cases:
        task = HumanTask.objects.get(instance=case.instance, status=HumanTask.Status.READY)
        assert task.spec_id == "Task_settlement_confirm"
        data = runtime.task_data(task.pk)
        patients.append((data["patient_name"], data["bill_number"]))
    assert patients == [("李建国", "JS-20260302-0001"), ("王秀英", "JS-0002"), ("李建国", "JS-0003")]
    client.force_login(people["yiyuan"])
    slip = client.get(reverse("medical:slip", args=[cases[1].pk])).content.decode()
    assert "王秀英" in slip and "JS-0002" in slip and head_id not in slip
