"""Task forms from JSON Schema, rendered server-side as Django forms — the single source of truth for task data.

The portal renders ``bind(form_key, request.POST)``; the JSON API and the engine call ``validate`` / ``clean`` with
JSON data. Both go through the same Django form, so a rule lives in one place (the schema) and is checked once.

Supported schema subset (anything else raises ``SchemaError`` when the form class is built, i.e. at the latest when
the test ``every schema builds`` runs):

* ``type: string`` — ``minLength``, ``maxLength``, ``pattern`` (searched, as in JSON Schema: anchor it yourself),
  ``enum`` (+ ``enumNames``: the Chinese labels) → a select; ``format: "date"`` → a date (ISO ``YYYY-MM-DD``);
  ``format: "resident-id"`` → checked by ``forms.resident_id.validate_resident_id`` and normalised (upper-case X);
  ``"x-widget": "textarea"`` → a multi-line box.
* ``type: integer`` / ``number`` — ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``. ``number``
  is money: a decimal with at most 2 places.
* ``type: boolean`` — a check box; required only with ``const: true`` (a signed pledge or authorization).
* ``type: array`` of strings — one item per line in a text box; ``minItems``, ``maxItems``, item ``minLength`` /
  ``maxLength``. JSON callers pass a list.
* ``type: array`` of objects — a Django formset built from the item schema (flat properties of the kinds above);
  ``minItems`` / ``maxItems``. JSON callers pass a list of objects.
* Every property: ``title`` → label, ``description`` → help text, ``default`` → initial value; the object's
  ``required`` list → required fields. ``"x-messages"`` maps a keyword (``required``, ``minLength``, ``maxLength``,
  ``pattern``, ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``minItems``, ``maxItems``,
  ``enum``, ``format``, ``const``) to the message shown instead of the default.

Cross-field rules: ``"x-rules"`` on an object schema (the form, or an array's item schema), a list of::

    {"rule": "min_ratio",   "field": "representatives", "of": "attendees", "ratio": "2/3", "message": "..."}
        field ≥ ratio × of. ``ratio`` is a fraction string ("2/3") or a number, compared exactly (no rounding).
    {"rule": "max_sum",     "fields": ["votes_for", "votes_against"], "of": "attendees", "message": "..."}
        the sum of ``fields`` ≤ ``of``; the error goes on ``field`` if given, else on the first of ``fields``.
    {"rule": "required_if", "field": "reasons", "when": {"decision": "refuse"}, "message": "..."}
        ``field`` must be filled when every ``when`` field equals the value (or is one of a list of values).
    {"rule": "rows_per_item", "field": "member_opinions", "of": "attendees", "message": "..."}
        the formset ``field`` has one row per item of the list ``of`` (on the form, not in an item schema).

A rule is skipped while a field it reads is empty or already invalid (that field shows its own error). ``message``
is optional; it is passed through gettext at display time, as are titles, descriptions and enumNames.

Cleaned data is JSON-ready: dates as ISO strings, ``integer`` as int, ``number`` as a float rounded to 2 decimal
places (JSON numbers, so that gateway conditions and DMN tables compare numbers; for exact money arithmetic use
``Decimal(str(value))``), arrays as lists, members as lists of dicts. Optional fields left empty are omitted
(never ``null`` or ``""``); booleans are always present. Keys not in the schema are dropped.

Errors are keyed by field name; formset rows as ``members.0.resident_id``, formset-level errors (e.g. too few
rows) as ``members``, a row's own non-field errors as ``members.0``, form-level non-field errors as ``__all__``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from django import forms as djforms
from django.core import validators as dj_validators
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from forms import registry
from forms.resident_id import normalise, validate_resident_id

__all__ = [
    "BoundTaskForm",
    "SchemaError",
    "TaskFormInvalid",
    "TaskFormSpec",
    "bind",
    "clean",
    "form_spec",
    "validate",
]

NON_FIELD = "__all__"
MONEY_PLACES = 2
MONEY_DIGITS = 14
RULES = ("min_ratio", "max_sum", "required_if", "rows_per_item")
_STRING_FORMATS = (None, "date", "resident-id")


class SchemaError(ValueError):
    """The schema uses something the renderer does not support, or a rule names an unknown field."""


class TaskFormInvalid(ValueError):
    """Raised by ``clean``: the data does not satisfy the form; ``errors`` as from ``validate``."""

    def __init__(self, form_key: str, errors: dict[str, list[str]]):
        self.form_key = form_key
        self.errors = errors
        super().__init__(f"form '{form_key}' is invalid: {', '.join(errors)}")


def _lazy(text: Any) -> Any:
    """Schema texts go through gettext when shown, so a catalogue entry can translate them."""
    return gettext_lazy(text) if isinstance(text, str) and text else text


# --- fields ----------------------------------------------------------------------------------------------------------


class LinesWidget(djforms.Textarea):
    """One item per line; shows a list (from JSON data or initial) one item per line."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            value = "\n".join(str(item) for item in value)
        return super().format_value(value)


