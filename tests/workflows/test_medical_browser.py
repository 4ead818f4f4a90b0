"""In Chromium: the one-stop settlement path. The hospital window (yiyuan) registers a 低保 member's claim at
discharge and prints the slip with the patient's share; the medical-security department (yibao) confirms it;
the slip then shows the settlement confirmed. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.cases.models import Case
from portal.core.management.commands.load_demo_users import DEMO_PASSWORD
from portal.programs.medical.models import Settlement
from portal.records.models import Record
from tests.browser import login

from .driver import HOUSEHOLD, VILLAGE, make_household, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PATIENT, PATIENT_ID = HOUSEHOLD[1][0], HOUSEHOLD[1][2]


@pytest.fixture
def demo_users(jurisdictions):
    call_command("load_demo_users", "--force", verbosity=0)


@pytest.fixture
def dibao_member(deployed, jurisdictions, shipped_programs):
    """The shipped programs, and a household of the demo village whose 低保 case was approved."""
    home = make_household(VILLAGE)
    return Case.objects.create(household=home, program_id="dibao", business_key="DIBAO-20250610-000001",
                               status=Case.Status.APPROVED, closed_at=timezone.now() - timedelta(days=120),
                               monthly_amount=Decimal("924.00"))


def test_hospital_window_claim_confirmed_by_medical_security(live_server, dibao_member, demo_users, page,
                                                              screenshot):
    base = live_server.url
    today = timezone.localdate()

    # The hospital window: an unknown person first is refused, then the 低保 member's claim at discharge.
    login(page, base, "yiyuan", DEMO_PASSWORD)
    page.goto(base + "/programs/medical/claim/")
    page.wait_for_selector("h1:has-text('一站式即时结算登记')")
    bill = {"patient_name": PATIENT, "hospital": "凯里市第一人民医院", "bill_number": "JS-0001",
            "admission_date": (today - timedelta(days=10)).isoformat(), "discharge_date": today.isoformat(),
            "diagnosis": "慢性阻塞性肺疾病急性加重", "total_cost": "15000", "insurance_reimbursed": "9000",
            "compliant_self_paid": "5200"}
    for name, value in {"resident_id": rid("19750101", "031"), **bill, "patient_name": "赵某某"}.items():
        page.fill(f"[name={name}]", value)
    page.click("button:has-text('查询资格并登记结算')")
    page.wait_for_selector("text=不能一站式即时结算")
    assert not Case.objects.filter(program_id="medical").exists()
    screenshot("medical-01-window-not-prequalified")

    page.fill("[name=resident_id]", PATIENT_ID)
    page.fill("[name=patient_name]", PATIENT)
    screenshot("medical-02-window-claim")
    page.click("button:has-text('查询资格并登记结算')")
    page.wait_for_selector("h1:has-text('医疗救助一站式结算单')")
    # 低保 in Kaili, covered in full: 5,200; the patient pays 15,000 − 9,000 − 5,200 = 800 at discharge.
    assert page.inner_text("#assistance-amount") == "5200.00"
    assert page.inner_text("#patient-share") == "800.00"
    assert page.inner_text("#settlement-status") == "待医疗保障部门确认"
    assert page.locator(f"text={PATIENT_ID}").count() == 0
    screenshot("medical-03-window-slip")
    case = Case.objects.get(program_id="medical")
    slip_url = page.url

    # The medical-security department confirms; no village step came before.
    login(page, base, "yibao", DEMO_PASSWORD)
    page.goto(base + "/?tab=group")
    screenshot("medical-04-worklist-medical-security")
    assert page.locator("a:has-text('一站式结算确认')").count() == 1
    page.click("a:has-text('一站式结算确认')")
    page.wait_for_selector("h1:has-text('一站式结算确认')")
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "结算信息与医保结算单一致，同意结算。")
    screenshot("medical-05-task-settlement-confirm")
    page.click("button:has-text('提交办结')")
    page.wait_for_selector("text=已办结")

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("5200.00")
    settlement = Settlement.objects.get(case=case)
    assert (settlement.channel, settlement.category, settlement.resident_id) == ("one_stop", "dibao", PATIENT_ID)
    assert list(Record.objects.filter(instance=case.instance).values_list("kind", flat=True)) == ["decision_notice"]
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    done = page.eval_on_selector_all(".djs-element.done", "els => els.map(e => e.dataset.elementId)")
    assert "Task_settlement_confirm" in done and "Call_notice" not in done and "Call_intake" not in done
    screenshot("medical-06-case-page")

    # Back at the window, the slip shows the settlement confirmed.
    login(page, base, "yiyuan", DEMO_PASSWORD)
    page.goto(slip_url)
    assert page.inner_text("#settlement-status") == "医疗保障部门已确认结算"
    screenshot("medical-07-window-slip-confirmed")
