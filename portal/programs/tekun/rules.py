"""Read the deployed tekun rule tables outside a process (the care-home page shows the staffing ratios).

The table is the active version of the deployed decision, evaluated by SpiffWorkflow's DMN engine with the
engine's sandboxed expression language, exactly as a business rule task of the process evaluates it.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from engine.models import ProcessDefinition
from engine.parsing import spiff_parser
from engine.script_engine import SANDBOX
from engine.specs import parsed_definition


class RuleNotFound(LookupError):
    pass


def decide(decision_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The outputs of the deployed decision table ``decision_id`` for ``data`` ({} when no row matches)."""
    definition = (ProcessDefinition.objects.filter(key=decision_id, kind=ProcessDefinition.Kind.DMN,
                                                   status=ProcessDefinition.Status.ACTIVE)
                  .order_by("-version").first())
    if definition is None:
        raise RuleNotFound(f"decision table '{decision_id}' is not deployed")
    engine = _engine(definition.pk, definition.sha256, decision_id)
    task = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=SANDBOX))
    return engine.result(task)


@lru_cache(maxsize=32)
def _engine(definition_pk: int, sha256: str, decision_id: str) -> Any:  # noqa: ANN401 - SpiffWorkflow's DMNEngine
    # A deployed version never changes (the hash is in the key all the same), so its parsed table is kept.
    definition = ProcessDefinition.objects.get(pk=definition_pk, sha256=sha256)
    return spiff_parser([parsed_definition(definition)]).get_engine(decision_id, None)


def policy(county: str, as_of: str) -> dict[str, Any]:
    return decide("tekun_policy", {"county": county, "as_of": as_of})