class LinesField(djforms.Field):
    """An array of strings: a list from JSON, or text with one item per line from an HTML form."""

    widget = LinesWidget
    default_error_messages = {
        "min_items": gettext_lazy("至少应填写 %(num)d 项（每行一项）"),
        "max_items": gettext_lazy("最多填写 %(num)d 项（每行一项）"),
        "item_too_short": gettext_lazy("第 %(index)d 项至少应有 %(num)d 个字符"),
        "item_too_long": gettext_lazy("第 %(index)d 项最多 %(num)d 个字符"),
    }

    def __init__(self, *, min_items=None, max_items=None, item_min_length=None, item_max_length=None, **kwargs):
        self.min_items, self.max_items = min_items, max_items
        self.item_min_length, self.item_max_length = item_min_length, item_max_length
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = value.splitlines()
        elif not isinstance(value, list | tuple):
            value = [value]
        return [str(item).strip() for item in value if str(item).strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if value and self.min_items is not None and len(value) < self.min_items:
            raise ValidationError(self.error_messages["min_items"], code="min_items", params={"num": self.min_items})
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(self.error_messages["max_items"], code="max_items", params={"num": self.max_items})
        for index, item in enumerate(value, start=1):
            if self.item_min_length is not None and len(item) < self.item_min_length:
                raise ValidationError(
                    self.error_messages["item_too_short"],
                    code="item_too_short",
                    params={"index": index, "num": self.item_min_length},
                )
            if self.item_max_length is not None and len(item) > self.item_max_length:
                raise ValidationError(
                    self.error_messages["item_too_long"],
                    code="item_too_long",
                    params={"index": index, "num": self.item_max_length},
                )

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class ResidentIdField(djforms.CharField):
    default_validators = [validate_resident_id]

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return normalise(value) if value else value


class ExclusiveMinValidator(dj_validators.BaseValidator):
    message = gettext_lazy("应大于 %(limit_value)s")
    code = "exclusive_minimum"

    def compare(self, a, b):
        return a <= b


class ExclusiveMaxValidator(dj_validators.BaseValidator):
    message = gettext_lazy("应小于 %(limit_value)s")
    code = "exclusive_maximum"

    def compare(self, a, b):
        return a >= b


# A schema keyword's message (x-messages) lands on the validator Django attached for it.
_VALIDATOR_KEYWORDS = {
    dj_validators.MinLengthValidator: "minLength",
    dj_validators.MaxLengthValidator: "maxLength",
    dj_validators.RegexValidator: "pattern",
    dj_validators.MinValueValidator: "minimum",
    dj_validators.MaxValueValidator: "maximum",
    ExclusiveMinValidator: "exclusiveMinimum",
    ExclusiveMaxValidator: "exclusiveMaximum",
}


def _number(value: Any, where: str, keyword: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemaError(f"{where}: {keyword} must be a number")
    return Decimal(str(value))


def _build_field(name: str, prop: Mapping[str, Any], required: bool, where: str) -> djforms.Field:
    where = f"{where}.{name}"
    if not isinstance(prop, Mapping):
        raise SchemaError(f"{where}: a property must be an object")
    kind = prop.get("type")
    messages: dict[str, str] = {k: v for k, v in (prop.get("x-messages") or {}).items() if isinstance(v, str)}
    common: dict[str, Any] = {
        "required": required,
        "label": _lazy(prop.get("title") or name),
        "help_text": _lazy(prop.get("description") or ""),
    }
    if "default" in prop:
        common["initial"] = prop["default"]
    error_messages: dict[str, Any] = {}
    if "required" in messages:
        error_messages["required"] = _lazy(messages["required"])

    if "enum" in prop:
        enum = prop["enum"]
        if kind not in ("string", "integer") or not isinstance(enum, list) or not enum:
            raise SchemaError(f"{where}: enum needs type string or integer and a non-empty list")
        names = prop.get("enumNames") or [str(v) for v in enum]
        if len(names) != len(enum):
            raise SchemaError(f"{where}: enumNames must match enum one to one")
        choices = [("", gettext_lazy("—— 请选择 ——"))] + [(v, _lazy(n)) for v, n in zip(enum, names, strict=True)]
        if "enum" in messages:
            error_messages["invalid_choice"] = _lazy(messages["enum"])
        if kind == "integer":
            field: djforms.Field = djforms.TypedChoiceField(
                choices=choices, coerce=int, empty_value=None, error_messages=error_messages, **common
            )
        else:
            field = djforms.ChoiceField(choices=choices, error_messages=error_messages, **common)
    elif kind == "string":
        fmt = prop.get("format")
        if fmt not in _STRING_FORMATS:
            raise SchemaError(f"{where}: unsupported string format {fmt!r}")
        if "format" in messages:
            error_messages["invalid"] = _lazy(messages["format"])
        if fmt == "date":
            field = djforms.DateField(
                input_formats=["%Y-%m-%d"],
                widget=djforms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages=error_messages,
                **common,
            )
        else:
            widget = djforms.Textarea(attrs={"rows": 4}) if prop.get("x-widget") == "textarea" else None
            field_class = ResidentIdField if fmt == "resident-id" else djforms.CharField
            field = field_class(
                min_length=prop.get("minLength"),
                max_length=prop.get("maxLength", 18 if fmt == "resident-id" else None),
                widget=widget,
                error_messages=error_messages,
                **common,
            )
            if "pattern" in prop:
                field.validators.append(
                    dj_validators.RegexValidator(prop["pattern"], message=gettext_lazy("格式不正确"))
                )
    elif kind in ("integer", "number"):
        limits = {
            key: _number(prop[key], where, key)
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
            if key in prop
        }
        bounds = {"min_value": limits.get("minimum"), "max_value": limits.get("maximum")}
        if kind == "integer":
            field = djforms.IntegerField(error_messages=error_messages, **bounds, **common)
        else:
            field = djforms.DecimalField(
                max_digits=MONEY_DIGITS,
                decimal_places=MONEY_PLACES,
                error_messages=error_messages,
                **bounds,
                **common,
            )
        if "exclusiveMinimum" in limits:
            field.validators.append(ExclusiveMinValidator(limits["exclusiveMinimum"]))
        if "exclusiveMaximum" in limits:
            field.validators.append(ExclusiveMaxValidator(limits["exclusiveMaximum"]))
    elif kind == "boolean":
        const = prop.get("const")
        if const not in (None, True):
            raise SchemaError(f"{where}: only const true is supported on a boolean")
        if const is True:
            error_messages.setdefault("required", _lazy(messages.get("const")) or gettext_lazy("请勾选此项以确认"))
        common["required"] = const is True
        field = djforms.BooleanField(error_messages=error_messages, **common)
    elif kind == "array":
        items = prop.get("items") or {}
        if items.get("type") != "string" or "enum" in items or items.get("format"):
            raise SchemaError(f"{where}: arrays hold plain strings, or objects as a formset")
        field = LinesField(
            min_items=prop.get("minItems"),
            max_items=prop.get("maxItems"),
            item_min_length=items.get("minLength"),
            item_max_length=items.get("maxLength"),
            error_messages=error_messages,
            **common,
        )
        for keyword, code in (("minItems", "min_items"), ("maxItems", "max_items")):
            if keyword in messages:
                field.error_messages[code] = _lazy(messages[keyword])
    else:
        raise SchemaError(f"{where}: unsupported type {kind!r}")

    for validator in field.validators:
        keyword = _VALIDATOR_KEYWORDS.get(type(validator))
        if keyword in messages:
            validator.message = _lazy(messages[keyword])
    return field


# --- cross-field rules -----------------------------------------------------------------------------------------------


def _check_rules(rules: Any, fields: Mapping[str, djforms.Field], where: str,
                 formsets: frozenset[str] = frozenset()) -> tuple[dict[str, Any], ...]:
    if rules is None:
        return ()
    if not isinstance(rules, list):
        raise SchemaError(f"{where}: x-rules must be a list")
    checked = []
    for index, rule in enumerate(rules):
        here = f"{where}.x-rules[{index}]"
        if not isinstance(rule, Mapping) or rule.get("rule") not in RULES:
            raise SchemaError(f"{here}: rule must be one of {', '.join(RULES)}")
        kind = rule["rule"]
        if kind == "rows_per_item":
            if rule.get("field") not in formsets:
                raise SchemaError(f"{here}: rows_per_item needs 'field', a list of objects on the form")
            if not isinstance(fields.get(rule.get("of")), LinesField):
                raise SchemaError(f"{here}: rows_per_item needs 'of', a list of strings on the form")
            checked.append(dict(rule))
            continue
        named = {"min_ratio": ["field", "of"], "max_sum": ["of"], "required_if": ["field"]}[kind]
        names = [rule.get(key) for key in named]
        if kind == "max_sum":
            if not isinstance(rule.get("fields"), list) or not rule["fields"]:
                raise SchemaError(f"{here}: max_sum needs a non-empty list 'fields'")
            names += rule["fields"] + ([rule["field"]] if "field" in rule else [])
        if kind == "required_if":
            if not isinstance(rule.get("when"), Mapping) or not rule["when"]:
                raise SchemaError(f"{here}: required_if needs a non-empty object 'when'")
            names += list(rule["when"])
        if kind == "min_ratio":
            try:
                ratio = Fraction(str(rule.get("ratio")))
            except (ValueError, ZeroDivisionError):
                raise SchemaError(f'{here}: ratio must be a number or a fraction like "2/3"') from None
            rule = {**rule, "ratio": ratio}
        for name in names:
            if name not in fields:
                raise SchemaError(f"{here}: unknown field {name!r}")
        checked.append(dict(rule))
    return tuple(checked)


def _is_empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | list | tuple) and not value)


