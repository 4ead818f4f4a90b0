"""What a task form takes from the process data: values to pre-fill, and figures to show beside it.

Both are declared in the form's schema, so the task page needs no per-programme table:

* a property may say where its initial value comes from, ``"x-prefill": "dibao.amount"`` (a dotted path into the
  task data). A number is taken only if it is positive — an amount the process computed, which the reviewer may
  change; a string only if it is not empty. Anything else leaves the field empty.
* the form may list figures the process computed for the person deciding, ``"x-figures": [{"from":
  "medical_amount.rate", "title": "救助比例"}]``, shown in order; a figure absent from the data is left out.
  Titles go through gettext when shown, like every schema text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from . import registry
from .renderer import SchemaError

PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _path(form_key: str, where: str, path: object) -> list[str]:
    if not isinstance(path, str) or not PATH.match(path):
        raise SchemaError(f"{form_key}.{where}: {path!r} is not a dotted path of names in the task data")
    return path.split(".")


def _lookup(data: Mapping[str, Any], keys: list[str]) -> object:
    value: object = data
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _usable(value: object, kind: object) -> bool:
    if kind in ("number", "integer"):
        return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if kind == "string":
        return isinstance(value, str) and bool(value.strip())
    return False


def prefill(form_key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Initial values of the form's fields from the task data, as their ``x-prefill`` paths say."""
    initial = {}
    for name, prop in (registry.schema(form_key).get("properties") or {}).items():
        if not isinstance(prop, Mapping) or "x-prefill" not in prop:
            continue
        value = _lookup(data, _path(form_key, f"{name}.x-prefill", prop["x-prefill"]))
        if _usable(value, prop.get("type")):
            initial[name] = value
    return initial


def figures(form_key: str, data: Mapping[str, Any]) -> list[tuple[str | Promise, Any]]:
    """(label, value) of each figure the form lists that the task data holds."""
    declared = registry.schema(form_key).get("x-figures") or []
    if not isinstance(declared, list):
        raise SchemaError(f"{form_key}.x-figures: should be a list of {{from, title}}")
    shown = []
    for index, figure in enumerate(declared):
        if not isinstance(figure, Mapping) or not isinstance(figure.get("title"), str) or not figure["title"]:
            raise SchemaError(f"{form_key}.x-figures[{index}]: should be {{\"from\": path, \"title\": text}}")
        value = _lookup(data, _path(form_key, f"x-figures[{index}].from", figure.get("from")))
        if value is not None and not isinstance(value, Mapping | list):
            shown.append((gettext_lazy(figure["title"]), value))
    return shown
