"""Evaluating a deployed DMN decision directly, outside any process.

``evaluate(key, inputs, on=None)`` answers with the version of decision ``key`` in effect at ``on`` (default now):
the highest ``active`` DMN version whose ``effective_from`` is unset or not later than ``on`` — the same choice
``runtime.current_definition`` makes for a process. The table runs in SpiffWorkflow's ``DMNEngine`` with the
engine's sandboxed expression language (``script_engine.SANDBOX``), exactly as a business rule task of a process
runs it; no cell is ever given to ``eval``.

What comes back is a :class:`Decision`: ``outputs`` is what SpiffWorkflow's engine returns, and the rest says
which version answered and which rows matched, for the caller's audit record (``Decision.audit()``).

* Hit policy ``UNIQUE``: the outputs of the first matching rule, ``{output name: value}``. SpiffWorkflow stops at
  the first match and does not check that no later rule matches too (the rules tests check the tables for that).
* Hit policy ``COLLECT``: ``{output name: [value of each matching rule, in table order]}``.
* No rule matches: :class:`NoMatchingRule`, whatever the hit policy (SpiffWorkflow itself would return ``{}``).

Errors are :class:`DecisionError` (an ``EngineError``): :class:`DecisionNotFound` when no version of the key is in
effect, :class:`NoMatchingRule`, and ``DecisionError`` itself when the inputs are not a mapping of names or a cell
cannot be evaluated with them (a missing input, a type mismatch, an expression the sandbox refuses). Messages name
the decision, its version and the expression, never the input values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import DefinitionNotFound, EngineError, causes
from .expressions import ExpressionError
from .models import ProcessDefinition
from .parsing import spiff_parser
from .script_engine import SANDBOX
from .specs import parsed_definition

CACHE_SIZE = 128


class DecisionError(EngineError):
    """A decision could not be evaluated for the given inputs."""

    def __init__(self, message: str, *, key: str, version: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.version = version


class DecisionNotFound(DecisionError, DefinitionNotFound):
    """No version of the decision is deployed and in effect."""


class NoMatchingRule(DecisionError):
    """No rule of the table matches the inputs (e.g. a county or date the rules do not cover)."""


@dataclass(frozen=True)
class Decision:
    """What a decision table answered, and which deployed version answered it."""

    key: str
    version: int
    definition_id: int
    sha256: str
    outputs: dict[str, Any]
    rules: tuple[str, ...]  # ids of the matching rules, in table order

    def audit(self) -> dict[str, Any]:
        """The provenance to put in an audit payload: decision, version, content hash and the rules that matched."""
        return {"decision": self.key, "version": self.version, "definition_id": self.definition_id,
                "sha256": self.sha256, "rules": list(self.rules)}


class _RecordingEngine(DMNEngine):
    """SpiffWorkflow's engine over a parsed table, remembering which rules matched. One per evaluation: the
    parsed table is shared between threads, this object is not."""

    matched: list[Any]

    def decide(self, task: Any) -> list[Any]:  # noqa: ANN401 - SpiffWorkflow's task
        self.matched = super().decide(task)
        return self.matched


class _DecisionTask:
    """The task SpiffWorkflow's DMN engine reads: the input data and the workflow's (sandboxed) script engine, with
    the few attributes its error reporting reads."""

    def __init__(self, definition: ProcessDefinition, data: dict[str, Any]) -> None:
        self.data = data
        self.task_spec = SimpleNamespace(name=definition.key, bpmn_id=definition.key, bpmn_name=definition.name)
        self.workflow = SimpleNamespace(script_engine=SANDBOX,
                                        spec=SimpleNamespace(file=definition.source_path or definition.key))
        self.workflow.top_workflow = self.workflow


_tables: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()


def in_effect(key: str, *, on: datetime | None = None) -> ProcessDefinition:
    """The version of decision ``key`` that answers at ``on`` (default now)."""
    moment = on or timezone.now()
    definition = (
        ProcessDefinition.objects.filter(key=key, kind=ProcessDefinition.Kind.DMN,
                                         status=ProcessDefinition.Status.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=moment))
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise DecisionNotFound(f"no deployed decision '{key}' is in effect", key=key)
    return definition


def _table(definition: ProcessDefinition) -> Any:  # noqa: ANN401 - SpiffWorkflow's DecisionTable
    # A deployed version never changes; its content hash identifies the parsed table (ids repeat in tests).
    cache_key = f"{definition.key}:{definition.sha256}"
    with _lock:
        table = _tables.get(cache_key)
        if table is not None:
            _tables.move_to_end(cache_key)
            return table
    table = spiff_parser([parsed_definition(definition)]).get_engine(definition.key, None).decision_table
    with _lock:
        _tables[cache_key] = table
        while len(_tables) > CACHE_SIZE:
            _tables.popitem(last=False)
    return table


def _failure_text(err: BaseException) -> str:
    """SpiffWorkflow's message and notes (expression, row) and the sandbox's reason under them, if any."""
    notes = [n for n in getattr(err, "notes", []) if isinstance(n, str) and n.strip()]
    text = "; ".join([str(err.args[0]) if err.args else type(err).__name__, *notes])
    reason = next((cause.reason for cause in causes(err) if isinstance(cause, ExpressionError)), None)
    if reason is not None and reason not in text:
        return f"{text}: {reason}"
    return text


def _check_inputs(key: str, inputs: Any) -> dict[str, Any]:  # noqa: ANN401 - checked here
    if not isinstance(inputs, Mapping) or not all(isinstance(k, str) and not k.startswith("_") for k in inputs):
        raise DecisionError(f"inputs of decision '{key}' must be a mapping of names (not starting with '_') "
                            "to values", key=key)
    return dict(inputs)


def evaluate(key: str, inputs: Mapping[str, Any], *, on: datetime | None = None) -> Decision:
    """Evaluate the version of decision ``key`` in effect at ``on`` (default now) with ``inputs``."""
    data = _check_inputs(key, inputs)
    definition = in_effect(key, on=on)
    try:
        engine = _RecordingEngine(_table(definition))
        outputs = engine.result(_DecisionTask(definition, data))
    except (SpiffWorkflowException, ExpressionError) as err:
        raise DecisionError(f"decision '{key}' v{definition.version}: {_failure_text(err)}", key=key,
                            version=definition.version) from err
    if not engine.matched:
        raise NoMatchingRule(f"no rule of decision '{key}' v{definition.version} matches the inputs", key=key,
                             version=definition.version)
    return Decision(key=definition.key, version=definition.version, definition_id=definition.pk,
                    sha256=definition.sha256, outputs=dict(outputs), rules=tuple(r.id for r in engine.matched))


def clear_cache() -> None:
    with _lock:
        _tables.clear()
