"""In Chromium: the emergency fast path of disaster relief (受灾人员救助 · 应急生活救助).

A township caseworker registers the application at intake, records the need and the aid given at once; the
county's emergency-management department confirms it. No intake check, democratic review or notice. Screenshots
of the intake form, the tasks, the aid register and the case page go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from engine.models import AuditEvent
from portal.cases.models import Case
from portal.notices.models import PublicNotice
from portal.records.models import Record
from tests.browser import login, open_task, submit

from .driver import VILLAGE, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def disaster_program(deployed, jurisdictions, shipped_programs):
    return shipped_programs["disaster"]


def test_emergency_living_aid_from_intake_to_county_confirmation(live_server, disaster_program, people, page,
                                                                  screenshot):
    base = live_server.url
    head, spouse, child = rid("19800315", "124"), rid("19820611", "013"), rid("20120901", "026")

    # Township caseworker: registers the application for emergency living aid after the flood.
    login(page, base, "jingban")
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "disaster")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "周小梅")
    page.fill("input[name=resident_id]", head)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村三组 8 号")
    page.fill("textarea[name=reason]", "暴雨引发洪涝，房屋进水无法居住，全家紧急转移，基本生活困难")
    for index, (name, number, relation) in enumerate([("周小梅", head, "head"), ("杨光明", spouse, "spouse"),
                                                      ("杨小雨", child, "child")]):
        if index:
            page.click("button:has-text('增加一行共同生活家庭成员')")
        page.fill(f"input[name=members-{index}-name]", name)
        page.fill(f"input[name=members-{index}-resident_id]", number)
        page.select_option(f"select[name=members-{index}-relation]", relation)
        page.fill(f"input[name=members-{index}-monthly_income]", "0")
    page.fill("input[name=disaster_name]", "2026年舟溪镇暴雨洪涝灾害")
    page.fill("input[name=disaster_date]", TODAY)
    page.select_option("select[name=disaster_type]", "flood")
    page.select_option("select[name=aid_type]", "emergency_living")
    page.fill("input[name=aid_persons]", "3")
    page.fill("input[name=aid_days]", "5")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    screenshot("disaster-01-intake-emergency-living-aid")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get()

    # The fast path starts at the township's record of the aid given: no intake check.
    page.goto(base + "/?tab=group")
    assert page.locator("a:has-text('核实需求并登记应急救助')").count() == 1
    assert page.locator("a:has-text('受理审查')").count() == 0
    screenshot("disaster-02-worklist-caseworker")
    open_task(page, base, "核实需求并登记应急救助")
    page.fill("input[name=verified_on]", TODAY)
    page.fill("textarea[name=situation]", "房屋进水约 1 米，粮食和被褥被冲毁，全家转移到舟溪村小学安置点。")
    page.fill("input[name=given_persons]", "3")
    page.fill("input[name=given_days]", "5")
    page.fill("input[name=given_on]", TODAY)
    page.select_option("select[name=aid_form]", "cash_and_goods")
    page.select_option("select[name=resettlement]", "centralized")
    page.fill("input[name=resettlement_place]", "舟溪村小学安置点")
    page.check("input[name=recipient_signed]")
    screenshot("disaster-03-task-emergency-record")
    submit(page)

    # County emergency-management department: sees the calculation and confirms within the short clock.
    login(page, base, "yingji")
    screenshot("disaster-04-worklist-emergency-management")
    page.goto(f"{base}/programs/disaster/cases/{case.pk}/")
    # Kaili 2026: 3 people × 5 days × 30 yuan.
    assert page.locator("text=应急生活救助：3 人 × 5 天 × 30.00 元/人·天 = 450.00 元").count() == 1
    screenshot("disaster-05-aid-calculation")
    page.click("a:has-text('县级应急管理部门审核确认')")
    page.wait_for_selector("h1:has-text('县级应急管理部门审核确认')")
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "经核实，受灾情况属实，确认乡镇已发放的应急生活救助。")
    screenshot("disaster-06-task-county-confirmation")
    submit(page)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 450.0
    assert set(Record.objects.filter(instance=case.instance).values_list("kind", flat=True)) == {
        "emergency_aid", "decision_notice"}
    assert not PublicNotice.objects.filter(case=case).exists()
    done = set(AuditEvent.objects.filter(instance=case.instance, kind="task.completed")
               .values_list("payload__task", flat=True))
    assert done == {"Task_emergency_record", "Task_county_approval"}

    page.goto(f"{base}/programs/disaster/")
    assert page.locator(f"a:has-text('{case.business_key}')").count() == 1
    screenshot("disaster-07-aid-register")
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    current = page.eval_on_selector_all(".djs-element.current", "els => els.map(e => e.dataset.elementId).sort()")
    assert current == ["Task_deliver_decision"]
    assert page.locator("text=受灾人员应急救助登记表").count() >= 1
    screenshot("disaster-08-case-page")
