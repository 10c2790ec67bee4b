"""Errors of the alerting layer.

AlertError (a NachtwachtError)
 ├── RuleError          a rule file is invalid; names the file, line and field
 ├── EventNotFound      an event id that does not exist in the event store
 ├── WorkflowError      a status change the workflow does not allow (closed -> new, say)
 └── DeliveryError      a sink could not deliver an event (retried, then dead-lettered)
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError

__all__ = ["AlertError", "DeliveryError", "EventNotFound", "RuleError", "WorkflowError"]


class AlertError(NachtwachtError):
    """Root of the alerting errors."""


class RuleError(AlertError):
    """A rule file is invalid. The message names the file, line and field."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, field: str = ""):
        self.path = path
        self.line = line
        self.field = field
        where = path + (f":{line}" if line is not None else "")
        prefix = f"{where}: " if where else ""
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message)


class EventNotFound(AlertError):
    """No event with this id."""


class WorkflowError(AlertError):
    """The requested status change is not allowed from the event's current status."""


class DeliveryError(AlertError):
    """A sink failed to deliver; carries the sink name."""

    def __init__(self, message: str, *, sink: str = ""):
        self.sink = sink
        super().__init__(f"{sink}: {message}" if sink else message)
