"""The audit chain: every action is a link; a changed, deleted or rewritten row is found."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from engine import audit, runtime
from engine.models import AuditEvent, ProcessInstance

from ..conftest import VILLAGE
from .helpers import APPLICATION, only_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(deployed, staff):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, actor=staff["village"])
    runtime.claim_task(only_task(instance).pk, staff["village"])
    runtime.complete_task(only_task(instance).pk, staff["village"], APPLICATION)
    return instance


def tamper(sql: str, params: list) -> None:
    """What a DBA with table rights could do: bypass the append-only trigger, then change rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser's way round triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_actions_form_an_intact_chain_per_instance(case):
    chain = audit.instance_chain(case.pk)
    events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
    assert [e.kind for e in events] == ["instance.started", "task.claimed", "task.completed"]
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert audit.verify_chains() == []
    call_command("verify_audit")


def test_an_edited_payload_is_found_and_named(case):
    event = AuditEvent.objects.get(instance=case, kind="task.completed")
    tamper("UPDATE engine_auditevent SET payload = %s WHERE id = %s",
           ['{"task": "Task_apply", "data": {"requested_amount": 99999}}', event.pk])
    breaks = audit.verify_chains()
    assert len(breaks) == 1
    assert (breaks[0].chain, breaks[0].seq, breaks[0].event_id) == (event.chain, event.seq, event.pk)
    assert "row was changed" in breaks[0].reason
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


def test_a_deleted_link_is_found(case):
    event = AuditEvent.objects.get(instance=case, kind="task.claimed")
    tamper("DELETE FROM engine_auditevent WHERE id = %s", [event.pk])
    (found,) = audit.verify_chains()
    assert found.seq == event.seq and "link missing" in found.reason


def test_a_deleted_tail_is_found_through_the_head(case):
    event = AuditEvent.objects.get(instance=case, kind="task.completed")
    tamper("DELETE FROM engine_auditevent WHERE id = %s", [event.pk])
    (found,) = audit.verify_chains()
    assert "head says seq 3" in found.reason


def test_a_rewritten_chain_is_caught_by_the_checkpoint(case, staff):
    checkpoint = audit.seal_checkpoint()
    assert checkpoint is not None and str(case.pk) in "".join(checkpoint.heads)
    assert audit.seal_checkpoint() is None  # nothing changed since
    # Rewrite the last link consistently (recomputed hash, head updated): the chain alone looks intact.
    event = AuditEvent.objects.get(instance=case, kind="task.completed")
    event.payload = {"task": "Task_apply", "data": {"requested_amount": 99999}}
    new_hash = audit.compute_hash(event)
    tamper("UPDATE engine_auditevent SET payload = %s, hash = %s WHERE id = %s",
           ['{"task": "Task_apply", "data": {"requested_amount": 99999}}', new_hash, event.pk])
    ProcessInstance.objects.filter(pk=case.pk).update(audit_head=new_hash)
    assert audit.verify_chain(event.chain) is None
    breaks = audit.verify_chains()
    assert len(breaks) == 1 and "checkpoint" in breaks[0].reason and breaks[0].seq == event.seq


def test_a_forged_checkpoint_is_refused(case):
    checkpoint = audit.seal_checkpoint()
    checkpoint.heads = {**checkpoint.heads, "instance:999": [1, "0" * 64]}
    checkpoint.save()
    assert any("checkpoint seal is invalid" in b.reason for b in audit.verify_chains())


def test_postgresql_refuses_update_and_delete(case, integration):
    event = AuditEvent.objects.filter(instance=case).first()
    for sql in ("UPDATE engine_auditevent SET kind = 'x' WHERE id = %s", "DELETE FROM engine_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).kind == event.kind


def test_events_from_outside_the_engine_join_the_instance_chain(case, staff):
    event = runtime.record_event(case.pk, "record.signed", actor=staff["township"], payload={"sha256": "ab" * 32})
    assert event.chain == audit.instance_chain(case.pk) and event.seq == 4
    assert runtime.history(case.pk)[-1].payload == {"sha256": "ab" * 32}
    assert audit.verify_chains() == []
