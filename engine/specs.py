"""Parsed specs per definition version, cached: parsing BPMN is far slower than running it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .errors import DeployError
from .models import ProcessDefinition
from .parsing import ParsedFile, read_file, spiff_parser

CACHE_SIZE = 256


@dataclass(frozen=True)
class LoadedSpec:
    definition_id: int
    key: str
    spec: Any
    subprocess_specs: dict[str, Any]
    lane_roles: dict[str, dict[str, str]]

    def role_for(self, process_id: str, lane: str | None) -> str | None:
        if not lane:
            return None
        return self.lane_roles.get(process_id, {}).get(lane)


_cache: OrderedDict[int, LoadedSpec] = OrderedDict()
_lock = threading.Lock()


def parsed_definition(definition: ProcessDefinition) -> ParsedFile:
    parsed, problems = read_file(definition.source_path or definition.key, definition.source)
    if parsed is None:
        raise DeployError(problems)
    return parsed


def dependency_definitions(definition: ProcessDefinition) -> list[ProcessDefinition]:
    ids = [dep["id"] for dep in definition.dependencies.values()]
    return list(ProcessDefinition.objects.filter(pk__in=ids)) if ids else []


def _cached(definition_id: int) -> LoadedSpec | None:
    with _lock:
        loaded = _cache.get(definition_id)
        if loaded is not None:
            _cache.move_to_end(definition_id)
        return loaded


def load_by_id(definition_id: int) -> LoadedSpec:
    """The parsed spec of a definition version; reads the database only on a cache miss."""
    return _cached(definition_id) or load(ProcessDefinition.objects.get(pk=definition_id))


def load(definition: ProcessDefinition) -> LoadedSpec:
    loaded = _cached(definition.pk)
    if loaded is not None:
        return loaded
    deps = dependency_definitions(definition)
    parser = spiff_parser([parsed_definition(d) for d in [definition, *deps]])
    lane_roles: dict[str, dict[str, str]] = {}
    for d in [*deps, definition]:
        lane_roles.update(d.lane_roles)
    loaded = LoadedSpec(
        definition_id=definition.pk,
        key=definition.key,
        spec=parser.get_spec(definition.key),
        subprocess_specs=parser.get_subprocess_specs(definition.key),
        lane_roles=lane_roles,
    )
    with _lock:
        _cache[definition.pk] = loaded
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


def clear_cache() -> None:
    with _lock:
        _cache.clear()
