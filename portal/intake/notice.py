"""一次性告知: every missing or invalid item of an application form, labelled for the applicant, in form order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from forms.renderer import NON_FIELD, BoundTaskForm


@dataclass(frozen=True)
class MissingItem:
    label: str
    messages: list[str]


def _row_label(bound: BoundTaskForm, name: str, index: int) -> str:
    formset = bound.formsets[name]
    label = _("%(list)s第 %(row)d 行") % {"list": formset.label, "row": index + 1}
    form = formset.forms[index]
    who = form["name"].value() if "name" in form.fields else None
    return f"{label}（{who}）" if who else label


def _label(bound: BoundTaskForm, key: str) -> str:
    parts = key.split(".")
    name = parts[0]
    if name == NON_FIELD:
        return _("其他")
    if name not in bound.formsets:
        return str(bound.form.fields[name].label)
    if len(parts) == 1:
        return str(bound.formsets[name].label)
    row = _row_label(bound, name, int(parts[1]))
    if len(parts) == 2:
        return row
    return f"{row} · {bound.formsets[name].forms[int(parts[1])].fields[parts[2]].label}"


def _position(bound: BoundTaskForm, key: str) -> tuple[int, int, int]:
    """Schema order: the property, then the row, then the field within the row; form-wide problems last."""
    parts = key.split(".")
    order = bound.spec.order
    top = order.index(parts[0]) if parts[0] in order else len(order)
    row = int(parts[1]) + 1 if len(parts) > 1 else 0
    field = 0
    if len(parts) > 2:
        fields = list(bound.formsets[parts[0]].forms[row - 1].fields)
        field = fields.index(parts[2]) if parts[2] in fields else len(fields)
    return top, row, field


def missing_items(bound: BoundTaskForm) -> list[MissingItem]:
    """The form's errors (validated, plus any added afterwards) as labelled items; empty when complete."""
    bound.is_valid()
    errors = bound.errors_by_field()
    return [MissingItem(label=_label(bound, key), messages=errors[key])
            for key in sorted(errors, key=lambda key: _position(bound, key))]
