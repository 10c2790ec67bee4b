"""Errors of the alerting layer.

AlertError (a NachtwachtError)
 ├── RuleError          a rule file is invalid; names the file, line and field
 ├── EventNotFound      an event id that does not exist in the event store
 ├── WorkflowError      a status change the workflow does not allow (closed -> new, say)
 └── DeliveryError      a sink could not deliver an event (retried, then dead-lettered)
"""

from __future__ import annotations

from crawlers.exceptions import ConfigError
from nachtwacht.exceptions import NachtwachtError

__all__ = ["AlertError", "DeliveryError", "EventNotFound", "RuleError", "WorkflowError"]


class AlertError(NachtwachtError):
    """Root of the alerting errors."""


class RuleError(AlertError, ConfigError):
    """A rule file is invalid; a `ConfigError` too, so it names the file, line and field."""


class EventNotFound(AlertError):
    """No event with this id."""


class WorkflowError(AlertError):
    """The requested status change is not allowed from the event's current status."""


class DeliveryError(AlertError):
    """A sink failed to deliver; carries the sink name."""

    def __init__(self, message: str, *, sink: str = ""):
        self.sink = sink
        super().__init__(f"{sink}: {message}" if sink else message)
