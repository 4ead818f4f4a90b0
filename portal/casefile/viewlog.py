"""Staff reads of a case go into its audit chain, once per user and case per window, not on every reload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from engine import runtime
from engine.models import AuditEvent
from portal.cases.models import Case

WINDOW = timedelta(minutes=10)
KIND = "case.viewed"


def _key(case: Case, user: Any) -> str:
    return f"casefile:viewed:{case.pk}:{user.pk}"


def record_view(case: Case, user: Any, *, view: str = "case") -> bool:
    """Append ``case.viewed`` unless this user's last read of the case was recorded within the window.

    The cache answers repeated reads without a query; ``cache.add`` is atomic, so simultaneous reads
    record one event. On a cache miss the chain itself is asked, so a restart or another worker
    process with its own cache does not record the read twice. Returns whether an event was appended.
    """
    if case.instance_id is None:
        return False
    key = _key(case, user)
    if not cache.add(key, 1, timeout=int(WINDOW.total_seconds())):
        return False
    now = timezone.now()
    last = (AuditEvent.objects.filter(instance_id=case.instance_id, kind=KIND, actor=user)
            .order_by("-seq").values_list("occurred_at", flat=True).first())
    if last is not None and now - last < WINDOW:
        cache.set(key, 1, timeout=max(1, int((last + WINDOW - now).total_seconds())))
        return False
    try:
        runtime.record_event(case.instance_id, KIND, actor=user, payload={"view": view})
    except Exception:
        cache.delete(key)  # not recorded: the next read tries again
        raise
    return True
