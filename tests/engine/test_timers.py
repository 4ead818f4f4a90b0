"""Timers: rows with due_at, fired idempotently, counted in Chinese working days where asked."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from engine import runtime, tasks
from engine.models import AuditEvent, TimerEvent

from ..conftest import VILLAGE
from .helpers import APPLICATION, VISIT, only_task, open_tasks

pytestmark = pytest.mark.django_db
# Monday 2026-09-28 09:00 China time; National Day holidays run 2026-10-01..07 (make-up days around them).
MONDAY = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)


def to_notice(staff):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, actor=staff["village"])
    runtime.complete_task(only_task(instance).pk, staff["village"], APPLICATION)
    runtime.complete_task(only_task(instance).pk, staff["caseworker"], VISIT)
    runtime.complete_task(only_task(instance).pk, staff["village"], {"decision": "approve", "opinion": "通过"})
    return instance


def test_notice_timer_fires_after_seven_days_and_only_once(deployed, staff, eager_celery):
    with freeze_time(MONDAY) as clock:
        instance = to_notice(staff)
        timer = TimerEvent.objects.get(instance=instance)
        assert timer.due_at == MONDAY + timedelta(days=7)
        clock.tick(timedelta(days=6, hours=23))
        assert runtime.due_timer_instances() == []
        assert runtime.fire_instance_timers(instance.pk) == []
        assert open_tasks(instance) == []
        clock.tick(timedelta(hours=1, seconds=1))
        assert runtime.due_timer_instances() == [instance.pk]
        fired = runtime.fire_instance_timers(instance.pk)
        assert [(t.spec_id, t.due_at) for t in fired] == [(timer.spec_id, timer.due_at)]
        # The same timer delivered again (a redelivered message, a second beat sweep) does nothing.
        assert runtime.fire_instance_timers(instance.pk) == []
        assert tasks.fire_due_timers() == 0
    assert only_task(instance).spec_id == "Task_township_review"
    assert AuditEvent.objects.filter(instance=instance, kind="timer.fired").count() == 1
    timer.refresh_from_db()
    assert timer.status == TimerEvent.Status.FIRED and timer.fired_at is not None


def test_beat_sweep_fires_through_the_celery_task(deployed, staff, eager_celery):
    with freeze_time(MONDAY) as clock:
        instance = to_notice(staff)
        clock.tick(timedelta(days=8))
        assert tasks.fire_due_timers() == 1  # eager in the embedded setup: fires inline
    assert only_task(instance).spec_id == "Task_township_review"


def test_county_deadline_counts_working_days_and_escalates_without_interrupting(deployed, staff):
    with freeze_time(MONDAY) as clock:
        instance = to_notice(staff)
        clock.tick(timedelta(days=8))
        runtime.fire_instance_timers(instance.pk)
        runtime.complete_task(only_task(instance).pk, staff["township"], {"decision": "approve", "opinion": "同意"})
        county = only_task(instance)
        deadline = TimerEvent.objects.get(instance=instance, status=TimerEvent.Status.PENDING)
        assert deadline.spec_id == "Timer_county_deadline"
        assert county.due_at == deadline.due_at
        # 10 working days from Tuesday 2026-10-06 skip the rest of the National Day holiday and weekends;
        # the due moment is the end of that working day in China (15:59:59 UTC).
        assert deadline.due_at.astimezone(UTC).time().isoformat() == "15:59:59"
        calendar_days = (deadline.due_at - clock.time_to_freeze.replace(tzinfo=UTC)).days
        assert calendar_days >= 13
        clock.move_to(deadline.due_at + timedelta(seconds=1))
        runtime.fire_instance_timers(instance.pk)
        specs = sorted(t.spec_id for t in open_tasks(instance))
        assert specs == ["Task_county_approval", "Task_supervise_overdue"]
        supervise = only_task(instance, "Task_supervise_overdue")
        assert supervise.candidate_group == f"county_admin:{VILLAGE[:6]}"
        runtime.complete_task(only_task(instance, "Task_county_approval").pk, staff["county"],
                              {"decision": "approve", "opinion": "同意"})
        runtime.complete_task(supervise.pk, staff["admin"], {})
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_boundary_timer_is_cancelled_when_the_task_finishes_first(deployed, staff):
    with freeze_time(MONDAY) as clock:
        instance = to_notice(staff)
        clock.tick(timedelta(days=8))
        runtime.fire_instance_timers(instance.pk)
        runtime.complete_task(only_task(instance).pk, staff["township"], {"decision": "approve", "opinion": "同意"})
        runtime.complete_task(only_task(instance).pk, staff["county"], {"decision": "approve", "opinion": "同意"})
    deadline = TimerEvent.objects.get(instance=instance, spec_id="Timer_county_deadline")
    assert deadline.status == TimerEvent.Status.CANCELLED


def test_interrupting_deadline_withdraws_the_task_and_cycle_timer_recurs(deploy_test_file, staff):
    deploy_test_file("boundary_timers.bpmn")
    with freeze_time(MONDAY) as clock:
        instance = runtime.start_process("boundary_timers", jurisdiction=VILLAGE)
        paperwork = only_task(instance)
        due = sorted((t.spec_id, t.due_at - MONDAY) for t in TimerEvent.objects.filter(instance=instance))
        assert due == [("B_deadline", timedelta(days=5)), ("B_visit_cycle", timedelta(days=1))]
        for day in (1, 2):
            clock.move_to(MONDAY + timedelta(days=day, seconds=1))
            assert [t.spec_id for t in runtime.fire_instance_timers(instance.pk)] == ["B_visit_cycle"]
            visits = [t for t in open_tasks(instance) if t.spec_id == "B_visit"]
            assert len(visits) == day  # one visit task per cycle, the task itself keeps waiting
        clock.move_to(MONDAY + timedelta(days=5, seconds=1))
        assert [t.spec_id for t in runtime.fire_instance_timers(instance.pk)] == ["B_deadline"]
    paperwork.refresh_from_db()
    assert paperwork.status == "withdrawn"
    escalated = only_task(instance, "B_escalated")
    assert escalated.candidate_group == f"county_admin:{VILLAGE[:6]}"
    assert not TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING).exists()