def _apply_rules(form: djforms.Form, rules: tuple[dict[str, Any], ...]) -> None:
    data = form.cleaned_data

    def usable(*names: str) -> bool:
        return all(name not in form.errors and data.get(name) is not None for name in names)

    def label(name: str) -> str:
        return str(form.fields[name].label)

    for rule in rules:
        kind, message = rule["rule"], rule.get("message")
        if kind == "min_ratio":
            field, of = rule["field"], rule["of"]
            if usable(field, of) and Fraction(data[field]) < rule["ratio"] * Fraction(data[of]):
                form.add_error(
                    field,
                    gettext(message)
                    if message
                    else gettext("「%(field)s」应不少于「%(of)s」的 %(ratio)s")
                    % {"field": label(field), "of": label(of), "ratio": rule["ratio"]},
                )
        elif kind == "max_sum":
            fields, of = rule["fields"], rule["of"]
            target = rule.get("field", fields[0])
            if target not in form.errors and usable(*fields, of) and sum(data[f] for f in fields) > data[of]:
                form.add_error(
                    target,
                    gettext(message)
                    if message
                    else gettext("「%(fields)s」之和不应超过「%(of)s」")
                    % {"fields": "、".join(label(f) for f in fields), "of": label(of)},
                )
        elif kind == "rows_per_item":
            continue  # a formset's rows: checked by BoundTaskForm once the formsets are clean
        elif kind == "required_if":
            field = rule["field"]
            matches = all(
                (data.get(name) in value) if isinstance(value, list) else data.get(name) == value
                for name, value in rule["when"].items()
            )
            if matches and field not in form.errors and _is_empty(data.get(field)):
                form.add_error(field, gettext(message) if message else gettext("在当前选择下此项必填"))


