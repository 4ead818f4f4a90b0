"""The embedded default's worker: a thread in the web process doing what Celery beat + a worker do.

With no ``CELERY_BROKER_URL`` Celery runs tasks eagerly (inline); this thread runs the beat
schedule (``settings.CELERY_BEAT_SCHEDULE``) so timers fire without any external service.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from portal.celery import app

log = logging.getLogger("doudi.worker")


class InProcessBeat(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="doudi-inprocess-beat", daemon=True)
        self._stop_event = threading.Event()
        self._last_run: dict[str, float] = {}

    def stop(self) -> None:
        self._stop_event.set()

    def tick(self) -> None:
        app.loader.import_default_modules()  # the autodiscovered task modules (idempotent)
        now = time.monotonic()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            every = entry["schedule"].total_seconds()
            if now - self._last_run.get(name, float("-inf")) < every:
                continue
            self._last_run[name] = now
            try:
                app.tasks[entry["task"]].apply()
            except Exception:
                log.exception("scheduled task %s failed", entry["task"])

    def run(self) -> None:
        log.info("in-process worker started (tick every %ss)", settings.TIMER_TICK_SECONDS)
        while not self._stop_event.is_set():
            self.tick()
            close_old_connections()  # this thread's connection, like a request's
            self._stop_event.wait(min(5.0, settings.TIMER_TICK_SECONDS))
