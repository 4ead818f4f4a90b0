"""The texts of the data files that the portal shows through gettext, collected for the message catalogue.

``makemessages`` reads Python and templates only, so the texts that live in data files never reach the catalogue on
their own: form schemas (every ``title``, ``description`` and ``message`` anywhere in a schema, ``enumNames`` and the
values of ``x-messages``), the names of BPMN elements (processes, pools, lanes and flow elements), the human-readable
string outputs of DMN tables (rule versions, bases, authorities) and the program names. ``manage.py form_messages``
writes them into ``forms/data_messages.py`` as ``gettext_noop`` calls, one per text, which makemessages extracts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree

from forms import registry

__all__ = [
    "MODULE",
    "Sources",
    "bpmn_texts",
    "collect",
    "dmn_texts",
    "program_texts",
    "render",
    "schema_texts",
]

MODULE = Path(__file__).resolve().parents[1] / "data_messages.py"
REGENERATE = "python manage.py form_messages"
TEXT_KEYS = ("title", "description", "message")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SOURCES_SHOWN = 3
_STRING_OUTPUT = re.compile(r'^"([^"\\]*)"$')
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)


@dataclass(frozen=True)
class Sources:
    """Where the data files are. ``base`` is the folder the comments' paths are relative to."""

    base: Path
    schema_dirs: tuple[Path, ...]
    workflows: Path
    programs: Path

    @classmethod
    def of_project(cls) -> Sources:
        workflows = Path(settings.WORKFLOWS_DIR)
        return cls(
            base=Path(settings.BASE_DIR),
            schema_dirs=(registry.SCHEMA_DIR, *sorted(workflows.glob("*/forms"))),
            workflows=workflows,
            programs=Path(settings.BASE_DIR) / "portal" / "cases" / "data" / "programs.json",
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def schema_texts(schema: Any) -> Iterator[str]:
    """Every text of a form schema, at any depth (properties, array items, ``x-rules``, ``x-figures``, …)."""
    if isinstance(schema, list):
        for item in schema:
            yield from schema_texts(item)
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        if key in TEXT_KEYS and _text(value):
            yield value
        elif key == "enumNames" and isinstance(value, list):
            yield from (name for name in value if _text(name))
        elif key == "x-messages" and isinstance(value, Mapping):
            yield from (message for message in value.values() if _text(message))
        else:
            yield from schema_texts(value)


def bpmn_texts(source: bytes) -> Iterator[str]:
    """The ``name`` of every BPMN element: processes, pools, lanes, tasks, events, gateways and flows."""
    root = etree.fromstring(source, _PARSER)
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        name = _text(element.get("name"))
        if name:
            yield name


def dmn_texts(source: bytes) -> Iterator[str]:
    """Output entries of DMN tables that are string literals in words (not codes such as ``"township"``)."""
    root = etree.fromstring(source, _PARSER)
    for entry in root.iter("{*}outputEntry"):
        text = entry.find("{*}text")
        match = _STRING_OUTPUT.match((text.text or "").strip()) if text is not None else None
        if match and _NOT_ASCII.search(match.group(1)) and _text(match.group(1)):
            yield match.group(1)


def program_texts(data: Any) -> Iterator[str]:
    """The names of the programs in ``programs.json``."""
    for program in data.get("programs", []) if isinstance(data, Mapping) else []:
        name = _text(program.get("name")) if isinstance(program, Mapping) else None
        if name:
            yield name


def _files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern)) if directory.is_dir() else []


def collect(sources: Sources) -> dict[str, set[str]]:
    """Each text and the files (relative to ``sources.base``) it comes from."""
    found: dict[str, set[str]] = {}

    def add(texts: Iterable[str], path: Path) -> None:
        where = path.resolve().relative_to(sources.base.resolve()).as_posix()
        for text in texts:
            found.setdefault(text, set()).add(where)

    for directory in sources.schema_dirs:
        for path in _files(directory, "*.json"):
            add(schema_texts(json.loads(path.read_text(encoding="utf-8"))), path)
    for path in _files(sources.workflows, "**/*.bpmn"):
        add(bpmn_texts(path.read_bytes()), path)
    for path in _files(sources.workflows, "**/*.dmn"):
        add(dmn_texts(path.read_bytes()), path)
    if sources.programs.is_file():
        add(program_texts(json.loads(sources.programs.read_text(encoding="utf-8"))), sources.programs)
    return found


def _literal(text: str) -> str:
    # A JSON string is a valid Python string literal, double-quoted as makemessages expects.
    return json.dumps(text, ensure_ascii=False)


def _comment(paths: set[str]) -> str:
    shown = sorted(paths)[:SOURCES_SHOWN]
    more = len(paths) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more else "")


def render(found: Mapping[str, set[str]]) -> str:
    """The module ``forms/data_messages.py``: one ``gettext_noop`` line per text, sorted, with its source files."""
    lines = [
        '"""Texts of the data files that the portal shows through gettext, so that makemessages puts them in the',
        "catalogue: form schemas, BPMN element names, DMN string outputs and program names.",
        "",
        f"Generated by ``{REGENERATE}`` (see forms/management/data_texts.py): do not edit; a test fails when",
        "it is out of date.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        "from django.utils.translation import gettext_noop",
        "",
    ]
    lines += [f"gettext_noop({_literal(text)})  # {_comment(found[text])}" for text in sorted(found)]
    return "\n".join(lines) + "\n"
