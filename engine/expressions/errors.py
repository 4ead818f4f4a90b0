"""Exceptions raised by the expression language.

Every exception is an :class:`ExpressionError` (itself a ``ValueError``) carrying ``reason`` (a
human-readable explanation, safe to show to the BPMN author: it never contains task data values)
and ``source`` (the expression or script text that failed).
"""

from __future__ import annotations

from collections.abc import Sequence


class ExpressionError(ValueError):
    """Base class: the expression could not be checked or evaluated."""

    def __init__(self, reason: str, source: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.source = source

    def __str__(self) -> str:
        return self.reason

    def with_prefix(self, prefix: str) -> ExpressionError:
        """Prepend location information (``line 3: ``) to the reason, once."""
        if not getattr(self, "_prefixed", False):
            self.reason = f"{prefix}{self.reason}"
            self.args = (self.reason,)
            self._prefixed = True
        return self


class ExpressionSyntaxError(ExpressionError, SyntaxError):
    """The source does not parse.

    Also a ``SyntaxError`` because SpiffWorkflow's DMN engine decides whether a cell needs an
    implicit ``==`` by catching ``SyntaxError`` from ``script_engine.validate()``.
    """

    def __init__(
        self, reason: str, source: str = "", lineno: int | None = None, offset: int | None = None
    ) -> None:
        ExpressionError.__init__(self, reason, source)
        # SyntaxError's own __init__ is bypassed by the MRO; fill in its fields by hand.
        self.msg = reason
        self.lineno = lineno
        self.offset = offset
        self.text = source
        self.filename = "<expression>"


class ExpressionRefused(ExpressionError):
    """The source parses but uses constructs outside the whitelist (static check failed)."""

    def __init__(self, problems: Sequence[str], source: str = "") -> None:
        self.problems = list(problems)
        super().__init__("expression refused: " + "; ".join(self.problems), source)


class ExpressionLimitExceeded(ExpressionError):
    """A time, size, step or nesting limit was hit."""


class ExpressionNameError(ExpressionError, NameError):
    """A name is neither in the task data / context nor a helper function."""

    def __init__(self, name: str, source: str = "") -> None:
        super().__init__(f"name '{name}' is not defined", source)
        self.name = name
