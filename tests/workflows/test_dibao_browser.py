"""In Chromium: demo users at three levels take one 低保 application from intake to county approval.

Screenshots of the worklist, the task forms, the notice board and the case page go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime
from portal.cases.models import Case
from portal.core.management.commands.load_demo_users import DEMO_PASSWORD
from portal.records.models import Record
from tests.browser import login, open_task, submit

from .driver import VILLAGE, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def demo_users(jurisdictions):
    call_command("load_demo_users", "--force", verbosity=0)


def test_four_people_take_an_application_from_intake_to_approval(live_server, dibao_program, demo_users, page,
                                                                  screenshot):
    base = live_server.url
    head, spouse = rid("19580412", "124"), rid("19600501", "013")

    # Township caseworker: registers the application, then checks the documents and visits the household.
    login(page, base, "jingban", DEMO_PASSWORD)
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "dibao")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "王秀英")
    page.fill("input[name=resident_id]", head)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村三组 12 号")
    page.fill("textarea[name=reason]", "老伴重病，无劳动能力，家庭收入微薄")
    for index, (name, number, relation, income) in enumerate([("王秀英", head, "head", "300"),
                                                             ("李建国", spouse, "spouse", "0")]):
        if index:
            page.click("button:has-text('增加一行共同生活家庭成员')")
        page.fill(f"input[name=members-{index}-name]", name)
        page.fill(f"input[name=members-{index}-resident_id]", number)
        page.select_option(f"select[name=members-{index}-relation]", relation)
        page.fill(f"input[name=members-{index}-monthly_income]", income)
    page.check("input[name=members-1-seriously_ill]")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get()

    page.goto(base + "/?tab=group")
    screenshot("dibao-01-worklist-caseworker")
    open_task(page, base, "受理审查")
    page.fill("input[name=checked_on]", TODAY)
    page.check("input[name=application_signed]")
    page.check("input[name=authorization_signed]")
    page.check("input[name=household_register]")
    page.select_option("select[name=complete]", "complete")
    screenshot("dibao-02-task-intake-check")
    submit(page)

    open_task(page, base, "入户调查")
    page.fill("input[name=visited_on]", TODAY)
    page.fill("textarea[name=investigators]", "李经办\n吴经办")
    page.fill("textarea[name=findings]", "老两口同住，一人重病卧床，收入与申报一致。")
    page.fill("textarea[name=members_signed]", "王秀英")
    page.select_option("select[name=conclusion]", "consistent")
    screenshot("dibao-03-task-home-visit")
    submit(page)

    # The second investigator co-signs the visit record.
    login(page, base, "jingban2", DEMO_PASSWORD)
    open_task(page, base, "入户调查会签")
    page.check("input[name=confirmed]")
    page.fill("input[name=signed_on]", TODAY)
    submit(page)

    # Village committee: the democratic review meeting record.
    login(page, base, "cunwei", DEMO_PASSWORD)
    open_task(page, base, "民主评议")
    page.fill("input[name=meeting_date]", TODAY)
    page.fill("input[name=venue]", "舟溪村村委会会议室")
    page.fill("input[name=attendees]", "9")
    page.fill("input[name=representatives]", "7")
    page.select_option("select[name=opinion]", "agree")
    page.fill("input[name=votes_for]", "9")
    page.fill("input[name=votes_against]", "0")
    page.fill("textarea[name=record]", "经评议，该户家庭困难情况属实，同意申请。")
    page.check("input[name=all_signed]")
    submit(page)

    # Township reviewer: the initial opinion, with the amount the process calculated pre-filled.
    login(page, base, "shenhe", DEMO_PASSWORD)
    open_task(page, base, "乡镇审核")
    # Kaili 2026: (480 − 150) × 2 = 660; supplements stack: elderly 72 × 2 + seriously ill 120 = 264 → 924.
    assert page.locator("text=测算金额：924.0").count() == 1
    assert page.locator("input[name=proposed_amount]").input_value() == "924.0"
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经入户调查和民主评议，符合农村低保条件，拟予保障。")
    screenshot("dibao-04-task-township-review")
    submit(page)

    # The village's notice board shows name, household size and amount only.
    login(page, base, "cunwei", DEMO_PASSWORD)
    page.goto(f"{base}/notices/{VILLAGE}/")
    assert page.locator("td:text-is('王秀英')").count() == 1 and page.locator(f"text={head}").count() == 0
    screenshot("dibao-05-notice-board")
    with freeze_time(timezone.now() + timedelta(days=8)):
        runtime.fire_instance_timers(case.instance_id)

    # County approver approves; the records are signed by the township and the county.
    login(page, base, "shenpi", DEMO_PASSWORD)
    screenshot("dibao-06-worklist-county")
    open_task(page, base, "县级审核确认")
    assert page.locator("input[name=approved_amount]").input_value() == "924.0"
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "同意纳入农村最低生活保障。")
    screenshot("dibao-07-task-county-approval")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 924.0
    assert set(Record.objects.filter(instance=case.instance).values_list("kind", flat=True)) == {
        "approval_form", "decision_notice"}
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    assert page.locator(".djs-element.done").count() > 5
    current = page.eval_on_selector_all(".djs-element.current", "els => els.map(e => e.dataset.elementId).sort()")
    assert current == ["Task_deliver_decision", "Timer_case_deadline"]  # the whole-case clock runs until the end
    assert page.locator("text=最低生活保障审批表").count() >= 1
    screenshot("dibao-08-case-page")
