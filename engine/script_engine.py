"""Plugs the sandboxed expression language into SpiffWorkflow in place of ``eval``/``exec``.

Every workflow the engine builds or restores gets ``SANDBOX`` as its script engine (see
``engine.state``); SpiffWorkflow then routes scripts, conditions, timer and multi-instance
expressions, DMN cells and service-task calls through here.
"""

from __future__ import annotations

import json
from collections import ChainMap
from dataclasses import replace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import expressions, operators


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        names = ChainMap(external_context, context) if external_context else context
        return expressions.evaluate(expression, names)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        expressions.execute(script, context, context=external_context or None)
        return True


class SandboxScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=SandboxEnvironment())

    def validate(self, expression: str) -> None:
        # DMNEngine calls this to learn whether a cell parses on its own (a SyntaxError otherwise).
        expressions.parse_or_raise(expression)

    def execute(self, task, script, external_context=None):  # noqa: ANN001 - SpiffWorkflow's signature
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except expressions.ExpressionError as err:
            raise WorkflowTaskException(f"script failed: {err.reason}", task=task, exception=err) from err

    def call_service(self, task, operation_name: str, operation_params: dict, **_: Any) -> str:  # noqa: ANN001
        context = getattr(task.workflow.top_workflow, "doudi_context", None) or operators.OperatorContext(
            instance_id=None, process_key="", jurisdiction="", task_spec=task.task_spec.bpmn_id or ""
        )
        context = replace(context, task_spec=task.task_spec.bpmn_id or task.task_spec.name)
        arguments = {name: param["value"] for name, param in operation_params.items()}
        try:
            result = operators.call(operation_name, arguments, context)
        except operators.OperatorError as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
        return json.dumps(result, cls=DjangoJSONEncoder)


SANDBOX = SandboxScriptEngine()
