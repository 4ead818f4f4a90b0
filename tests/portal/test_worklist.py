"""The worklist pages: login, mine / my group's tasks, filters, claim and unclaim, 404 for outsiders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engine import runtime
from engine.errors import ProcessError
from engine.models import HumanTask

from ..conftest import VILLAGE

pytestmark = pytest.mark.django_db


def start(n: int = 1):
    return [runtime.start_process("demo_assistance", jurisdiction=VILLAGE, business_key=f"DB-{i:04d}")
            for i in range(n)]


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("worklist"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "工作人员登录" in page.content.decode()


def test_login_then_group_tasks_and_claim(client, deployed, staff):
    (instance,) = start()
    assert client.post(reverse("login"), {"username": "village", "password": "pw-village"}).status_code == 302
    group = client.get(reverse("worklist") + "?tab=group").content.decode()
    assert "填写救助申请" in group and "DB-0000" in group and "认领" in group
    task = HumanTask.objects.get(instance=instance)
    response = client.post(reverse("task-claim", args=[task.pk]), {"next": "/?tab=mine"})
    assert response.status_code == 302 and response.url == "/?tab=mine"
    task.refresh_from_db()
    assert task.assignee == staff["village"]
    mine = client.get(reverse("worklist")).content.decode()
    assert "DB-0000" in mine and "退回组内" in mine
    client.post(reverse("task-unclaim", args=[task.pk]))
    task.refresh_from_db()
    assert task.assignee is None


def test_tasks_of_other_offices_do_not_exist(client, deployed, staff, make_user):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    outsider = make_user("outsider", "village_committee", village="522601103201")
    client.force_login(outsider)
    assert "DB-0000" not in client.get(reverse("worklist") + "?tab=group").content.decode()
    assert client.post(reverse("task-claim", args=[task.pk])).status_code == 404
    assert client.post(reverse("task-unclaim", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.assignee is None


def test_claim_conflict_is_reported_not_overwritten(client, deployed, staff, make_user):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    colleague = make_user("colleague", "village_committee")
    runtime.claim_task(task.pk, colleague)
    client.force_login(staff["village"])
    response = client.post(reverse("task-claim", args=[task.pk]), follow=True)
    assert response.status_code == 404  # claimed by someone else: no longer actionable for this user
    task.refresh_from_db()
    assert task.assignee == colleague


def test_next_must_stay_on_this_site(client, deployed, staff):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    client.force_login(staff["village"])
    response = client.post(reverse("task-claim", args=[task.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("worklist")


def test_filters_paging_and_due_colours(client, deployed, staff):
    instances = start(30)
    HumanTask.objects.filter(instance=instances[0]).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(staff["village"])
    first = client.get(reverse("worklist") + "?tab=group").content.decode()
    assert first.count('action="/tasks/') == 25 and "第 1 页，共 2 页" in first
    assert 'class="overdue"' in first and "已超时" in first
    second = client.get(reverse("worklist") + "?tab=group&page=2").content.decode()
    assert second.count('action="/tasks/') == 5
    none = client.get(reverse("worklist") + "?tab=group&village=522601103").content.decode()
    assert "没有待办任务" in none
    other_program = client.get(reverse("worklist") + "?tab=group&program=dibao").content.decode()
    assert "没有待办任务" in other_program


def test_english_worklist(client, deployed, staff):
    start()
    client.force_login(staff["village"])
    page = client.get(reverse("worklist") + "?tab=group", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()


def test_task_page_shows_the_form_and_field_errors_save_nothing(client, deployed, staff):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    client.force_login(staff["village"])
    page = client.get(reverse("task", args=[task.pk])).content.decode()
    assert "申请人姓名" in page and "提交办结" in page
    bad = client.post(reverse("task", args=[task.pk]), {"applicant_name": "", "household_size": "0"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'class="error"' in html
    task.refresh_from_db()
    assert task.status == HumanTask.Status.READY and instance.audit_events.filter(kind="task.completed").count() == 0
    good = client.post(reverse("task", args=[task.pk]),
                       {"applicant_name": "张三", "household_size": "3", "requested_amount": "1200.5"})
    assert good.status_code == 302 and good.url == reverse("worklist")
    task.refresh_from_db()
    assert task.status == HumanTask.Status.COMPLETED and task.completed_by == staff["village"]
    event = instance.audit_events.get(kind="task.completed")
    assert event.payload["data"] == {"applicant_name": "张三", "household_size": 3, "requested_amount": 1200.5}
    # The next task belongs to the township: it does not exist for the village user.
    nxt = HumanTask.objects.get(instance=instance, status=HumanTask.Status.READY)
    assert client.get(reverse("task", args=[nxt.pk])).status_code == 404
    assert client.get(reverse("task", args=[task.pk])).status_code == 404


def test_task_page_of_another_office_is_404(client, deployed, staff, make_user):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    client.force_login(make_user("outsider", "village_committee", village="522601103201"))
    assert client.get(reverse("task", args=[task.pk])).status_code == 404
    assert client.post(reverse("task", args=[task.pk]), {"applicant_name": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("error", "shown", "hidden"),
    [
        (ProcessError("demo_assistance: operator failed", refusal="护理人员配比不足：须 2 人"),
         "未能办结，本次提交未保存：护理人员配比不足：须 2 人", "流程执行出错"),
        (ProcessError("demo_assistance: script failed: name 'x' is not defined"),
         "流程执行出错，本次提交未保存：demo_assistance: script failed", "未能办结"),
    ],
)
def test_refusal_is_shown_as_the_reason_a_fault_as_a_process_error(client, deployed, staff, monkeypatch, error,
                                                                   shown, hidden):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(runtime, "complete_task", refuse)
    client.force_login(staff["village"])
    response = client.post(reverse("task", args=[task.pk]),
                           {"applicant_name": "张三", "household_size": "3", "requested_amount": "1200.5"})
    html = response.content.decode()
    assert response.status_code == 200 and shown in html and hidden not in html
    assert 'value="张三"' in html  # what was entered is still there


def test_task_page_shows_the_figures_and_prefill_its_form_declares(client, deployed, staff, monkeypatch):
    (instance,) = start()
    task = HumanTask.objects.get(instance=instance)
    HumanTask.objects.filter(pk=task.pk).update(form_key="temporary_county_decision")
    data = {"proposed_amount": 1500.01, "emergency_payment": {"amount": 800.0}, "aid": {"amount": 99.0}}
    monkeypatch.setattr(runtime, "task_data", lambda pk: data)
    client.force_login(staff["village"])
    html = client.get(reverse("task", args=[task.pk])).content.decode()
    assert 'name="approved_amount"' in html and 'value="1500.01"' in html
    # The form lists no figures: what other programmes compute is not shown on it.
    assert "测算救助金额" not in html
    HumanTask.objects.filter(pk=task.pk).update(form_key="supervision")
    html = client.get(reverse("task", args=[task.pk])).content.decode()
    assert "<th>先行救助金额（元）</th><td>800.0</td>" in html
