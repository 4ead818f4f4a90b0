"""What a child's protection file shows, read from where it was recorded: the report from the process's start data
(``instance.started``), the visits from the ``task.completed`` events of the village child director's visit task.
Labels come from the forms' own enumNames, so the page says what the form said."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from engine.models import AuditEvent
from forms import registry
from portal.cases.models import Case

REPORT_FORM = "children_report"
VISIT_FORM = "children_visit"
VISIT_TASK = "Task_regular_visit"
REPORT_FIELDS = ("reporter_kind", "reporter_name", "reporter_unit", "discovered_on", "found_place", "finding",
                 "child_name", "guardian_situation", "guardian_note", "urgency")


def choice_label(form_key: str, field: str, value: Any) -> str:
    """The form's own label (enumNames) of an enum value, translated; the value itself when it has none."""
    prop = registry.schema(form_key).get("properties", {}).get(field, {})
    values, names = prop.get("enum") or [], prop.get("enumNames") or []
    if value in values and len(names) == len(values):
        return _(names[values.index(value)])
    return "" if value is None else str(value)


def field_title(form_key: str, field: str) -> str:
    return _(registry.schema(form_key).get("properties", {}).get(field, {}).get("title", field))


def report_facts(case: Case) -> list[tuple[str, str]]:
    started = (AuditEvent.objects.filter(instance_id=case.instance_id, kind="instance.started")
               .values_list("payload", flat=True).first()) or {}
    data = started.get("data") or {}
    return [(field_title(REPORT_FORM, name), choice_label(REPORT_FORM, name, data[name]))
            for name in REPORT_FIELDS if data.get(name) not in (None, "")]


def visit_rows(case: Case) -> list[dict[str, Any]]:
    events = (AuditEvent.objects.filter(instance_id=case.instance_id, kind="task.completed", payload__task=VISIT_TASK)
              .select_related("actor").order_by("seq"))
    rows = []
    for event in events:
        data = event.payload.get("data") or {}
        rows.append({
            "visited_on": data.get("visited_on", ""),
            "mode": choice_label(VISIT_FORM, "visit_mode", data.get("visit_mode")),
            "child_seen": bool(data.get("child_seen")),
            "condition": data.get("child_condition", ""),
            "concern": data.get("concern", "none"),
            "concern_label": choice_label(VISIT_FORM, "concern", data.get("concern")),
            "concern_detail": data.get("concern_detail", ""),
            "director": event.actor_label,
        })
    return rows
