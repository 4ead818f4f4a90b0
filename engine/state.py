"""Workflow state ⇄ JSON, without the spec.

SpiffWorkflow's serializer writes the whole parsed spec into every instance; parsing specs is the
slow part of restoring one. Here the state keeps only task states and data, and restoring takes
the parsed spec from ``engine.specs``' cache. Restored workflows always get the sandboxed script
engine.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .script_engine import SANDBOX
from .specs import LoadedSpec


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec=None, subprocess_specs=None) -> BpmnWorkflow:  # noqa: ANN001
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value: str):  # noqa: ANN202
    from uuid import UUID

    return UUID(value)


def _registry() -> DefaultRegistry:
    registry = DefaultRegistry()
    # Task data may hold dates and Decimals (expression helpers return them).
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer.configure(config, registry)


_SERIALIZER = BpmnWorkflowSerializer(registry=_registry())


def new_workflow(loaded: LoadedSpec) -> BpmnWorkflow:
    return BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=SANDBOX)


def dumps(workflow: BpmnWorkflow) -> str:
    return _SERIALIZER.serialize_json(workflow)


def loads(state: str, loaded: LoadedSpec) -> BpmnWorkflow:
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    workflow = _SERIALIZER.from_dict(dct, spec=loaded.spec, subprocess_specs=loaded.subprocess_specs)
    workflow.script_engine = SANDBOX
    return workflow
