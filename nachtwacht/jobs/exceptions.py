"""Errors of the job layer.

NachtwachtError
 └── JobError            a job operation failed
      ├── JobNotFound    no job of that id (also a `NotFound`)
      ├── JobStateError  the operation does not fit the job's state (resume a running job, ...)
      ├── RunRefused     the run has no valid legal basis; no crawl process was started
      └── ScheduleError  a schedule expression is invalid; names the expression and the field
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError, NotFound

__all__ = ["JobError", "JobNotFound", "JobStateError", "RunRefused", "ScheduleError"]


class JobError(NachtwachtError):
    """Root of the job layer's errors."""


class JobNotFound(JobError, NotFound):
    """No job has this id."""


class JobStateError(JobError):
    """The job is not in a state that allows the operation."""


class RunRefused(JobError):
    """A run was refused before its crawl process started: no valid legal basis (the reason says why)."""


class ScheduleError(JobError):
    """A schedule (interval, cron expression or jitter) cannot be parsed."""
