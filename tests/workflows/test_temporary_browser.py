"""In Chromium: the special paths of temporary assistance (临时救助).

* a small amount approved by the township on the county's delegation, the basis on the records;
* emergency aid registered at intake, paid at once from the township reserve fund, and the paperwork completed.

Screenshots of the forms, the reserve fund page and the case pages go to test-artifacts/.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from engine.models import AuditEvent
from portal.cases.models import Case, Program
from portal.programs.temporary import funds
from portal.records.models import Record
from tests.programs.temporary.driver import TemporaryDriver

from .driver import VILLAGE, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOWNSHIP = VILLAGE[:9]


@pytest.fixture
def temporary_program(deployed, jurisdictions):
    return Program.objects.get_or_create(code="temporary", defaults={
        "name": "临时救助", "process_key": "temporary", "application_form": "temporary_application",
        "exclusive_membership": False})[0]


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('待办任务')")


def open_task(page, base: str, name: str) -> None:
    page.goto(base + "/?tab=group")
    page.click(f"a:has-text('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def submit(page) -> None:
    # Keyboard, not a mouse click: after a full-page screenshot Chromium can miss a click near the page's end.
    page.locator("button:has-text('提交办结')").press("Enter")
    page.wait_for_selector("text=已办结")


def township_approves(page, base: str, amount: str) -> None:
    login(page, base, "queren")
    open_task(page, base, "乡镇审批（县级委托）")
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经审核，急难情形属实，同意给予临时救助。")
    page.fill("input[name=approved_amount]", amount)


def signers(case: Case, kind: str) -> list[str]:
    return [r["org_code"] for r in Record.objects.get(instance=case.instance, kind=kind).revisions]


def show_case(page, base: str, case: Case) -> None:
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)


def test_delegated_small_amount_approved_by_the_township(live_server, temporary_program, people, page, screenshot):
    base = live_server.url
    driver = TemporaryDriver(temporary_program, people)
    case = driver.open(requested_months=1)
    driver.accept(case)
    driver.home_visit(case)

    # Township reviewer: one month of Kaili's 2026 urban standard (780 yuan).
    login(page, base, "shenhe")
    open_task(page, base, "乡镇审核（提出审核意见和拟救助金额）")
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经入户核实，家中突发火灾，基本生活暂时困难。")
    page.select_option("select[name=amount_basis]", "months")
    page.fill("input[name=proposed_months]", "1")
    screenshot("temporary-01-township-review")
    submit(page)

    # 780 ≤ 1,500: the township approver decides on the county's delegation; a wrong amount is refused by the form.
    township_approves(page, base, "60000")
    page.locator("button:has-text('提交办结')").press("Enter")
    page.wait_for_selector("p.error")
    assert page.locator("text=临时救助金额最高不超过 50,000 元").count() == 1
    page.fill("input[name=approved_amount]", "780")
    screenshot("temporary-02-township-approval-on-delegation")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("780.00")
    assert signers(case, "approval_form") == ["522601101"] and signers(case, "decision_notice") == ["522601101"]
    basis = AuditEvent.objects.get(instance=case.instance, kind="temporary.decision_basis").payload["basis"]
    assert basis == ("舟溪镇人民政府依凯里市民政局委托审批"
                     "（临时救助委托审批额度 1500 元，凯里市2026年临时救助分级审批规则）")
    show_case(page, base, case)
    assert page.locator("text=临时救助审批表").count() >= 1
    screenshot("temporary-03-case-page-delegated")


def test_emergency_aid_recorded_then_paperwork_completed(live_server, temporary_program, people, page, screenshot):
    base = live_server.url
    funds.top_up(TOWNSHIP, 5000, actor=people["xianguan"], reason="2026年第一季度临时救助备用金")
    today = timezone.localdate().isoformat()
    head = rid("19900202", "346")

    # The caseworker registers the application where the emergency happened, asking for rescue first.
    login(page, base, "jingban")
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "temporary")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "周小梅")
    page.fill("input[name=resident_id]", head)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村三组 8 号")
    page.fill("textarea[name=reason]", "房屋因暴雨垮塌，一家人无处居住")
    page.fill("input[name=members-0-name]", "周小梅")
    page.fill("input[name=members-0-resident_id]", head)
    page.select_option("select[name=members-0-relation]", "head")
    page.fill("input[name=members-0-monthly_income]", "600")
    page.select_option("select[name=aid_kind]", "emergency")
    page.select_option("select[name=procedure]", "rescue_first")
    page.fill("input[name=incident_date]", today)
    page.fill("input[name=incident_place]", "舟溪镇舟溪村三组")
    page.check("input[name=place_confirmed]")
    page.fill("textarea[name=urgency]", "住房倒塌，无处居住，无生活来源")
    page.select_option("select[name=requested_basis]", "months")
    page.fill("input[name=requested_months]", "2")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    screenshot("temporary-04-intake-rescue-first")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get()

    # At once: the emergency aid, paid from the township's reserve fund.
    open_task(page, base, "先行救助登记（备用金发放）")
    page.fill("input[name=aid_date]", today)
    page.fill("textarea[name=situation]", "房屋因暴雨垮塌，一家人无处居住")
    page.fill("input[name=aid_amount]", "1000")
    page.select_option("select[name=aid_form]", "cash")
    page.fill("input[name=received_by]", "周小梅")
    screenshot("temporary-05-emergency-aid")
    submit(page)
    assert funds.balance(TOWNSHIP) == Decimal("4000.00")
    assert signers(case, "emergency_aid") == ["522601101"]
    page.goto(base + "/programs/temporary/funds/")
    assert page.locator("td:has-text('先行救助支出')").count() == 1
    screenshot("temporary-06-reserve-fund")

    # The paperwork afterwards: intake check, home visit, township review (1,200 yuan), delegated approval.
    driver = TemporaryDriver(temporary_program, people)
    driver.accept(case)
    driver.home_visit(case)
    driver.township_review(case, amount=1200)
    township_approves(page, base, "1200")
    screenshot("temporary-07-approval-after-emergency-aid")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("1200.00")
    assert case.temporary_emergency_aid.outcome == "approved"
    assert signers(case, "emergency_aid") == ["522601101", "522601"]  # the county's seal completes the record
    show_case(page, base, case)
    assert page.locator("text=先行救助登记表").count() >= 1
    screenshot("temporary-08-case-page-emergency-aid")
