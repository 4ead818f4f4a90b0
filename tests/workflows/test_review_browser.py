"""In Chromium: a 低保 household's yearly review ends the aid (应退则退) — the caseworkers re-check the household, the
township proposes to stop the aid, the recipient is heard first, then the county confirms and the written notice
is signed; the approved case is terminated.

Screenshots of each step go to test-artifacts/review-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from engine.deploy import deploy_sources
from engine.models import AuditEvent
from portal.cases.models import Case
from portal.core.management.commands.load_demo_users import DEMO_PASSWORD
from portal.programs.review import services
from portal.programs.review.models import ReviewCase
from portal.records.models import Record
from tests.browser import login, off_the_browser_loop, open_task, submit
from tests.programs.review import support

from .driver import CaseDriver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
review_programs = support.review_programs  # the fixture


@pytest.fixture
def demo_users(jurisdictions):
    call_command("load_demo_users", "--force", verbosity=0)


@pytest.fixture
def approved_dibao_case(review_programs, demo_users) -> Case:
    """A 低保 case approved yesterday through the whole 低保 process (the demo staff at three levels)."""
    source = (settings.WORKFLOWS_DIR / "dibao" / "dibao.bpmn").read_bytes()
    assert deploy_sources([("dibao/dibao.bpmn", source)])[0].ok
    driver = CaseDriver(review_programs["dibao"], {u.username: u for u in User.objects.all()})

    def approve() -> Case:
        with freeze_time(timezone.now() - timedelta(days=9)) as clock:
            case = driver.open()
            driver.accept(case)
            driver.home_visit(case)
            driver.democratic_review(case)
            driver.township_review(case)
            driver.end_notice(case, clock)
            driver.county_decision(case)
            driver.deliver(case)
        return case

    case = off_the_browser_loop(approve)
    assert case.status == Case.Status.APPROVED
    return case


def test_recipient_is_heard_before_the_county_ends_the_aid(live_server, approved_dibao_case, page, screenshot):
    base = live_server.url
    today = timezone.localdate()
    original = approved_dibao_case
    assert services.open_due_reviews().enrolled == 1
    # A year on, the stable household is due for its yearly review.
    result = services.open_due_reviews(today=services.add_months(today, 12))
    assert len(result.opened) == 1
    review = ReviewCase.objects.get(original=original).review

    # Two township caseworkers re-check the household.
    login(page, base, "jingban", DEMO_PASSWORD)
    page.goto(base + "/programs/review/?due=open")
    assert page.locator(f"a:has-text('{review.business_key}')").count() == 1
    screenshot("review-00-schedules")
    page.goto(base + "/?tab=group")
    assert page.locator(f"text={review.business_key}").count() >= 1
    screenshot("review-01-worklist-caseworker")
    open_task(page, base, "入户调查")
    page.fill("input[name=visited_on]", today.isoformat())
    page.fill("textarea[name=investigators]", "李经办\n吴经办")
    page.fill("textarea[name=findings]", "儿子李明已在县城工业园稳定就业，月工资约 3000 元，家庭收入明显增加。")
    page.fill("textarea[name=members_signed]", "王秀英")
    page.select_option("select[name=conclusion]", "inconsistent")
    screenshot("review-02-task-home-visit")
    submit(page)
    login(page, base, "jingban2", DEMO_PASSWORD)
    open_task(page, base, "入户调查会签")
    page.check("input[name=confirmed]")
    page.fill("input[name=signed_on]", today.isoformat())
    submit(page)

    # The township proposes to stop the aid, with reasons.
    login(page, base, "shenhe", DEMO_PASSWORD)
    open_task(page, base, "乡镇提出核查意见")
    page.select_option("select[name=decision]", "terminate")
    page.fill("textarea[name=opinion]", "经核对和入户调查，家庭月人均收入已高于当地低保标准。")
    page.fill("textarea[name=reasons]", "家庭成员李明稳定就业，月工资约 3000 元。\n家庭月人均收入高于当地低保标准。")
    screenshot("review-03-task-township-proposal")
    submit(page)

    # Not yet for the county: the recipient is heard first.
    login(page, base, "shenpi", DEMO_PASSWORD)
    page.goto(base + "/?tab=group")
    assert page.locator("a:has-text('县级确认核查结果')").count() == 0
    login(page, base, "jingban", DEMO_PASSWORD)
    open_task(page, base, "听取陈述和申辩")
    page.fill("input[name=heard_on]", today.isoformat())
    page.select_option("select[name=method]", "home_visit")
    page.select_option("select[name=heard_party]", "recipient")
    page.fill("input[name=heard_person]", "王秀英")
    page.fill("textarea[name=opinion]", "儿子刚找到工作，担心收入不稳定，希望再保障几个月。")
    page.fill("textarea[name=evidence]", "劳动合同复印件")
    page.select_option("select[name=position]", "objects")
    page.fill("textarea[name=response]", "劳动合同期限三年，月工资 3000 元，收入稳定，维持停发意见。")
    page.select_option("select[name=conclusion]", "maintain")
    screenshot("review-04-task-hearing")
    submit(page)

    # The county confirms; the written notice with reasons and the right of appeal is signed.
    login(page, base, "shenpi", DEMO_PASSWORD)
    open_task(page, base, "县级确认核查结果")
    assert page.locator("text=儿子刚找到工作").count() >= 1  # the hearing is on the task page
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=opinion]", "已听取陈述申辩，同意停止保障。")
    screenshot("review-05-task-county-decision")
    submit(page)

    original.refresh_from_db()
    assert original.status == Case.Status.CLOSED
    notice = Record.objects.get(instance=review.instance)
    assert notice.kind == "termination_notice"
    order = [e.payload["task"] for e in AuditEvent.objects.filter(instance=review.instance, kind="task.completed")
             .order_by("seq")]
    assert order.index("Task_hearing") < order.index("Task_county_approval")

    page.goto(f"{base}/cases/{review.pk}/")
    page.wait_for_selector("#casefile-diagram[data-state=ready]", timeout=20_000)
    assert page.locator("text=终止农村最低生活保障决定书").count() >= 1
    current = page.eval_on_selector_all(".djs-element.current", "els => els.map(e => e.dataset.elementId).sort()")
    assert "Task_deliver_notice" in current
    screenshot("review-06-review-case-page")
    page.goto(f"{base}/cases/{original.pk}/")
    assert page.locator("text=已终止").count() >= 1
    screenshot("review-07-original-case-page")
