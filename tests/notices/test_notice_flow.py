"""The notice contract end to end with tests/notices/bpmn/notice_flow.bpmn: publish_notice, the village's
objection task with its interrupting timer, close_notice — the timer path, an objection entered through the
board, an invalid objection form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from freezegun import freeze_time

from engine import runtime
from engine.models import AuditEvent, HumanTask, ProcessInstance, TimerEvent
from portal.notices.models import PublicNotice

from .conftest import OBJECTION, OPINION, VILLAGE, give_opinion, objection_task

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in China
OBJECTION_DATA = {"received_on": "2026-03-04", "objector": "匿名",
                  "content": "该户子女在外务工有稳定收入，未如实申报。"}


def events(case, kind: str) -> list[dict]:
    return [e.payload for e in AuditEvent.objects.filter(instance=case.instance, kind=kind).order_by("seq")]


def test_publishing_puts_up_the_notice_and_gives_the_village_the_objection_task(open_notice_case):
    with freeze_time(MONDAY):
        case = open_notice_case()
    notice = PublicNotice.objects.get(case=case)
    assert (notice.round, notice.status, notice.village_id, notice.program_id) == (1, "open", VILLAGE, "notice-test")
    assert (notice.applicant_name, notice.household_size, str(notice.amount)) == ("王秀英", 3, "1452.00")
    assert (notice.starts_on.isoformat(), notice.ends_on.isoformat()) == ("2026-03-02", "2026-03-08")
    task = objection_task(case)
    assert (task.form_key, task.candidate_group) == ("objection", f"village_committee:{VILLAGE}")
    result = runtime.task_data(task.pk)["notice"]
    assert result == {"notice_id": notice.pk, "starts_on": "2026-03-02", "ends_on": "2026-03-08", "round": 1}
    assert TimerEvent.objects.get(instance=case.instance, status="pending").due_at == MONDAY + timedelta(days=7)
    assert [p["notice_id"] for p in events(case, "notice.published")] == [notice.pk]


def test_without_objection_the_timer_completes_the_notice(open_notice_case):
    with freeze_time(MONDAY) as clock:
        case = open_notice_case()
        notice = PublicNotice.objects.get(case=case)
        clock.tick(timedelta(days=6, hours=23))
        assert runtime.fire_instance_timers(case.instance_id) == []
        notice.refresh_from_db()
        assert notice.status == "open"
        clock.tick(timedelta(hours=1, seconds=1))
        assert len(runtime.fire_instance_timers(case.instance_id)) == 1
    notice.refresh_from_db()
    assert notice.status == "completed" and notice.closed_at is not None
    assert HumanTask.objects.get(instance=case.instance, spec_id=OBJECTION).status == HumanTask.Status.WITHDRAWN
    case.instance.refresh_from_db()
    assert case.instance.status == ProcessInstance.Status.COMPLETED
    assert events(case, "notice.closed") == [{"notice_id": notice.pk, "round": 1, "outcome": "completed"}]


def test_an_objection_entered_on_the_board_closes_the_notice_and_reopens_the_case(client, open_notice_case, people):
    with freeze_time(MONDAY):
        case = open_notice_case()
    notice = PublicNotice.objects.get(case=case)
    board = reverse("notices:board", args=[VILLAGE])
    url = reverse("notices:objection", args=[notice.pk])
    client.force_login(people["cunwei"])
    with freeze_time(MONDAY + timedelta(days=2)):
        assert url in client.get(board).content.decode()
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "王秀英" in html and 'name="content"' in html
        assert 'name="received_on" value="2026-03-04"' in html  # today, as most objections are entered the day told
        done = client.post(url, OBJECTION_DATA)
    assert done.status_code == 302 and done["Location"] == board
    assert [m.level_tag for m in get_messages(done.wsgi_request)] == ["success"]

    notice.refresh_from_db()
    assert notice.status == "objected" and notice.closed_at is not None
    task = HumanTask.objects.get(instance=case.instance, spec_id=OBJECTION)
    assert task.status == HumanTask.Status.COMPLETED and task.completed_by == people["cunwei"]
    completed = AuditEvent.objects.get(instance=case.instance, kind="task.completed", payload__task=OBJECTION)
    assert completed.actor == people["cunwei"]
    assert {k: completed.payload["data"][k] for k in OBJECTION_DATA} == OBJECTION_DATA
    assert events(case, "notice.closed") == [{"notice_id": notice.pk, "round": 1, "outcome": "objected"}]
    assert not TimerEvent.objects.filter(instance=case.instance, status="pending").exists()
    assert client.get(url).status_code == 404  # the notice is down

    # Re-investigation gives a new opinion; the new round is round 2 and the objected round stays objected.
    with freeze_time(MONDAY + timedelta(days=5)):
        give_opinion(case, people["jingban"])
    second = PublicNotice.objects.get(case=case, status="open")
    assert (second.round, second.starts_on.isoformat(), second.ends_on.isoformat()) == (2, "2026-03-07", "2026-03-13")
    notice.refresh_from_db()
    assert notice.status == "objected"
    assert objection_task(case).pk != task.pk


def test_an_invalid_objection_shows_field_errors_and_changes_nothing(client, open_notice_case, people):
    with freeze_time(MONDAY):
        case = open_notice_case()
    notice = PublicNotice.objects.get(case=case)
    task = objection_task(case)
    chain_length = AuditEvent.objects.filter(instance=case.instance).count()
    client.force_login(people["cunwei"])
    page = client.post(reverse("notices:objection", args=[notice.pk]),
                       {"received_on": "not a date", "objector": "", "content": "短"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="error"') >= 3
    assert "短" in html  # what was typed is kept
    notice.refresh_from_db()
    task.refresh_from_db()
    assert (notice.status, task.status) == ("open", HumanTask.Status.READY)
    assert AuditEvent.objects.filter(instance=case.instance).count() == chain_length


def test_an_engine_refusal_becomes_a_message_and_saves_nothing(client, open_notice_case, people, monkeypatch):
    from engine.errors import TaskConflict

    with freeze_time(MONDAY):
        case = open_notice_case()
    notice = PublicNotice.objects.get(case=case)

    def conflict(*args, **kwargs):
        raise TaskConflict("任务已被他人处理")

    monkeypatch.setattr(runtime, "complete_task", conflict)
    client.force_login(people["cunwei"])
    page = client.post(reverse("notices:objection", args=[notice.pk]), OBJECTION_DATA)
    assert page.status_code == 200
    shown = [(m.level_tag, "任务已被他人处理" in m.message) for m in get_messages(page.wsgi_request)]
    assert shown == [("error", True)]
    notice.refresh_from_db()
    assert notice.status == "open" and objection_task(case).status == HumanTask.Status.READY


def test_the_process_waits_for_the_township_opinion_before_publishing(program, people):
    from portal.cases.services import open_case

    from .conftest import make_household

    case = open_case(make_household(), program, actor=people["jingban"], data={"notice_amount": 100, "notice_days": 7})
    assert not PublicNotice.objects.filter(case=case).exists()
    assert HumanTask.objects.get(instance=case.instance, status="ready").spec_id == OPINION
