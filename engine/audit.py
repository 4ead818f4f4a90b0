"""The append-only audit chain: append, verify, seal checkpoints.

Every state change appends an ``AuditEvent`` inside the same transaction as the change. Each event
carries the hash of the one before it in its chain, so changing or deleting a row breaks the chain
at that point; ``verify_chains`` finds the first broken link. Checkpoints seal the chain heads with
an HMAC so that re-computing a whole chain tail after the fact is detectable too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .actors import actor_label
from .models import AuditChainHead, AuditCheckpoint, AuditEvent, ProcessInstance

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
# Heads touched within this window before the last seal are sealed again: a transaction that
# committed late with an earlier timestamp is never missed, and sealing twice is harmless.
_CHECKPOINT_OVERLAP = timedelta(minutes=10)
_VERIFY_BATCH = 500


def instance_chain(instance_id: int) -> str:
    return f"instance:{instance_id}"


def to_json_data(value: Any) -> Any:
    """Normalise ``value`` to plain JSON data (dates → ISO strings, Decimals → strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: AuditEvent) -> str:
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "kind": event.kind,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "instance_id": event.instance_id,
        "task_id": event.task_id,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def append(
    kind: str,
    *,
    actor: Any = None,
    instance: ProcessInstance | None = None,
    task_id: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the instance's chain, or to the system chain when ``instance`` is None.

    For an instance the caller holds its row lock (every engine action does) and saves
    ``audit_seq``/``audit_head`` with the rest of its change, in the same transaction.
    """

    def link(chain: str, seq: int, prev_hash: str) -> AuditEvent:
        event = AuditEvent(
            chain=chain,
            seq=seq,
            kind=kind,
            occurred_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=actor_label(actor),
            instance=instance,
            task_id=str(task_id or ""),
            payload=to_json_data(payload or {}),
            prev_hash=prev_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        return event

    if instance is not None:
        event = link(instance_chain(instance.pk), instance.audit_seq + 1, instance.audit_head)
        instance.audit_seq, instance.audit_head = event.seq, event.hash
        return event
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(chain=SYSTEM_CHAIN).first()
        if head is None:
            head = AuditChainHead.objects.create(chain=SYSTEM_CHAIN, seq=0, hash=GENESIS)
        event = link(SYSTEM_CHAIN, head.seq + 1, head.hash)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash", "updated_at"])
    return event


@dataclass(frozen=True)
class Break:
    """The first broken link found in one chain."""

    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event id {self.event_id}" if self.event_id is not None else "no event"
        return f"chain {self.chain}, seq {self.seq} ({where}): {self.reason}"


def _chains(chain: str | None) -> Iterator[str]:
    if chain is not None:
        yield chain
        return
    seen = set(AuditChainHead.objects.values_list("chain", flat=True))
    instances = ProcessInstance.objects.filter(audit_seq__gt=0).values_list("pk", flat=True)
    seen.update(instance_chain(pk) for pk in instances)
    seen.update(AuditEvent.objects.values_list("chain", flat=True).distinct())
    yield from sorted(seen)


def _stored_head(chain: str) -> tuple[int, str] | None:
    if chain.startswith("instance:"):
        row = ProcessInstance.objects.filter(pk=int(chain.split(":", 1)[1])).values_list("audit_seq", "audit_head")
    else:
        row = AuditChainHead.objects.filter(chain=chain).values_list("seq", "hash")
    return row.first()


def verify_chain(chain: str) -> Break | None:
    expected_seq, prev_hash, last_id = 1, GENESIS, None
    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return Break(chain, expected_seq, event.pk, f"link missing: next stored link is seq {event.seq}")
        if event.prev_hash != prev_hash:
            return Break(chain, event.seq, event.pk, "prev_hash does not match the previous link")
        if compute_hash(event) != event.hash:
            return Break(chain, event.seq, event.pk, "content does not match its hash: the row was changed")
        expected_seq, prev_hash, last_id = event.seq + 1, event.hash, event.pk
    head = _stored_head(chain)
    last_seq = expected_seq - 1
    if head is not None and head[0] != last_seq:
        return Break(chain, head[0], last_id, f"chain ends at seq {last_seq} but its head says seq {head[0]}")
    if head is not None and head[1] != prev_hash:
        return Break(chain, head[0], last_id, "the last link's hash differs from the chain head")
    return None


def verify_chains(chain: str | None = None) -> list[Break]:
    """Walk every chain (or one) and return its first broken link, if any, per chain."""
    breaks = [b for c in _chains(chain) if (b := verify_chain(c)) is not None]
    breaks.extend(verify_checkpoints(chain))
    return breaks


def _checkpoint_key() -> bytes:
    key = settings.AUDIT_CHECKPOINT_KEY or f"doudi-audit-checkpoint:{settings.SECRET_KEY}"
    return key.encode("utf-8")


def _sign(digest: str) -> str:
    return hmac.new(_checkpoint_key(), digest.encode("ascii"), hashlib.sha256).hexdigest()


def seal_checkpoint() -> AuditCheckpoint | None:
    """Seal the heads changed since the last checkpoint; returns None when nothing changed."""
    with transaction.atomic():
        last = AuditCheckpoint.objects.select_for_update().order_by("-sealed_at").first()
        system = AuditChainHead.objects.all()
        instances = ProcessInstance.objects.filter(audit_seq__gt=0)
        if last is not None:
            since = last.sealed_at - _CHECKPOINT_OVERLAP
            system, instances = system.filter(updated_at__gte=since), instances.filter(updated_at__gte=since)
        heads = {chain: [seq, digest] for chain, seq, digest in system.values_list("chain", "seq", "hash")}
        for pk, seq, digest in instances.values_list("pk", "audit_seq", "audit_head").iterator(chunk_size=5000):
            heads[instance_chain(pk)] = [seq, digest]
        if not heads or (last is not None and all(last.heads.get(c) == v for c, v in heads.items())):
            return None
        prev_digest = last.digest if last is not None else GENESIS
        digest = hashlib.sha256((prev_digest + canonical_json(heads)).encode("utf-8")).hexdigest()
        checkpoint = AuditCheckpoint.objects.create(
            sealed_at=timezone.now(), heads=heads, prev_digest=prev_digest, digest=digest, signature=_sign(digest)
        )
    return checkpoint


def verify_checkpoints(chain: str | None = None) -> list[Break]:
    """Every sealed head must still be the event stored at that seq, and the seals must chain and verify."""
    breaks: list[Break] = []
    prev_digest = GENESIS
    for cp in AuditCheckpoint.objects.order_by("sealed_at", "pk").iterator():
        digest = hashlib.sha256((cp.prev_digest + canonical_json(cp.heads)).encode("utf-8")).hexdigest()
        if cp.prev_digest != prev_digest or digest != cp.digest or not hmac.compare_digest(_sign(digest), cp.signature):
            breaks.append(Break(f"checkpoint:{cp.pk}", 0, None, "checkpoint seal is invalid"))
            return breaks
        prev_digest = cp.digest
        sealed = [(c, seq, h) for c, (seq, h) in cp.heads.items() if chain is None or c == chain]
        for start in range(0, len(sealed), _VERIFY_BATCH):
            batch = sealed[start : start + _VERIFY_BATCH]
            wanted = reduce(or_, (Q(chain=c, seq=seq) for c, seq, _ in batch))
            rows = AuditEvent.objects.filter(wanted).values_list("chain", "seq", "hash")
            stored = {(c, seq): h for c, seq, h in rows}
            for chain_name, seq, head_hash in batch:
                if stored.get((chain_name, seq)) != head_hash:
                    reason = f"differs from the head sealed by checkpoint {cp.pk} at {cp.sealed_at}"
                    breaks.append(Break(chain_name, seq, None, reason))
    return breaks
