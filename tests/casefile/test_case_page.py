"""The case page: 404 outside the jurisdiction, members with masked ID numbers, deadlines, the
timeline, documents, the diagram data and the throttled case.viewed audit event."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime
from engine.models import AuditEvent, HumanTask, TimerEvent
from portal.cases.models import Case, CaseConflict, Member
from portal.records.models import Record

from .conftest import OTHER_TOWNSHIP, VILLAGE, complete, rid

pytestmark = pytest.mark.django_db

HEAD_ID = rid("19650412", "124")
CHILD_ID = rid("20100101", "131")


@pytest.fixture
def case(make_case):
    return make_case("王秀英", HEAD_ID, members=[("李明", "child", CHILD_ID, {"student": True, "disabled": True})])


@pytest.fixture
def village_user(make_user):
    return make_user("village", "village_committee", village=VILLAGE)


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", "township_reviewer", village=VILLAGE)


def page(client, case):
    response = client.get(reverse("casefile:detail", args=[case.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def make_record(case, title: str = "最低生活保障审批表", **kwargs) -> Record:
    return Record.objects.create(
        kind="approval_form", title=title, instance=case.instance, business_key=case.business_key,
        jurisdiction=VILLAGE, file=ContentFile(b"%PDF-1.7 test record", name="record.pdf"),
        revisions=[{"revision": 1, "field": "township", "org_code": "522601101", "org_name": "凯里市舟溪镇人民政府",
                    "signer": "赵敏", "role": "乡镇（街道）审核", "sha256": "0" * 64,
                    "signed_at": "2025-03-01T10:00:00+08:00"}],
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDS_PUBLIC_URL = "http://testserver"


def test_anonymous_and_other_townships_get_nothing(client, case, make_user):
    record = make_record(case)
    urls = [reverse("casefile:detail", args=[case.pk]), reverse("casefile:diagram", args=[case.pk]),
            reverse("casefile:record", args=[case.pk, record.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.force_login(make_user("outsider", "township_reviewer", village=OTHER_TOWNSHIP))
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(make_user("villager", "village_committee", village="522601101203"))  # neighbouring village
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(kind="case.viewed").exists()


def test_summary_members_and_masked_ids(client, case, reviewer):
    Case.objects.filter(pk=case.pk).update(monthly_amount="420.50", payment_starts="2025-04-01")
    Member.objects.filter(name="李明").update(deceased_on="2025-02-01")
    client.force_login(reviewer)
    _, html = page(client, case)
    for text in ("凯里市 / 舟溪镇 / 舟溪村村民委员会", "演示", "办理中", "420.50", "2025-04",
                 "王秀英", "户主", "李明", "子女", "在校学生", "残疾", "已死亡", "2025-02-01"):
        assert text in html, text
    assert HEAD_ID not in html and CHILD_ID not in html
    assert f"{HEAD_ID[:4]}**********{HEAD_ID[-4:]}" in html
    assert f"{CHILD_ID[:4]}**********{CHILD_ID[-4:]}" in html
    assert "单独登记备案" not in html


def test_separately_registered_case_shows_its_conflicts(client, case, reviewer):
    Case.objects.filter(pk=case.pk).update(separately_registered=True)
    CaseConflict.objects.create(case=case, staff_name="周建国", member_name="王秀英", relation="兄弟姐妹",
                                source=CaseConflict.Source.MATCHED)
    client.force_login(reviewer)
    _, html = page(client, case)
    assert "单独登记备案" in html and 'id="conflicts"' in html
    assert "周建国" in html and "兄弟姐妹" in html and "备案比对" in html


def test_deadlines_tasks_and_timers(client, case, village_user, make_user):
    task = HumanTask.objects.get(instance=case.instance)
    HumanTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=2))
    client.force_login(village_user)
    response, html = page(client, case)
    (deadline,) = response.context["deadlines"]
    assert deadline.name == "填写救助申请" and deadline.overdue
    assert deadline.office == "村（居）委会 · 舟溪村村民委员会"
    assert 'class="overdue task"' in html and "已超时" in html
    # The user can act on the open task: the page links to it.
    assert reverse("task", args=[task.pk]) in html

    caseworker = make_user("caseworker", "township_caseworker", village=VILLAGE)
    complete(case.instance, village_user, {"applicant_name": "王秀英", "household_size": 2, "requested_amount": 300})
    complete(case.instance, caseworker, {"visited_on": "2025-03-01", "investigators": ["赵敏", "孙伟"],
                                         "findings": "属实"})
    complete(case.instance, village_user, {"decision": "approve", "opinion": "评议通过"})
    timer = TimerEvent.objects.get(instance=case.instance, status=TimerEvent.Status.PENDING)
    response, html = page(client, case)
    assert [(d.kind, d.name) for d in response.context["deadlines"]] == [("timer", "公示7天")]
    assert "法定时限" in html and timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M") in html
    # No open task of this user any more: no task link.
    assert response.context["my_tasks"] == []


def test_tasks_of_others_are_not_linked(client, case, reviewer):
    client.force_login(reviewer)  # township reviewer: sees the case, cannot act on the village's task
    response, html = page(client, case)
    task = HumanTask.objects.get(instance=case.instance)
    assert response.context["my_tasks"] == [] and reverse("task", args=[task.pk]) not in html
    assert "填写救助申请" in html  # still listed among the deadlines


def test_timeline_labels_safe_facts_and_masked_numbers(client, case, village_user, make_user):
    caseworker = make_user("caseworker", "township_caseworker", village=VILLAGE)
    task = HumanTask.objects.get(instance=case.instance)
    runtime.claim_task(task.pk, village_user)
    complete(case.instance, village_user, {"applicant_name": "王秀英", "household_size": 2, "requested_amount": 300,
                                           "reason": f"户主身份证 {HEAD_ID} 长期患病"})
    complete(case.instance, caseworker, {"visited_on": "2025-03-01", "investigators": ["赵敏", "孙伟"],
                                         "findings": f"核实 {CHILD_ID} 在校"})
    complete(case.instance, village_user, {"decision": "approve", "opinion": f"同意，{HEAD_ID} 情况属实"})
    client.force_login(village_user)
    response, html = page(client, case)
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds == ["instance.started", "task.claimed", "task.completed", "task.completed", "task.completed",
                     "case.viewed"]
    for text in ("受理，流程启动", "认领任务", "环节办结", "查阅案卷", "填写救助申请", "入户调查", "民主评议",
                 "调查人", "赵敏、孙伟", "结论", "同意", "意见"):
        assert text in html, text
    # Only the summary fields are shown: never the raw payload, never an ID number.
    assert HEAD_ID not in html and CHILD_ID not in html and f"同意，{HEAD_ID[:4]}**********{HEAD_ID[-4:]}" in html
    assert "长期患病" not in html and "核实" not in html and "generic_application" not in html
    events = list(AuditEvent.objects.filter(instance=case.instance).order_by("seq"))
    for event in events:
        assert f"#{event.seq} <code>{event.hash[:12]}</code>" in html


def test_documents_and_downloads(client, case, make_case, reviewer, make_user):
    record = make_record(case)
    other_case = make_case("张三", rid("19710101", "013"))
    foreign = make_record(other_case, title="他案审批表")
    loose = Record.objects.create(kind="periodic_report", title="统计报表", file=ContentFile(b"%PDF", name="r.pdf"))
    client.force_login(reviewer)
    _, html = page(client, case)
    download = reverse("casefile:record", args=[case.pk, record.pk])
    assert download in html and f"http://testserver/records/v/{record.token}/" in html
    assert "最低生活保障审批表" in html and "凯里市舟溪镇人民政府" in html and "赵敏" in html and "2025-03-01" in html
    assert "他案审批表" not in html

    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test record"
    assert case.business_key in response["Content-Disposition"]
    # A record of another case, or of no case, does not exist under this case.
    assert client.get(reverse("casefile:record", args=[case.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("casefile:record", args=[case.pk, loose.pk])).status_code == 404
    assert client.get(reverse("casefile:record", args=[other_case.pk, foreign.pk])).status_code == 200
    client.force_login(make_user("outsider", "county_approver", village="522602100200"))
    assert client.get(download).status_code == 404


def test_diagram_data_and_viewer_assets(client, case, village_user):
    client.force_login(village_user)
    response, html = page(client, case)
    assert 'id="casefile-diagrams"' in html
    assert "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    assert "/static/vendor/bpmn-js/assets/bpmn-js.css" in html and "/static/casefile/diagram.js" in html
    data = json.loads(re.search(r'<script id="casefile-diagrams" type="application/json">(.*?)</script>', html)[1])
    assert data == [{
        "ref": "main", "process": "demo_assistance", "name": "通用救助审批（演示）",
        "done": ["Start_application"], "current": ["Task_apply"], "parent": "", "calledFrom": "", "finished": False,
        "url": reverse("casefile:diagram", args=[case.pk]),
    }]

    xml = client.get(reverse("casefile:diagram", args=[case.pk]))
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    body = xml.content.decode()
    assert 'id="demo_assistance"' in body and "BPMNDiagram" in body and 'bpmnElement="Task_apply"' in body
    assert client.get(reverse("casefile:diagram", args=[case.pk]) + "?process=nope").status_code == 404


def test_case_viewed_is_recorded_once_per_user_per_ten_minutes(client, case, village_user, reviewer):
    def viewed():
        return list(AuditEvent.objects.filter(instance=case.instance, kind="case.viewed").order_by("seq"))

    start = timezone.now()
    with freeze_time(start) as clock:
        client.force_login(village_user)
        page(client, case)
        page(client, case)
        assert [(e.actor, e.payload) for e in viewed()] == [(village_user, {"view": "case"})]
        client.force_login(reviewer)
        page(client, case)
        assert [e.actor for e in viewed()] == [village_user, reviewer]
        clock.tick(timedelta(minutes=9))
        page(client, case)
        assert len(viewed()) == 2
        cache.clear()  # a restarted or other worker process: the chain itself still says "seen"
        page(client, case)
        assert len(viewed()) == 2
        clock.tick(timedelta(minutes=2))
        page(client, case)
        assert [e.actor for e in viewed()] == [village_user, reviewer, reviewer]
    # The chain stays intact with the extra links.
    from engine.audit import verify_chains

    assert verify_chains() == []
