"""Resource limits for checking and evaluating expressions."""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

# The time budget counts this thread's CPU time, not the wall clock: a busy machine (other
# processes, a worker sharing the cores) must not make a legitimate expression fail.
cpu_clock = time.thread_time


@dataclass(frozen=True)
class Limits:
    """Bounds applied statically (``max_source``, ``max_depth``) and at run time (the rest).

    ``max_data_*`` bound whole values (a result, an assigned value, an operand of ``==``/``in``,
    the argument of ``str()``) counted as a tree, so values sharing sub-structure
    (``x = [x, x]`` repeated) cannot blow up serialisation or comparison.
    """

    max_steps: int = 20_000
    max_seconds: float = 0.25
    max_string: int = 100_000
    max_collection: int = 10_000
    max_int_bits: int = 4096
    max_pow_exponent: int = 1_000
    max_source: int = 10_000
    max_depth: int = 50
    max_data_nodes: int = 100_000
    max_data_chars: int = 1_000_000
    max_data_depth: int = 32


DEFAULT_LIMITS = Limits()

# The limits of the evaluation in progress, so helpers called from an expression can honour them.
current_limits: ContextVar[Limits] = ContextVar("expression_limits", default=DEFAULT_LIMITS)
