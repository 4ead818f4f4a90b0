"""Celery tasks. All idempotent and acks_late: a redelivered message does nothing twice."""

from __future__ import annotations

import logging

from celery import shared_task

from . import audit, runtime

log = logging.getLogger("doudi.engine")


@shared_task(name="engine.fire_instance_timers", acks_late=True)
def fire_instance_timers(instance_id: int) -> int:
    return len(runtime.fire_instance_timers(instance_id))


@shared_task(name="engine.fire_due_timers", acks_late=True)
def fire_due_timers() -> int:
    """Beat's sweep: one message per instance with a due timer."""
    instance_ids = runtime.due_timer_instances()
    for instance_id in instance_ids:
        fire_instance_timers.delay(instance_id)
    if instance_ids:
        log.info("enqueued timers of %d instances", len(instance_ids))
    return len(instance_ids)


@shared_task(name="engine.seal_audit_checkpoint", acks_late=True)
def seal_audit_checkpoint() -> str | None:
    checkpoint = audit.seal_checkpoint()
    return checkpoint.digest if checkpoint else None
