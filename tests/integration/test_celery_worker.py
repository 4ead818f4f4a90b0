"""A real Celery worker (with beat) against Redis and PostgreSQL fires a timer."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from engine import runtime, tasks
from engine.models import AuditEvent, HumanTask, TimerEvent

from ..conftest import VILLAGE

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(integration, tmp_path):
    queue = f"doudi-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DOUDI_CELERY_QUEUE": queue,
        "DOUDI_TIMER_TICK_SECONDS": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat", "--pool=solo", "--loglevel=INFO",
         "-Q", queue, "-s", str(tmp_path / "beat-schedule"), "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    previous_queue = tasks.fire_instance_timers.app.conf.task_default_queue
    tasks.fire_instance_timers.app.conf.task_default_queue = queue
    yield proc, tmp_path / "worker.log"
    tasks.fire_instance_timers.app.conf.task_default_queue = previous_queue
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_fires_a_timer_once(worker, deploy_test_file):
    proc, log_path = worker
    deploy_test_file("short_timer.bpmn")
    instance = runtime.start_process("short_timer", jurisdiction=VILLAGE)
    timer = TimerEvent.objects.get(instance=instance)
    assert not HumanTask.objects.filter(instance=instance).exists()

    fired = _wait_for(lambda: HumanTask.objects.filter(instance=instance, spec_id="T_task").exists(), 60)
    assert fired, "timer did not fire through the worker:\n" + log_path.read_text()[-3000:]
    assert proc.poll() is None
    timer.refresh_from_db()
    assert timer.status == TimerEvent.Status.FIRED
    assert timer.fired_at >= timer.due_at

    # The same message delivered again, and more beat sweeps, change nothing.
    tasks.fire_instance_timers.delay(instance.pk)
    tasks.fire_instance_timers.delay(instance.pk)
    time.sleep(3)
    assert AuditEvent.objects.filter(instance=instance, kind="timer.fired").count() == 1
    assert HumanTask.objects.filter(instance=instance).count() == 1
    assert "engine.fire_instance_timers" in log_path.read_text()