class SchemaForm(djforms.Form):
    """Base of every generated form: applies the schema's x-rules and JSON type errors."""

    form_key: str = ""
    schema_rules: tuple[dict[str, Any], ...] = ()

    def __init__(self, *args: Any, type_errors: Mapping[str, str] | None = None, **kwargs: Any):
        self.type_errors = dict(type_errors or {})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.type_errors:
            cleaned.pop(name, None)  # a mistyped value is treated as absent, so rules skip it
        _apply_rules(self, self.schema_rules)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self._errors is not None:
            for name, message in self.type_errors.items():
                self._errors[name] = self.error_class([message])
                if hasattr(self, "cleaned_data"):
                    self.cleaned_data.pop(name, None)


class SchemaFormSet(djforms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": gettext_lazy("至少应填写 %(num)d 项"),
        "too_many_forms": gettext_lazy("最多填写 %(num)d 项"),
    }

    def __init__(
        self,
        *args: Any,
        row_type_errors: Mapping[int, Mapping[str, str]] | None = None,
        json_rows: bool = False,
        **kwargs: Any,
    ):
        self.row_type_errors = dict(row_type_errors or {})
        self.json_rows = json_rows
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["type_errors"] = self.row_type_errors.get(index)
            if self.json_rows:
                kwargs["empty_permitted"] = False  # every row a JSON caller sends is a row, even an empty one
        return kwargs


