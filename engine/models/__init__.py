"""The engine's tables: definitions, instances, human tasks, timers and the audit chain."""

from .audit import AuditChainHead, AuditCheckpoint, AuditEvent
from .definitions import ProcessDefinition
from .instances import ProcessInstance
from .tasks import HumanTask
from .timers import TimerEvent

__all__ = [
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "HumanTask",
    "ProcessDefinition",
    "ProcessInstance",
    "TimerEvent",
]
