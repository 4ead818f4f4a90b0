"""Known form keys and their JSON Schemas. The deploy lint asks ``form_exists``; the portal renders ``schema``."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


@cache
def _index() -> dict[str, Path]:
    return {path.stem: path for path in sorted(SCHEMA_DIR.glob("*.json")) if _KEY.match(path.stem)}


def form_keys() -> list[str]:
    return sorted(_index())


def form_exists(form_key: str) -> bool:
    return form_key in _index()


@cache
def schema(form_key: str) -> dict[str, Any]:
    try:
        path = _index()[form_key]
    except KeyError:
        raise KeyError(f"unknown form key '{form_key}'") from None
    return json.loads(path.read_text(encoding="utf-8"))
