"""portal.core: the in-process worker of the embedded default, demo users, login auditing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from freezegun import freeze_time

from engine import runtime
from engine.models import AuditCheckpoint, TimerEvent
from portal.core.inprocess_worker import InProcessBeat

from ..conftest import VILLAGE
from ..engine.helpers import APPLICATION, VISIT, only_task

pytestmark = pytest.mark.django_db


def test_tick_fires_due_timers_and_seals_the_audit(deployed, staff, eager_celery):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, actor=staff["village"])
    runtime.complete_task(only_task(instance).pk, staff["village"], APPLICATION)
    runtime.complete_task(only_task(instance).pk, staff["caseworker"], VISIT)
    runtime.complete_task(only_task(instance).pk, staff["village"], {"decision": "approve", "opinion": "通过"})
    beat = InProcessBeat()
    beat.tick()
    assert TimerEvent.objects.get(instance=instance).status == TimerEvent.Status.PENDING
    assert AuditCheckpoint.objects.count() == 1
    with freeze_time(timezone.now() + timedelta(days=8)):
        beat._last_run.clear()
        beat.tick()
    assert TimerEvent.objects.get(instance=instance).status == TimerEvent.Status.FIRED
    assert only_task(instance).spec_id == "Task_township_review"


def test_demo_users_cover_every_role(db, capsys):
    from django.conf import settings
    from django.contrib.auth.models import User

    with pytest.raises(CommandError, match="for development"):
        call_command("load_demo_users")  # tests run with DEBUG off, like production
    call_command("load_demo_users", force=True)
    call_command("load_demo_users", force=True)  # idempotent
    out = capsys.readouterr().out
    roles = {g.split(":")[0] for u in User.objects.all() for g in u.groups.values_list("name", flat=True)}
    assert roles == set(settings.ENGINE_ROLES)
    assert "password for all" in out and User.objects.filter(is_superuser=True).count() == 1


def test_logins_are_audited(client, make_user):
    from engine.models import AuditEvent

    make_user("cunwei", "village_committee")
    assert client.login(username="cunwei", password="pw-cunwei")
    client.logout()
    events = list(AuditEvent.objects.filter(chain="system").values_list("kind", "actor_label"))
    assert events == [("auth.login", "cunwei"), ("auth.logout", "cunwei")]
