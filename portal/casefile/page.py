"""What the case page shows, read from the database: place names, members, deadlines, documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from engine.models import HumanTask, ProcessInstance, TimerEvent
from forms.resident_id import mask as mask_resident_id
from portal.cases.models import Case, Jurisdiction, Member
from portal.records.models import Record
from portal.records.render import verify_url

PATH_LEVELS = (6, 9, 12)  # county / township / village
MEMBER_FLAGS = ("disabled", "severely_disabled", "seriously_ill", "student", "single_parent")


def place_names(codes: set[str]) -> dict[str, str]:
    return dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "name"))


def village_path(village_code: str) -> list[str]:
    """County, township and village names of a 12-digit village code (the code where a name is unknown)."""
    codes = [village_code[:n] for n in PATH_LEVELS if len(village_code) >= n]
    names = place_names(set(codes))
    return [names.get(code, code) for code in codes]


@dataclass
class MemberRow:
    name: str
    relation: str
    sex: str
    age: int
    masked_id: str
    flags: list[str]
    deceased_on: date | None


def member_rows(case: Case, today: date | None = None) -> list[MemberRow]:
    today = today or timezone.localdate()
    order = list(Member.Relation.values)
    members = sorted(case.household.members.all(), key=lambda m: (order.index(m.relation), m.pk))
    rows = []
    for m in members:
        flags = [str(Member._meta.get_field(f).verbose_name) for f in MEMBER_FLAGS if getattr(m, f)]
        rows.append(MemberRow(m.name, m.get_relation_display(), m.get_sex_display(), m.age_on(today),
                              mask_resident_id(m.resident_id), flags, m.deceased_on))
    return rows


@dataclass
class Deadline:
    name: str
    office: str
    assignee: str
    due_at: datetime | None
    overdue: bool
    kind: str  # "task" | "timer"


def office_label(candidate_group: str, names: dict[str, str]) -> str:
    """``township_reviewer:522601101`` → ``乡镇审核人 · 舟溪镇``."""
    role, _, code = candidate_group.partition(":")
    role_label = settings.ENGINE_ROLES.get(role, {}).get("label", role)
    return f"{role_label} · {names.get(code, code)}" if code else str(role_label)


def deadlines(instance: ProcessInstance, now: datetime | None = None) -> list[Deadline]:
    """Open human tasks and pending timers (the statutory clocks), soonest first, undated last."""
    now = now or timezone.now()
    tasks = list(HumanTask.objects.filter(instance=instance, status=HumanTask.Status.READY).select_related("assignee"))
    names = place_names({t.candidate_group.partition(":")[2] for t in tasks})
    rows = [
        Deadline(t.name, office_label(t.candidate_group, names),
                 (t.assignee.get_full_name() or t.assignee.get_username()) if t.assignee else "",
                 t.due_at, bool(t.due_at and t.due_at < now), "task")
        for t in tasks
    ]
    for timer in TimerEvent.objects.filter(instance=instance, status=TimerEvent.Status.PENDING):
        rows.append(Deadline(timer.name or timer.spec_id, "", "", timer.due_at, False, "timer"))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda d: (d.due_at or far, d.kind))


@dataclass
class DocumentRow:
    record: Record
    signatures: list[dict[str, Any]] = field(default_factory=list)
    verify_url: str = ""


def documents(instance: ProcessInstance) -> list[DocumentRow]:
    rows = []
    for record in Record.objects.filter(instance=instance).order_by("created_at", "pk"):
        signatures = [
            {"org_name": r.get("org_name", ""), "signer": r.get("signer", ""), "role": r.get("role", ""),
             "signed_at": parse_datetime(r["signed_at"]) if isinstance(r.get("signed_at"), str) else None}
            for r in record.revisions or []
        ]
        rows.append(DocumentRow(record, signatures, verify_url(record.token)))
    return rows
