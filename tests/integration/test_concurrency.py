"""Two people completing the same task at the same moment on PostgreSQL: exactly one wins."""

import threading

import pytest
from django.db import connection

from engine import runtime
from engine.errors import TaskConflict
from engine.models import AuditEvent, HumanTask

from ..conftest import VILLAGE
from ..engine.helpers import APPLICATION, only_task

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_completions_exactly_one_wins(integration, deployed, make_user, attempt):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE)
    task = only_task(instance)
    users = [make_user(f"v{attempt}a", "village_committee"), make_user(f"v{attempt}b", "village_committee")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete(user):
        try:
            barrier.wait(timeout=10)
            runtime.complete_task(task.pk, user, {**APPLICATION, "applicant_name": user.username})
            outcomes.append("won")
        except TaskConflict:
            outcomes.append("conflict")
        finally:
            connection.close()  # each thread used its own real connection

    threads = [threading.Thread(target=complete, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "won"]
    task.refresh_from_db()
    assert task.status == HumanTask.Status.COMPLETED
    assert AuditEvent.objects.filter(instance=instance, kind="task.completed").count() == 1
    assert only_task(instance).spec_id == "Task_home_visit"
    instance.refresh_from_db()
    assert instance.lock_version == 2