# --- the spec: form class + formset classes per form key -----------------------------------------------------------


@dataclass(frozen=True)
class TaskFormSpec:
    form_key: str
    title: str
    schema: Mapping[str, Any]
    form_class: type[SchemaForm]
    formset_classes: Mapping[str, type[djforms.BaseFormSet]]
    order: tuple[str, ...]  # property names in schema order (fields and formsets)


def _form_class(name: str, schema: Mapping[str, Any], where: str, *, nested: bool) -> type[SchemaForm]:
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), Mapping):
        raise SchemaError(f"{where}: needs type object with properties")
    required = set(schema.get("required") or [])
    unknown = required - set(schema["properties"])
    if unknown:
        raise SchemaError(f"{where}: required names unknown properties {sorted(unknown)}")
    fields = {}
    for prop_name, prop in schema["properties"].items():
        is_object_array = prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "object"
        if is_object_array:
            if nested:
                raise SchemaError(f"{where}.{prop_name}: arrays of objects cannot nest")
            continue
        fields[prop_name] = _build_field(prop_name, prop, prop_name in required, where)
    attrs: dict[str, Any] = dict(fields)
    attrs["form_key"] = name
    attrs["__module__"] = __name__
    formsets = frozenset(name for name in schema["properties"] if name not in fields)
    attrs["schema_rules"] = _check_rules(schema.get("x-rules"), fields, where, formsets)
    class_name = "".join(part.title() for part in re.split(r"[^a-zA-Z0-9]+", name) if part) + "Form"
    return type(class_name, (SchemaForm,), attrs)


def _formset_class(form_key: str, name: str, prop: Mapping[str, Any], required: bool) -> type[djforms.BaseFormSet]:
    where = f"{form_key}.{name}"
    item_form = _form_class(f"{form_key}_{name}", prop["items"], f"{where}[]", nested=True)
    min_items = prop.get("minItems") or (1 if required else 0)
    max_items = prop.get("maxItems")
    formset = djforms.formset_factory(
        item_form,
        formset=SchemaFormSet,
        extra=0 if min_items else 1,
        min_num=min_items,
        validate_min=bool(min_items),
        max_num=max_items,
        validate_max=max_items is not None,
        can_delete=True,
        can_delete_extra=True,
    )
    messages = prop.get("x-messages") or {}
    own = {}
    if "minItems" in messages:
        own["too_few_forms"] = _lazy(messages["minItems"])
    if "maxItems" in messages:
        own["too_many_forms"] = _lazy(messages["maxItems"])
    formset.default_error_messages = {**SchemaFormSet.default_error_messages, **own}
    formset.label = _lazy(prop.get("title") or name)
    formset.help_text = _lazy(prop.get("description") or "")
    return formset


@cache
def form_spec(form_key: str) -> TaskFormSpec:
    """The form class and formset classes for a form key (cached). ``KeyError`` for an unknown key."""
    schema = registry.schema(form_key)
    form_class = _form_class(form_key, schema, form_key, nested=False)
    required = set(schema.get("required") or [])
    formsets = {
        name: _formset_class(form_key, name, prop, name in required)
        for name, prop in schema["properties"].items()
        if prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "object"
    }
    return TaskFormSpec(
        form_key=form_key,
        title=schema.get("title") or form_key,
        schema=schema,
        form_class=form_class,
        formset_classes=formsets,
        order=tuple(schema["properties"]),
    )


# --- JSON data → form data -------------------------------------------------------------------------------------------

_TYPE_MESSAGES = {
    "string": gettext_lazy("应为文本"),
    "integer": gettext_lazy("应为整数"),
    "number": gettext_lazy("应为数字"),
    "boolean": gettext_lazy("应为“是”或“否”"),
    "array": gettext_lazy("应为列表"),
    "object": gettext_lazy("应为对象"),
}


def _json_type_ok(prop: Mapping[str, Any], value: Any) -> bool:
    kind = prop.get("type")
    if value is None:
        return True  # treated as absent
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return True


