"""In Chromium: the special paths of temporary assistance (临时救助).

* a small amount approved by the township on the county's delegation, the basis on the records;
* an amount one cent over the delegation: the township approver gets no task, the county approves;
* an application above the 50,000 yuan ceiling refused by the form, nothing entered lost;
* above the second threshold: the county's collective decision with its meeting record;
* emergency aid registered at intake, paid at once from the township reserve fund, and the paperwork completed;
* emergency aid whose paperwork deadline passed: the escalation in the county's worklist and its overdue report.

Engine steps that sign records run off Playwright's event loop (``off_the_browser_loop``). Screenshots of the
forms, the worklists, the reports and the case pages go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime, workcalendar
from engine.models import AuditEvent, HumanTask, ProcessInstance
from portal.cases.models import Case, Household
from portal.programs.temporary import funds
from portal.records.models import Record
from tests.browser import login, off_the_browser_loop, open_task, submit
from tests.programs.temporary.driver import TemporaryDriver

from .driver import VILLAGE, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOWNSHIP = VILLAGE[:9]


@pytest.fixture
def temporary_program(deployed, jurisdictions, shipped_programs):
    return shipped_programs["temporary"]


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


def diagram_elements(page, state: str) -> list[str]:
    return page.eval_on_selector_all(f".djs-element.{state}", "els => els.map(e => e.dataset.elementId).sort()")


def invalid_fields(page) -> list[str]:
    return page.eval_on_selector_all("[aria-invalid=true]", "els => els.map(e => e.name)")


def end_notice(case: Case) -> None:
    """The 7-day notice passes without objection."""
    with freeze_time(timezone.now() + timedelta(days=8)):
        runtime.fire_instance_timers(case.instance_id)


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


def test_just_over_the_delegation_the_county_approves(live_server, temporary_program, people, page, screenshot):
    base = live_server.url
    driver = TemporaryDriver(temporary_program, people)
    case = driver.open(requested_months=2)
    driver.accept(case)
    driver.home_visit(case)

    # Township reviewer: 1,500.01 yuan, one cent over the 1,500 Kaili delegates to its townships in 2026.
    login(page, base, "shenhe")
    open_task(page, base, "乡镇审核（提出审核意见和拟救助金额）")
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经入户核实，家中突发火灾，基本生活暂时困难。")
    page.select_option("select[name=amount_basis]", "sum")
    page.fill("input[name=proposed_sum]", "1500.01")
    page.fill("textarea[name=sum_reasons]", "房屋修缮材料费 1,000 元，购置被褥和炊具 500.01 元")
    screenshot("temporary-09-township-review-over-delegation")
    submit(page)
    # Beyond the delegation: no township approval; Kaili notices the cases its county approves.
    assert driver.ready(case) == ["Task_objection"]

    # The township approver has nothing to approve, during the notice or after it; the county's task is not theirs.
    login(page, base, "queren")
    page.goto(base + "/?tab=group")
    assert page.locator("text=没有待办任务。").count() == 1
    screenshot("temporary-10-worklist-township-approver-empty")
    end_notice(case)
    county_task = driver.task(case, "Task_county_approval")
    assert (county_task.candidate_group, county_task.form_key) == ("county_approver:522601",
                                                                   "temporary_county_decision")
    assert driver.data(case, "Task_county_approval")["delegation_threshold"] == 1500
    page.goto(base + "/?tab=group")
    assert page.locator("text=没有待办任务。").count() == 1
    assert page.goto(f"{base}/tasks/{county_task.pk}/").status == 404

    # The county approver decides, the proposed amount pre-filled.
    login(page, base, "shenpi")
    open_task(page, base, "县级审批")
    assert page.locator("input[name=approved_amount]").input_value() == "1500.01"
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经审核，同意乡镇审核意见，给予临时救助。")
    screenshot("temporary-11-county-approval")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("1500.01")
    assert signers(case, "approval_form") == ["522601101", "522601"] and signers(case, "decision_notice") == ["522601"]
    basis = "凯里市民政局审批（凯里市2026年临时救助分级审批规则）"
    decided = AuditEvent.objects.get(instance=case.instance, kind="temporary.decision_basis").payload
    assert (decided["basis"], decided["level"], decided["delegated"]) == (basis, "county", False)

    # The case page: the county's approval and its basis, no delegation; the approval form sealed by both.
    show_case(page, base, case)
    done = diagram_elements(page, "done")
    assert "Task_county_approval" in done and "Task_township_confirm" not in done
    entry = page.locator("#timeline li.kind-temporarydecision_basis")
    assert entry.count() == 1 and basis in entry.inner_text()
    assert "委托" not in page.locator("#timeline").inner_text()
    approval_form = page.locator("#documents tr:has(td:text-is('临时救助审批表'))")
    assert "凯里市舟溪镇人民政府" in approval_form.inner_text() and "凯里市民政局" in approval_form.inner_text()
    screenshot("temporary-12-case-page-county-approval")


def test_amount_above_the_ceiling_is_refused_by_the_form(live_server, temporary_program, people, page, screenshot):
    base = live_server.url
    head = rid("19850716", "227")

    # The caseworker registers an application for 60,000 yuan, above the 50,000 ceiling.
    login(page, base, "jingban")
    events_before = AuditEvent.objects.count()
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "temporary")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "杨光明")
    page.fill("input[name=resident_id]", head)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村五组 2 号")
    page.fill("textarea[name=reason]", "突发重病住院，医疗费用自付部分巨大")
    page.fill("input[name=members-0-name]", "杨光明")
    page.fill("input[name=members-0-resident_id]", head)
    page.select_option("select[name=members-0-relation]", "head")
    page.fill("input[name=members-0-monthly_income]", "1200")
    page.select_option("select[name=aid_kind]", "expenditure")
    page.select_option("select[name=procedure]", "normal")
    page.fill("input[name=incident_date]", timezone.localdate().isoformat())
    page.fill("input[name=incident_place]", "舟溪镇舟溪村五组")
    page.check("input[name=place_confirmed]")
    page.select_option("select[name=requested_basis]", "sum")
    page.fill("input[name=requested_sum]", "60000")
    page.fill("textarea[name=sum_reasons]", "住院手术费用医保报销后自付六万元")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_selector("p.error[role=alert]")

    # One field error, at the amount; nothing saved, no process started.
    assert "有 1 处需要补正或修改" in page.locator("p.error[role=alert]").inner_text()
    invalid = page.locator("div.field.invalid")
    assert invalid.count() == 1 and invalid.locator("input[name=requested_sum]").count() == 1
    assert invalid.locator("p.error").inner_text() == "临时救助金额最高不超过 50,000 元"
    assert invalid_fields(page) == ["requested_sum"]
    screenshot("temporary-13-intake-above-the-ceiling")
    assert not Case.objects.exists() and not Household.objects.exists()
    assert not ProcessInstance.objects.exists() and AuditEvent.objects.count() == events_before

    # Everything entered is still there.
    kept = {"applicant_name": "杨光明", "resident_id": head, "phone": "13812345678", "members-0-name": "杨光明",
            "members-0-resident_id": head, "members-0-monthly_income": "1200", "requested_sum": "60000",
            "incident_place": "舟溪镇舟溪村五组"}
    assert {name: page.locator(f"input[name='{name}']").input_value() for name in kept} == kept
    assert page.locator("textarea[name=sum_reasons]").input_value() == "住院手术费用医保报销后自付六万元"
    assert page.locator("select[name=aid_kind]").input_value() == "expenditure"
    assert page.locator("select[name=requested_basis]").input_value() == "sum"
    assert page.locator("select[name=members-0-relation]").input_value() == "head"
    for box in ("place_confirmed", "authorize_verification", "truthfulness_pledge"):
        assert page.locator(f"input[name={box}]").is_checked(), box

    # Corrected to 25,000, the same form opens the case.
    page.fill("input[name=requested_sum]", "25000")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get()
    assert TemporaryDriver.ready(case) == ["Task_intake_check"]
    data = TemporaryDriver(temporary_program, people).data(case, "Task_intake_check")
    assert (data["requested_amount"], data["tier"]) == (25000, "collective")


def test_above_the_second_threshold_the_county_decides_collectively(live_server, temporary_program, people, page,
                                                                    screenshot):
    base = live_server.url
    driver = TemporaryDriver(temporary_program, people)
    # Nine days ago: the application for 25,000 yuan, checked, visited, reviewed and noticed for 7 days.
    with freeze_time(timezone.now() - timedelta(days=9)) as clock:
        case = driver.open(requested_basis="sum", requested_sum=25000, sum_reasons="住房倒塌后租房和购置生活用品")
        driver.accept(case)
        driver.home_visit(case)
        driver.township_review(case, amount=25000)
        driver.end_notice(case, clock)
    task = driver.task(case, "Task_county_approval")
    assert (task.form_key, task.name) == ("temporary_collective_decision", "县级集体研究决定")

    # The county approver records the meeting: attendees, every member's opinion, the decision.
    today = timezone.localdate().isoformat()
    login(page, base, "shenpi")
    open_task(page, base, "县级集体研究决定")
    assert page.locator("input[name=approved_amount]").input_value() == "25000"
    page.fill("input[name=meeting_date]", today)
    page.fill("input[name=meeting_name]", "凯里市民政局局务会")
    page.fill("input[name=chair]", "孙局长")
    page.fill("textarea[name=attendees]", "孙局长\n李副局长\n王科长")
    opinions = [("孙局长", "agree", "情况属实"), ("李副局长", "agree", ""), ("王科长", "abstain", "建议分两次发放")]
    for index, (member, opinion, remarks) in enumerate(opinions):
        page.fill(f"input[name=member_opinions-{index}-member]", member)
        page.select_option(f"select[name=member_opinions-{index}-opinion]", opinion)
        page.fill(f"input[name=member_opinions-{index}-remarks]", remarks)
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经集体研究，同意给予临时救助。")
    page.check("input[name=all_signed]")

    # An amount above the ceiling is refused in the form; the meeting record stays as entered, the task open.
    events_before = AuditEvent.objects.filter(instance=case.instance).count()
    page.fill("input[name=approved_amount]", "50000.01")
    page.locator("button:has-text('提交办结')").press("Enter")
    page.wait_for_selector("p.error")
    assert [e.strip() for e in page.locator("p.error").all_inner_texts()] == ["临时救助金额最高不超过 50,000 元"]
    assert invalid_fields(page) == ["approved_amount"]
    screenshot("temporary-14-collective-decision-above-the-ceiling")
    assert page.locator("textarea[name=attendees]").input_value() == "孙局长\n李副局长\n王科长"
    assert page.locator("input[name=member_opinions-2-remarks]").input_value() == "建议分两次发放"
    assert page.locator("select[name=member_opinions-2-opinion]").input_value() == "abstain"
    assert page.locator("input[name=all_signed]").is_checked()
    assert page.locator("input[name=approved_amount]").input_value() == "50000.01"
    assert HumanTask.objects.get(pk=task.pk).status == HumanTask.Status.READY
    assert AuditEvent.objects.filter(instance=case.instance).count() == events_before
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN

    page.fill("input[name=approved_amount]", "25000")
    screenshot("temporary-15-collective-decision")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("25000.00")
    assert signers(case, "approval_form") == ["522601101", "522601"]
    meeting = AuditEvent.objects.get(instance=case.instance, kind="task.completed",
                                     payload__task="Task_county_approval").payload["data"]
    assert meeting["attendees"] == ["孙局长", "李副局长", "王科长"] and meeting["all_signed"] is True
    assert [(o["member"], o["opinion"]) for o in meeting["member_opinions"]] == [
        (member, opinion) for member, opinion, _ in opinions]
    basis = f"凯里市民政局集体研究决定（{today} 凯里市民政局局务会，3 人参加；凯里市2026年临时救助分级审批规则）"
    decided = AuditEvent.objects.get(instance=case.instance, kind="temporary.decision_basis").payload
    assert (decided["basis"], decided["level"], decided["delegated"]) == (basis, "collective", False)
    show_case(page, base, case)
    assert basis in page.locator("#timeline li.kind-temporarydecision_basis").inner_text()
    screenshot("temporary-16-case-page-collective-decision")


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


def test_emergency_aid_paperwork_overdue_escalates_to_the_county(live_server, temporary_program, people, page,
                                                                 screenshot):
    base = live_server.url
    driver = TemporaryDriver(temporary_program, people)
    funds.top_up(TOWNSHIP, 5000, actor=people["xianguan"], reason="2026年第一季度临时救助备用金")

    def rescue_then_miss_the_deadline() -> Case:
        # Three weeks ago: emergency aid paid, the application accepted, then nothing more.
        with freeze_time(timezone.now() - timedelta(days=21)):
            case = driver.open(procedure="rescue_first", urgency="住房倒塌，一家三口无处居住")
            driver.emergency_aid(case, amount=1000)
            driver.accept(case)
        # Today the timer is long due (5 working days): the paperwork check escalates to the county.
        runtime.fire_instance_timers(case.instance_id)
        return case

    case = off_the_browser_loop(rescue_then_miss_the_deadline)
    assert driver.ready(case) == ["Task_home_visit", "Task_paperwork_overdue"]
    aid = case.temporary_emergency_aid
    assert aid.escalated_at is not None and aid.settled_at is None

    # The county admin: the escalation in the group worklist, with the case's business key.
    login(page, base, "xianguan")
    page.goto(base + "/?tab=group")
    row = page.locator("tr:has(a:has-text('先行救助逾期未补办手续督办'))")
    assert row.count() == 1 and case.business_key in row.inner_text() and "临时救助" in row.inner_text()
    screenshot("temporary-17-worklist-county-escalation")

    # And in the overdue report, reached from the menu.
    page.click("nav a:has-text('先行救助补办')")
    page.wait_for_selector("h1:has-text('先行救助逾期未补办手续')")
    rows = page.locator("table.overdue-aid tbody tr").all()
    assert len(rows) == 1
    days = workcalendar.working_days_between(aid.paperwork_due.astimezone(workcalendar.CHINA_TZ).date(),
                                             workcalendar.today_in_china())
    assert [cell.strip() for cell in rows[0].locator("td").all_inner_texts()] == [
        case.business_key, "舟溪镇", "舟溪村村民委员会", aid.aid_date.isoformat(), "1000.00",
        timezone.localtime(aid.paperwork_due).strftime("%Y-%m-%d %H:%M"), str(days), "先行救助逾期未补办手续督办"]
    assert days >= 1
    screenshot("temporary-18-overdue-report")

    # The county admin records the supervision from the report; the case stays listed until the paperwork is done.
    page.click("table.overdue-aid a:has-text('先行救助逾期未补办手续督办')")
    page.wait_for_selector("h1:has-text('先行救助逾期未补办手续督办')")
    page.fill("input[name=handled_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=action]", "约谈舟溪镇经办人，限两个工作日内补办入户调查和审核手续")
    screenshot("temporary-19-overdue-supervision")
    submit(page)
    assert driver.ready(case) == ["Task_home_visit"]
    page.goto(base + "/programs/temporary/overdue/")
    row = page.locator("table.overdue-aid tbody tr")
    assert row.count() == 1 and "已转县级督办" in row.inner_text()
    screenshot("temporary-20-overdue-report-supervised")

    # The township caseworker still has the home visit to do, but not the county's escalation.
    login(page, base, "jingban")
    page.goto(base + "/?tab=group")
    assert page.locator("a:has-text('入户调查')").count() == 1
    assert page.locator("a:has-text('先行救助逾期未补办手续督办')").count() == 0
