"""Service task operators: the only way a BPMN file reaches Python code.

A BPMN service task names an operator (``spiffworkflow:serviceTaskOperator id="..."``) and passes
parameters as expressions over task data. Operators are registered Python functions with declared
parameters; deploy refuses unknown operators and undeclared or missing parameters, and the engine
calls the function with the evaluated values. The return value must be JSON data; it is stored in
the task's result variable.

    @operator("calculate_amount", params={"standard": float, "income": float}, label="计算金额")
    def calculate_amount(*, standard: float, income: float, context: OperatorContext) -> dict: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import EngineError


@dataclass(frozen=True)
class OperatorContext:
    """What an operator knows about where it runs (never the raw workflow).

    ``record_event(kind, payload, actor=None)`` appends to the instance's audit chain inside the
    running action's transaction (None when the operator runs outside an instance).
    """

    instance_id: int | None
    process_key: str
    jurisdiction: str
    task_spec: str
    business_key: str = ""
    record_event: Callable[..., Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Param:
    name: str
    type: type | tuple[type, ...] = object
    required: bool = True


@dataclass(frozen=True)
class Operator:
    name: str
    func: Callable[..., Any]
    params: dict[str, Param] = field(default_factory=dict)
    label: str = ""

    def check_arguments(self, given: set[str]) -> list[str]:
        problems = [f"unknown parameter '{p}'" for p in sorted(given - set(self.params))]
        missing = [p for p, spec in self.params.items() if spec.required and p not in given]
        problems.extend(f"missing parameter '{p}'" for p in missing)
        return problems


class OperatorError(EngineError):
    pass


class OperatorRefusal(OperatorError):
    """A rule of the programme says no (a care home short of carers, a reserve fund overdrawn).

    The message is written for the member of staff who submitted the task: it is shown to them as it
    is, as the reason the submission was not accepted, not as a fault of the process.
    """


_REGISTRY: dict[str, Operator] = {}
_generation = 0  # changes whenever the registry does (what a file's lint result depends on)


def operator(
    name: str,
    *,
    params: dict[str, type | tuple[type, ...] | Param] | None = None,
    label: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func`` as the operator ``name``. Parameters map a name to a type or a ``Param``."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        declared = {
            key: spec if isinstance(spec, Param) else Param(key, spec) for key, spec in (params or {}).items()
        }
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func is not func:
            raise OperatorError(f"operator '{name}' is registered twice")
        global _generation
        _REGISTRY[name] = Operator(name=name, func=func, params=declared, label=label)
        _generation += 1
        return func

    return register


def unregister(name: str) -> None:
    global _generation
    _REGISTRY.pop(name, None)
    _generation += 1


def generation() -> int:
    """A number that changes whenever an operator is registered or unregistered."""
    return _generation


def get(name: str) -> Operator:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise OperatorError(f"unknown service operator '{name}'") from None


def registered() -> dict[str, Operator]:
    return dict(_REGISTRY)


def call(name: str, arguments: dict[str, Any], context: OperatorContext) -> Any:
    op = get(name)
    problems = op.check_arguments(set(arguments))
    for key, value in arguments.items():
        expected = op.params[key].type if key in op.params else object
        if value is not None and not isinstance(value, expected):
            problems.append(f"parameter '{key}' should be {getattr(expected, '__name__', expected)}")
    if problems:
        raise OperatorError(f"operator '{name}': " + "; ".join(problems))
    return op.func(context=context, **arguments)
