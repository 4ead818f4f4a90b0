"""Known form keys and their JSON Schemas. The deploy lint asks ``form_exists``; the portal renders ``schema``.

Schemas live in ``forms/schemas/<key>.json`` (shared forms) and ``workflows/<program>/forms/<key>.json``
(a program's own forms). A schema may extend another with ``"x-extends": "<key>"``: it gets the base's
properties (its own added after them, or replacing a base property of the same name), ``required`` and
``x-rules``; its own title and description win.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_EXTENDS_DEPTH = 5


def _program_form_dirs() -> list[Path]:
    from django.conf import settings

    return sorted(Path(settings.WORKFLOWS_DIR).glob("*/forms"))


@cache
def _index() -> dict[str, Path]:
    index: dict[str, Path] = {}
    for directory in [SCHEMA_DIR, *_program_form_dirs()]:
        for path in sorted(directory.glob("*.json")):
            if not _KEY.match(path.stem):
                continue
            if path.stem in index:
                raise ValueError(f"form key '{path.stem}' is defined twice: {index[path.stem]} and {path}")
            index[path.stem] = path
    return index


def form_keys() -> list[str]:
    return sorted(_index())


def form_exists(form_key: str) -> bool:
    return form_key in _index()


def _extended(own: dict[str, Any], depth: int) -> dict[str, Any]:
    base_key = own.get("x-extends")
    if not base_key:
        return own
    if depth >= MAX_EXTENDS_DEPTH:
        raise ValueError(f"x-extends chain is deeper than {MAX_EXTENDS_DEPTH} (a cycle?)")
    base = _load(base_key, depth + 1)
    merged = {**base, **{k: v for k, v in own.items() if k != "x-extends"}}
    merged["properties"] = {**base.get("properties", {}), **own.get("properties", {})}
    merged["required"] = list(dict.fromkeys([*base.get("required", []), *own.get("required", [])]))
    merged["x-rules"] = [*base.get("x-rules", []), *own.get("x-rules", [])]
    return merged


def _load(form_key: str, depth: int = 0) -> dict[str, Any]:
    try:
        path = _index()[form_key]
    except KeyError:
        raise KeyError(f"unknown form key '{form_key}'") from None
    return _extended(json.loads(path.read_text(encoding="utf-8")), depth)


@cache
def schema(form_key: str) -> dict[str, Any]:
    return _load(form_key)
