"""In Chromium: a 特困 application from intake through the care assessment, then, once the county has confirmed
it, the care agreement with a named carer and two recurring visits by the village committee, and the case's
support file. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime
from portal.cases.models import Case, Household
from portal.programs.tekun.models import CareAgreement, CareHome, Residency, SpotCheckCounter, SupportVisit
from tests.browser import login, off_the_browser_loop, open_task, submit
from tests.programs.tekun.driver import ACTIVITIES, AMOUNTS, ELDERLY, TekunDriver, program

from .driver import VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate().isoformat()
HEAD = ELDERLY[0][2]


def register_application(page, base: str) -> None:
    page.goto(base + "/intake/")
    page.select_option("select[name=program]", "tekun")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.fill("input[name=applicant_name]", "张秀兰")
    page.fill("input[name=resident_id]", HEAD)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村五组 8 号")
    page.fill("textarea[name=reason]", "年老体弱，无子女，无生活来源")
    page.fill("input[name=members-0-name]", "张秀兰")
    page.fill("input[name=members-0-resident_id]", HEAD)
    page.select_option("select[name=members-0-relation]", "head")
    page.fill("input[name=members-0-monthly_income]", "0")
    page.select_option("select[name=work_capacity]", "none")
    page.select_option("select[name=supporter_status]", "none")
    page.select_option("select[name=preferred_support]", "dispersed")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{base}/cases/*/")


def fire_visit(case: Case, days: int) -> None:
    with freeze_time(timezone.now() + timedelta(days=days, hours=1)):
        assert [t.spec_id for t in runtime.fire_instance_timers(case.instance_id)] == ["Timer_visit_cycle"]


def record_visit(page, base: str, needs: str = "") -> None:
    open_task(page, base, "分散供养定期探访")
    page.fill("input[name=visited_on]", TODAY)
    page.fill("input[name=visitor]", "村委会 杨某")
    page.fill("textarea[name=condition]", "精神良好，饮食正常，居所整洁。")
    page.select_option("select[name=agreement_kept]", "partly" if needs else "kept")
    if needs:
        page.fill("textarea[name=needs]", needs)


def test_care_agreement_and_recurring_visits(live_server, deployed, people, page, screenshot):
    base = live_server.url
    driver = TekunDriver(program(), people)

    # Township caseworker: registers the 特困 application with its own questions, checks it, visits.
    login(page, base, "jingban")
    register_application(page, base)
    case = Case.objects.get()
    screenshot("tekun-01-case-opened")
    driver.accept(case)
    driver.home_visit(case)

    # The care assessment: two of the six daily activities cannot be done alone → partial loss (半护理).
    open_task(page, base, "生活自理能力评估")
    page.fill("input[name=assessed_on]", TODAY)
    page.fill("textarea[name=assessors]", "李经办\n吴经办")
    for activity in ("eating", "dressing", "transfer", "toileting"):
        page.select_option(f"select[name=adl_{activity}]", "able")
    page.select_option("select[name=adl_walking]", "unable")
    page.select_option("select[name=adl_bathing]", "unable")
    page.check("input[name=carer_available]")
    screenshot("tekun-02-care-assessment")
    submit(page)

    # Township opinion and the 7-day notice (engine API); the first case of the year gets the county's visit.
    driver.tekun_review(case)
    with freeze_time(timezone.now() + timedelta(days=8)):
        runtime.fire_instance_timers(case.instance_id)
    driver.county_visit(case)

    # County approver confirms (the records are signed in the server, as in production).
    login(page, base, "shenpi")
    open_task(page, base, "县级审核确认")
    assert page.locator("input[name=approved_amount]").input_value() == "944"
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "同意认定为特困人员，分散供养。")
    submit(page)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == AMOUNTS["partial"]
    driver.deliver(case)

    login(page, base, "jingban")

    # The care agreement with a named carer.
    open_task(page, base, "签订照料协议")
    page.fill("input[name=carer_name]", "张明")
    page.fill("input[name=carer_relation]", "侄子")
    page.fill("input[name=carer_phone]", "13987654321")
    page.fill("input[name=agreement_signed_on]", TODAY)
    page.fill("input[name=care_starts_on]", TODAY)
    page.fill("textarea[name=duties]", "每日送餐，协助洗澡和就医，保持居所清洁。")
    page.check("input[name=supported_signed]")
    page.check("input[name=carer_signed]")
    screenshot("tekun-03-care-agreement")
    submit(page)
    assert CareAgreement.objects.get(case=case).carer_name == "张明"

    # A month later the first visit falls due for the village committee.
    fire_visit(case, 30)
    login(page, base, "cunwei")
    page.goto(base + "/?tab=group")
    assert page.locator("a:has-text('分散供养定期探访')").count() == 1
    screenshot("tekun-04-worklist-visit-due")
    record_visit(page, base, needs="屋顶漏雨，需要修缮。")
    screenshot("tekun-05-visit-record")
    submit(page)

    # And a month after that, the second.
    fire_visit(case, 60)
    record_visit(page, base)
    submit(page)
    assert list(SupportVisit.objects.filter(case=case).values_list("sequence", "needs")) == [
        (1, "屋顶漏雨，需要修缮。"), (2, "")]

    # The support file: conditions, care level, spot check, agreement and both visits.
    login(page, base, "shenhe")
    page.goto(f"{base}/programs/tekun/cases/{case.pk}/")
    assert page.locator("#care-level:has-text('部分丧失生活自理能力')").count() == 1
    assert page.locator("#agreements td:text-is('张明')").count() == 1
    assert page.locator("#visits tbody tr").count() == 2
    assert page.locator(f"text={HEAD}").count() == 0
    screenshot("tekun-06-support-file")

    # The case page: still running in the supporting phase, waiting on the end of support and the visit cycle.
    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    current = page.eval_on_selector_all(".djs-element.current", "els => els.map(e => e.dataset.elementId).sort()")
    assert current == ["Task_end_dispersed", "Timer_visit_cycle"]
    screenshot("tekun-07-case-page-supporting")


def test_admission_refused_until_the_care_home_has_enough_carers(live_server, deployed, people, page, screenshot):
    base = live_server.url
    driver = TekunDriver(program(), people)
    CareHome.objects.create(county_id="522601", code="kl-zx-01", name="舟溪敬老院", beds=30, carers=1)
    CareHome.objects.create(county_id="522601", code="kl-sl-01", name="三棵树敬老院", beds=20, carers=2)
    household = Household.objects.create(village_id=VILLAGE, address="舟溪敬老院")
    home = CareHome.objects.get(code="kl-zx-01")
    for index in range(3):
        resident = Case.objects.create(household=household, program=program(), business_key=f"TEKUN-OLD-{index}",
                                       status=Case.Status.APPROVED)
        Residency.objects.create(case=resident, care_home=home, resident_name=f"老人{index}", care_level="full",
                                 admitted_on="2025-06-01")
    SpotCheckCounter.objects.create(county="522601", year=timezone.localdate().year, cases=1, selected=1)

    def approve_full_care() -> None:
        case = driver.open_application(preferred_support="centralised")
        driver.to_notice(case, unable=ACTIVITIES[:5])
        with freeze_time(timezone.now() + timedelta(days=8)):
            runtime.fire_instance_timers(case.instance_id)
        driver.county_decision(case, amount=AMOUNTS["full"])
        driver.deliver(case)

    off_the_browser_loop(approve_full_care)
    case = Case.objects.get(program__code="tekun", status=Case.Status.APPROVED, instance__isnull=False)

    # The care institution admits the person; the home would need 2 carers for 4 full-care residents.
    login(page, base, "gongyang")
    open_task(page, base, "集中供养入住")
    page.fill("input[name=care_home]", "kl-zx-01")
    page.fill("input[name=admitted_on]", TODAY)
    page.fill("input[name=room]", "2 号楼 103 室")
    page.check("input[name=agreement_signed]")
    page.click("button:has-text('提交办结')")
    page.wait_for_selector("text=护理人员配比不足")
    assert page.locator("text=须 2 人").count() == 1
    screenshot("tekun-08-admission-refused")
    assert not Residency.objects.filter(case=case).exists()

    # The care-home page shows the shortfall; the institution raises its staffing there.
    page.goto(f"{base}/programs/tekun/care-homes/")
    assert page.locator("#home-kl-zx-01 .badge.warn").count() == 0  # 3 full-care residents: 1 carer is enough
    page.fill("#home-kl-zx-01 input[name=carers]", "2")
    page.click("#home-kl-zx-01 button:has-text('更新配备')")
    page.wait_for_selector("text=护理人员数已更新为 2 人")
    screenshot("tekun-09-care-homes")

    open_task(page, base, "集中供养入住")
    page.fill("input[name=care_home]", "kl-zx-01")
    page.fill("input[name=admitted_on]", TODAY)
    page.check("input[name=agreement_signed]")
    submit(page)
    residency = Residency.objects.get(case=case)
    assert (residency.care_home.code, residency.care_level) == ("kl-zx-01", "full")
    page.goto(f"{base}/programs/tekun/care-homes/")
    assert page.locator("#home-kl-zx-01 td.required").inner_text() == "2"
    page.goto(f"{base}/programs/tekun/cases/{case.pk}/")
    assert page.locator("#residencies:has-text('舟溪敬老院')").count() == 1
    screenshot("tekun-10-support-file-centralised")
