"""In Chromium: a child with no effective guardian, from the report at intake to closure — the township child
supervisor assesses the risk, arranges temporary guardianship at once and refers the household to 低保 and 临时救助
(the second referral row added with the form's button); the village child director records a visit; the supervisor
reviews and closes the case.

Screenshots of the report, the assessment, the guardianship form, the assistance plan, the child's protection file and
the closed file go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime
from engine.models import HumanTask
from portal.cases.models import Case
from portal.core.management.commands.load_demo_users import DEMO_PASSWORD
from portal.programs.children.models import ChildCaseLink, TemporaryGuardianship
from tests.browser import login, open_task, submit

from .driver import VILLAGE, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate().isoformat()
FATHER, CHILD = rid("19880315", "031"), rid("20160909", "053")


@pytest.fixture
def setup(deployed, jurisdictions, shipped_programs):
    call_command("load_demo_users", "--force", verbosity=0)


def test_child_without_guardian_gets_temporary_guardianship_and_a_linked_case(live_server, setup, page, screenshot):
    base = live_server.url

    # Township caseworker: registers the village cadre's mandatory report.
    login(page, base, "jingban", DEMO_PASSWORD)
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "children")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "张明")
    page.fill("input[name=resident_id]", FATHER)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村五组 7 号")
    page.fill("textarea[name=reason]", "孩子一个人在家三天，家里没有大人，邻居送饭。")
    for index, (name, number, relation) in enumerate([("张明", FATHER, "head"), ("张小宇", CHILD, "child")]):
        if index:
            page.click("button:has-text('增加一行共同生活家庭成员')")
        page.fill(f"input[name=members-{index}-name]", name)
        page.fill(f"input[name=members-{index}-resident_id]", number)
        page.select_option(f"select[name=members-{index}-relation]", relation)
        page.fill(f"input[name=members-{index}-monthly_income]", "0")
    page.check("input[name=truthfulness_pledge]")
    page.select_option("select[name=reporter_kind]", "village_cadre")
    page.fill("input[name=reporter_name]", "杨支书")
    page.fill("input[name=reporter_unit]", "舟溪村村委会")
    page.fill("input[name=discovered_on]", TODAY)
    page.fill("input[name=found_place]", "舟溪村五组 7 号家中")
    page.select_option("select[name=finding]", "uncared")
    page.fill("input[name=child_name]", "张小宇")
    page.select_option("select[name=guardian_situation]", "guardian_detained")
    page.fill("textarea[name=guardian_note]", "父亲服刑，母亲离家两年无音讯")
    page.select_option("select[name=urgency]", "immediate")
    screenshot("children-01-report")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get(program_id="children")

    # Township child supervisor: the risk assessment, shared with the police and the school.
    login(page, base, "dudao", DEMO_PASSWORD)
    open_task(page, base, "风险评估", exact=True)
    page.fill("input[name=assessed_on]", TODAY)
    page.check("input[name=child_seen]")
    page.select_option("select[name=safety]", "hazards")
    page.select_option("select[name=guardianship]", "none")
    page.select_option("select[name=health]", "good")
    page.select_option("select[name=education]", "irregular")
    page.fill("textarea[name=findings]", "孩子独自在家，父亲服刑，母亲离家，无人照料，近一周未上学。")
    page.check("input[name=notify_police]")
    page.check("input[name=notify_education]")
    page.fill("input[name=notified_on]", TODAY)
    page.fill("input[name=notification_contacts]", "舟溪派出所值班民警、舟溪镇中心小学班主任")
    screenshot("children-02-risk-assessment")
    submit(page)

    # No effective guardian: temporary guardianship at once, on the 24-hour clock.
    open_task(page, base, "安排临时监护", exact=True)
    assert page.locator("text=临时监护超时").count() == 1  # the clock is shown with the task
    page.select_option("select[name=guardian_kind]", "relatives")
    page.fill("input[name=guardian_name]", "王桂兰")
    page.fill("input[name=guardian_relation]", "外祖母")
    page.fill("input[name=guardian_phone]", "13900001111")
    page.fill("input[name=placement_address]", "舟溪村三组 2 号（外祖母家）")
    page.fill("input[name=starts_on]", TODAY)
    page.fill("input[name=starts_time]", "18:30")
    page.fill("textarea[name=arrangement]", "外祖母身体健康，同意照料，孩子转到外祖母家居住。")
    page.check("input[name=agreement_signed]")
    screenshot("children-03-temporary-guardianship")
    submit(page)

    # The assistance plan refers the household to 低保 and 临时救助, the second row added with the button: a separate
    # case of each program starts.
    open_task(page, base, "制定帮扶计划（转介救助）", exact=True)
    page.fill("input[name=planned_on]", TODAY)
    page.fill("textarea[name=measures]", "儿童主任每周探访；学校安排心理老师谈心。")
    add_row = page.locator("button:has-text('增加一行转介救助项目')")
    total = page.locator("input[name=referrals-TOTAL_FORMS]")
    page.select_option("select[name=referrals-0-program]", "dibao")
    page.fill("input[name=referrals-0-referral_reason]", "父亲服刑、母亲离家，家庭无收入来源。")
    add_row.click()
    page.select_option("select[name=referrals-1-program]", "temporary")
    page.fill("input[name=referrals-1-referral_reason]", "儿童生活暂时困难，急需基本生活费用。")
    page.fill("input[name=referrals-1-aid_months]", "3")
    # At maxItems (5 rows) the button is disabled; removing an added row renumbers the rows after it.
    for _ in range(3):
        add_row.click()
    assert total.input_value() == "5" and add_row.is_disabled()
    page.fill("input[name=referrals-4-referral_reason]", "第五行，稍后删除。")
    page.locator(".formset-row:has(h3:text-is('第 3 行')) button.remove-row").click()
    assert total.input_value() == "4" and add_row.is_enabled()
    assert page.locator("input[name=referrals-3-referral_reason]").input_value() == "第五行，稍后删除。"
    assert page.locator("input[name=referrals-4-referral_reason]").count() == 0
    assert page.locator("fieldset[data-formset=referrals] .formset-rows h3").all_inner_texts() == [
        "第 1 行", "第 2 行", "第 3 行", "第 4 行"]
    for _ in range(2):
        page.locator("fieldset[data-formset=referrals] button.remove-row").last.click()
    assert total.input_value() == "2"
    screenshot("children-04-assistance-plan")
    submit(page)
    links = {link.program_code: link for link in ChildCaseLink.objects.filter(case=case)}
    assert {code: link.status for code, link in links.items()} == {"dibao": "opened", "temporary": "opened"}
    for code, link in links.items():
        assert link.linked_case.household_id == case.household_id and link.linked_case.instance.process_key == code
    assert links["temporary"].linked_case.instance.audit_events.get(
        kind="instance.started").payload["data"]["requested_months"] == 3
    assert TemporaryGuardianship.objects.get(case=case).within_clock

    page.goto(f"{base}/programs/children/{case.pk}/")
    page.wait_for_selector("h1:has-text('儿童保障档案')")
    assert page.locator("text=王桂兰").count() >= 1 and page.locator("text=按时安排").count() == 1
    for link in links.values():
        assert page.locator(f"a:has-text('{link.linked_case.business_key}')").count() == 1
    assert page.locator("text=紧急").count() >= 1 and page.locator(f"text={CHILD}").count() == 0
    screenshot("children-05-protection-file")

    # A week later the visit cycle fires; the village child director records the visit.
    with freeze_time(timezone.now() + timedelta(days=7, hours=1)):
        runtime.fire_instance_timers(case.instance_id)
    assert HumanTask.objects.filter(instance=case.instance, spec_id="Task_regular_visit", status="ready").exists()
    login(page, base, "ertong", DEMO_PASSWORD)
    open_task(page, base, "儿童主任定期探访", exact=True)
    page.fill("input[name=visited_on]", TODAY)
    page.select_option("select[name=visit_mode]", "placement")
    page.check("input[name=child_seen]")
    page.fill("textarea[name=child_condition]", "孩子在外祖母家生活规律，已回校上课。")
    page.select_option("select[name=concern]", "none")
    screenshot("children-06-visit")
    submit(page)

    # The supervisor reviews and closes the case.
    login(page, base, "dudao", DEMO_PASSWORD)
    open_task(page, base, "督导员复核", exact=True)
    page.fill("input[name=reviewed_on]", TODAY)
    page.select_option("select[name=review_decision]", "close")
    page.fill("textarea[name=review_opinion]", "临时监护落实，探访情况稳定，低保已转介受理。")
    page.select_option("select[name=closure_reason]", "long_term_placement")
    page.fill("textarea[name=closure_details]", "法院指定外祖母为监护人，落实长期监护。")
    submit(page)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    page.goto(f"{base}/programs/children/{case.pk}/")
    assert page.locator("text=已终止").count() >= 1 and page.locator("td:has-text('外祖母家生活规律')").count() == 1
    screenshot("children-07-closed-file")
    # The case page draws the process with the steps done.
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    done = page.eval_on_selector_all(".djs-element.done", "els => els.map(e => e.dataset.elementId)")
    assert {"Task_risk_assessment", "Task_temporary_guardianship", "Task_assistance_plan", "Task_regular_visit",
            "Task_case_review", "End_closed"} <= set(done)
    screenshot("children-08-case-page")
