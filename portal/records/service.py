"""The records service: issue a record (render + first signature), countersign it, verify it.

Which organisation seals each slot is decided when the record is issued (``organisations.py``: the township
government, or the county department that decides the program) and kept on the record, so the document names its
issuers and each countersignature comes from the organisation named. A missing key is an error, never a reason to
seal with another organisation's key.

Every signature writes the SHA-256 of the file and of the signature's revision to the audit chain:
the instance's chain when the record belongs to a process instance, the system chain otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from engine import audit, runtime

from . import organisations, pki, signing
from .models import Record
from .render import KINDS, SLOT_ROLES, render, verify_url

log = logging.getLogger("doudi.records")


class RecordError(Exception):
    pass


def plan_seals(slots: tuple[str, ...], jurisdiction: str, program: str) -> dict[str, str]:
    """The organisation code that seals each slot of a record of ``program`` issued in ``jurisdiction``."""
    try:
        return {slot: organisations.for_slot(slot, jurisdiction, program).code for slot in slots}
    except organisations.OrganisationError as err:
        raise RecordError(str(err)) from err


def org_signer(code: str, *, slot: str, program: str = "") -> pki.OrgSigner:
    """The signer of the organisation ``code``, or a RecordError that says whose key is missing."""
    try:
        return pki.org_signer(code)
    except LookupError as err:
        try:
            organisation = organisations.parse_code(code).describe()
        except organisations.OrganisationError:
            organisation = code
        what = f" for the {program} records" if program else ""
        raise RecordError(f"cannot seal the {slot} slot{what}: {err}; it belongs to {organisation}, "
                          f"and no other organisation may seal in its place") from err


def _audit(record: Record, sig: signing.Signature, *, org: pki.OrgSigner, signer_name: str, actor: Any,
           record_event: Callable[..., Any] | None) -> None:
    payload = {
        "record_id": record.pk,
        "kind": record.kind,
        "business_key": record.business_key,
        "field": sig.field,
        "org_code": org.code,
        "org_name": org.name,
        "signer": signer_name,
        "seals": record.seals,
        "sha256": sig.sha256,
        "revision_sha256": sig.revision_sha256,
        "revisions": [{"field": r["field"], "sha256": r["revision_sha256"]} for r in record.revisions],
    }
    if record_event is not None:
        # Inside an engine action (a service task operator): the event joins the action's transaction.
        record_event("record.signed", payload, actor)
    elif record.instance_id is not None:
        runtime.record_event(record.instance_id, "record.signed", actor=actor, payload=payload)
    else:
        audit.append("record.signed", actor=actor, payload=payload)


def _store(record: Record, sig: signing.Signature, *, org: pki.OrgSigner, signer_name: str, role: str) -> None:
    record.revisions = [*record.revisions, {
        "revision": len(record.revisions) + 1,
        "field": sig.field,
        "org_code": org.code,
        "org_name": org.name,
        "signer": signer_name,
        "role": role,
        "sha256": sig.sha256,
        "revision_sha256": sig.revision_sha256,
        "signed_at": sig.signed_at,
    }]
    record.sha256 = sig.sha256
    name = f"{record.kind}-{record.token[:12]}-r{len(record.revisions)}.pdf"
    record.file.save(name, ContentFile(sig.pdf), save=False)
    record.save()


def issue(
    kind: str,
    data: dict[str, Any],
    *,
    jurisdiction: str,
    signer_name: str = "",
    actor: Any = None,
    instance_id: int | None = None,
    business_key: str = "",
    record_event: Callable[..., Any] | None = None,
    slots: tuple[str, ...] | None = None,
    program: str | None = None,
) -> Record:
    """Render ``kind`` with ``data`` and sign its first slot (a certification signature).

    ``slots`` picks another signing order the kind allows (the township alone under delegation). ``program`` (a
    program code) picks the department that seals the county slot; by default the program of the case that
    ``instance_id`` runs. Every slot's key is loaded first: a record nobody may complete is not issued.
    """
    if kind not in KINDS:
        raise RecordError(f"unknown record kind '{kind}'")
    spec = KINDS[kind]
    slots = tuple(slots) if slots else spec.slots
    if not spec.allows(slots):
        raise RecordError(f"record kind '{kind}' cannot be signed by {list(slots)}")
    program = organisations.program_of(instance_id) if program is None else program
    seals = plan_seals(slots, jurisdiction, program)
    signers = {slot: org_signer(code, slot=slot, program=program) for slot, code in seals.items()}
    slot = slots[0]
    org = signers[slot]
    with transaction.atomic():
        record = Record.objects.create(
            kind=kind, title=str(data.get("title") or spec.title), instance_id=instance_id,
            business_key=business_key, jurisdiction=jurisdiction, slots=list(slots), seals=seals,
        )
        rendered = render(kind, data, token=record.token, business_key=business_key, slots=slots,
                          seal_orgs={s: signer.name for s, signer in signers.items()})
        role = str(SLOT_ROLES.get(slot, slot))
        signer_name = signer_name or org.name
        sig = signing.sign(
            rendered.pdf, field=slot, org_code=org.code, signer_name=signer_name, role=role,
            create_fields=rendered.slots, certify=True, lta=settings.RECORDS_LTA and len(slots) == 1,
        )
        _store(record, sig, org=org, signer_name=signer_name, role=role)
        _audit(record, sig, org=org, signer_name=signer_name, actor=actor, record_event=record_event)
    log.info("record %s (%s) signed by %s", record.pk, kind, org.code)
    return record


def countersign(
    record_id: int,
    *,
    signer_name: str = "",
    actor: Any = None,
    record_event: Callable[..., Any] | None = None,
) -> Record:
    """Sign the record's next slot in an incremental update (the county after the township), as the organisation
    the record named for it when it was issued."""
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record_id)
        slot = record.next_slot
        if slot is None:
            raise RecordError(f"record {record.pk} is already fully signed")
        code = record.seals.get(slot)
        if not code:
            raise RecordError(f"record {record.pk} names no organisation for its {slot} slot")
        org = org_signer(code, slot=slot)
        role = str(SLOT_ROLES.get(slot, slot))
        signer_name = signer_name or org.name
        with record.file.open("rb") as f:
            current = f.read()
        if signing.sha256(current) != record.sha256:
            raise RecordError(f"record {record.pk}: stored file does not match its recorded SHA-256")
        last = len(record.revisions) + 1 == len(record.slots)
        sig = signing.sign(current, field=slot, org_code=org.code, signer_name=signer_name, role=role,
                           lta=settings.RECORDS_LTA and last)
        _store(record, sig, org=org, signer_name=signer_name, role=role)
        _audit(record, sig, org=org, signer_name=signer_name, actor=actor, record_event=record_event)
    log.info("record %s countersigned by %s", record.pk, org.code)
    return record


def read(record: Record) -> bytes:
    with record.file.open("rb") as f:
        return f.read()


def summary(record: Record) -> dict[str, Any]:
    """What an operator returns to the workflow (JSON data, no personal data)."""
    return {
        "record_id": record.pk,
        "kind": record.kind,
        "sha256": record.sha256,
        "signed": record.signed_slots,
        "verify_url": verify_url(record.token),
    }