def _split_json(
    schema: Mapping[str, Any], data: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], dict[str, str]]:
    values, type_errors = {}, {}
    for name, prop in schema["properties"].items():
        if name in skip or name not in data:
            continue
        value = data[name]
        if _json_type_ok(prop, value):
            if value is not None:
                values[name] = value
        else:
            type_errors[name] = str(_TYPE_MESSAGES.get(prop.get("type"), gettext_lazy("类型不正确")))
    return values, type_errors


# --- the bound form --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One property in schema order, for templates: a field (``field``: BoundField) or a formset."""

    name: str
    field: djforms.BoundField | None = None
    formset: djforms.BaseFormSet | None = None


class BoundTaskForm:
    """A task form with its formsets. ``data`` is HTML form data (``request.POST``); for JSON use ``from_json``.

    ``initial`` is JSON-shaped task data (e.g. a saved draft) used to pre-fill an unbound form.
    """

    def __init__(
        self,
        form_key: str,
        data: Mapping[str, Any] | None = None,
        *,
        initial: Mapping[str, Any] | None = None,
        prefix: str | None = None,
        _type_errors: Mapping[str, str] | None = None,
        _row_type_errors: Mapping[str, Mapping[int, Mapping[str, str]]] | None = None,
        _json_rows: bool = False,
    ):
        self.spec = form_spec(form_key)
        self.form_key = form_key
        initial = dict(initial or {})
        form_initial = {k: v for k, v in initial.items() if k not in self.spec.formset_classes}
        self.form = self.spec.form_class(data=data, initial=form_initial, prefix=prefix, type_errors=_type_errors)
        self.formsets: dict[str, djforms.BaseFormSet] = {}
        for name, formset_class in self.spec.formset_classes.items():
            rows = initial.get(name) if isinstance(initial.get(name), list) else None
            self.formsets[name] = formset_class(
                data=data,
                initial=rows,
                prefix=f"{prefix}-{name}" if prefix else name,
                row_type_errors=(_row_type_errors or {}).get(name),
                json_rows=_json_rows,
            )
        self._shape_errors: dict[str, list[str]] = {}
        self._row_rule_errors: dict[str, list[str]] | None = None

    @classmethod
    def from_json(cls, form_key: str, data: Mapping[str, Any], *, prefix: str | None = None) -> BoundTaskForm:
        spec = form_spec(form_key)
        if not isinstance(data, Mapping):
            bound = cls(form_key, None, prefix=prefix)  # unbound: the only error is the shape
            bound._shape_errors[NON_FIELD] = [str(_TYPE_MESSAGES["object"])]
            return bound
        form_data, type_errors = _split_json(spec.schema, data, skip=frozenset(spec.formset_classes))
        if prefix:
            form_data = {f"{prefix}-{k}": v for k, v in form_data.items()}
        row_errors: dict[str, dict[int, dict[str, str]]] = {}
        shape_errors: dict[str, list[str]] = {}
        for name in spec.formset_classes:
            formset_prefix = f"{prefix}-{name}" if prefix else name
            rows = data.get(name)
            if rows is None:
                rows = []
            if not isinstance(rows, list):
                shape_errors[name] = [str(_TYPE_MESSAGES["array"])]
                rows = []
            item_schema = spec.schema["properties"][name]["items"]
            form_data[f"{formset_prefix}-TOTAL_FORMS"] = str(len(rows))
            form_data[f"{formset_prefix}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    shape_errors[f"{name}.{index}"] = [str(_TYPE_MESSAGES["object"])]
                    row = {}
                values, errors = _split_json(item_schema, row)
                if errors:
                    row_errors.setdefault(name, {})[index] = errors
                for key, value in values.items():
                    form_data[f"{formset_prefix}-{index}-{key}"] = value
        bound = cls(
            form_key, form_data, prefix=prefix, _type_errors=type_errors, _row_type_errors=row_errors, _json_rows=True
        )
        bound._shape_errors = shape_errors
        return bound

    # -- validation --

    def is_valid(self) -> bool:
        results = [self.form.is_valid()] + [formset.is_valid() for formset in self.formsets.values()]
        if not all(results) or self._shape_errors:
            return False
        return self._rows_match_items()

    def _rows_match_items(self) -> bool:
        """The ``rows_per_item`` rules; their errors go with the formset's own (shown above its rows)."""
        if self._row_rule_errors is None:
            self._row_rule_errors = {}
            for rule in self.form.schema_rules:
                if rule["rule"] != "rows_per_item":
                    continue
                formset, items = self.formsets[rule["field"]], self.form.cleaned_data.get(rule["of"]) or []
                rows = sum(1 for form in formset.forms
                           if form.cleaned_data and not (formset.can_delete and formset._should_delete_form(form)))
                if rows != len(items):
                    names = {"field": formset.label, "of": self.form.fields[rule["of"]].label}
                    message = rule.get("message")
                    text = gettext(message) if message else gettext("「%(field)s」应逐项对应「%(of)s」") % names
                    counted = gettext("（%(of)s %(items)d 项，%(field)s %(rows)d 行）") % {
                        **names, "items": len(items), "rows": rows}
                    self._row_rule_errors[rule["field"]] = [text + counted]
                    formset.non_form_errors().extend(self._row_rule_errors[rule["field"]])
        return not self._row_rule_errors

    def errors_by_field(self) -> dict[str, list[str]]:
        """Field errors as plain strings; empty when valid. Keys: see the module docstring."""
        errors: dict[str, list[str]] = {}
        for name, messages in self.form.errors.items():
            errors[name] = [str(m) for m in messages]
        for name, formset in self.formsets.items():
            if not formset.is_bound:
                continue
            non_form = [str(m) for m in formset.non_form_errors()]
            if non_form:
                errors[name] = non_form
            for index, form in enumerate(formset.forms):
                if formset.can_delete and formset._should_delete_form(form):
                    continue
                for field, messages in form.errors.items():
                    key = f"{name}.{index}" if field == NON_FIELD else f"{name}.{index}.{field}"
                    errors[key] = [str(m) for m in messages]
        for key, messages in self._shape_errors.items():
            errors[key] = list(messages)
        return errors

    def cleaned_data(self) -> dict[str, Any]:
        """JSON-ready data; call after ``is_valid()`` returned True."""
        if not self.is_valid():
            raise TaskFormInvalid(self.form_key, self.errors_by_field())
        result = _json_ready(self.form.cleaned_data, self.spec.schema)
        for name, formset in self.formsets.items():
            item_schema = self.spec.schema["properties"][name]["items"]
            rows = [
                _json_ready(form.cleaned_data, item_schema)
                for form in formset.forms
                if form.cleaned_data and not (formset.can_delete and formset._should_delete_form(form))
            ]
            if rows or name in (self.spec.schema.get("required") or []):
                result[name] = rows
        return {name: result[name] for name in self.spec.order if name in result}

    # -- rendering --

    def entries(self) -> Iterator[Entry]:
        """Fields and formsets in schema order (templates loop over this)."""
        for name in self.spec.order:
            if name in self.formsets:
                yield Entry(name=name, formset=self.formsets[name])
            else:
                yield Entry(name=name, field=self.form[name])

    @property
    def title(self) -> Any:
        return _lazy(self.spec.title)


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal(1).scaleb(-MONEY_PLACES)))
    if isinstance(value, Promise):
        return str(value)
    return value


