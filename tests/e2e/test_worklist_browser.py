"""A village committee member logs in, claims a task, fills its form wrong, then right."""

import pytest

from engine import runtime
from engine.models import HumanTask

from ..conftest import VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_claim_and_complete(live_server, deployed, staff, page, screenshot):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, business_key="DB-E2E-0001")
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "village")
    page.fill("input[name=password]", "pw-village")
    page.click("button[type=submit]")
    page.goto(live_server.url + "/?tab=group")
    assert page.locator("text=DB-E2E-0001").is_visible()
    page.click("button:has-text('认领')")
    page.wait_for_selector("text=已认领")
    page.click("a:has-text('我的任务')")
    screenshot("worklist")
    page.click("a:has-text('填写救助申请')")
    page.fill("input[name=household_size]", "0")
    page.click("button:has-text('提交办结')")
    page.wait_for_selector(".error")
    assert page.locator("text=这个字段是必填项").count() >= 1
    screenshot("task-form-errors")
    page.fill("input[name=applicant_name]", "张三")
    page.fill("input[name=household_size]", "3")
    page.fill("input[name=requested_amount]", "1200.50")
    page.click("button:has-text('提交办结')")
    page.wait_for_selector("text=已办结")
    screenshot("worklist-after-completion")
    done = HumanTask.objects.get(instance=instance, spec_id="Task_apply")
    assert done.status == HumanTask.Status.COMPLETED and done.completed_by == staff["village"]
    assert HumanTask.objects.get(instance=instance, status="ready").spec_id == "Task_home_visit"
