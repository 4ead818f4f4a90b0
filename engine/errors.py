"""Exceptions raised by the engine's public API."""

from collections.abc import Iterator
from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every error the engine reports to its callers."""


@dataclass(frozen=True)
class Problem:
    """One reason a definition was refused, pointing at the element it concerns."""

    file: str
    element: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.element}" if self.element else self.file
        return f"{where}: {self.message}"


class DeployError(EngineError):
    """A definition was refused; ``problems`` lists every reason, none of it was deployed."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DefinitionNotFound(EngineError):
    pass


class InstanceNotFound(EngineError):
    pass


class TaskNotFound(EngineError):
    pass


class TaskConflict(EngineError):
    """The task was completed, withdrawn or claimed by someone else since the caller looked at it."""


class TaskForbidden(EngineError):
    """The actor may not act on this task (not in its group, or a separation-of-duties rule)."""


class InstanceNotRunning(EngineError):
    pass


class ProcessError(EngineError):
    """The process itself failed while running (a script error, an operator failure).

    The action that triggered it is rolled back; the instance stays as it was before. ``refusal`` is
    the message of an operator's refusal (``operators.OperatorRefusal``) that caused it, if any: a
    reason for the user rather than a fault.
    """

    def __init__(self, message: str, *, refusal: str | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal


def causes(err: BaseException) -> Iterator[BaseException]:
    """``err`` and what caused it, nearest first: the exception a SpiffWorkflow ``WorkflowTaskException`` wraps,
    else ``__cause__`` or ``__context__``; each once, so a cycle ends."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "exception", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__ or current.__context__