def _json_ready(cleaned: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    result = {}
    for name, prop in schema["properties"].items():
        if name not in cleaned:
            continue
        value = cleaned[name]
        if prop.get("type") == "boolean":
            result[name] = bool(value)
        elif prop.get("type") == "array":
            if value or name in (schema.get("required") or []):
                result[name] = list(value)
        elif value not in (None, ""):
            result[name] = _json_value(value)
    return result


# --- the functional API ----------------------------------------------------------------------------------------------


def bind(form_key: str, data: Mapping[str, Any] | None = None, **kwargs: Any) -> BoundTaskForm:
    """The portal's entry point: ``bind(key)`` to show, ``bind(key, request.POST)`` to submit."""
    return BoundTaskForm(form_key, data, **kwargs)


def validate(form_key: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors (Chinese messages) for JSON task data; empty when valid. ``KeyError`` for an unknown key."""
    bound = BoundTaskForm.from_json(form_key, data)
    bound.is_valid()
    return bound.errors_by_field()


def clean(form_key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready cleaned data for JSON task data, or ``TaskFormInvalid`` carrying the errors of ``validate``."""
    bound = BoundTaskForm.from_json(form_key, data)
    if not bound.is_valid():
        raise TaskFormInvalid(form_key, bound.errors_by_field())
    return bound.cleaned_data()
