"""Crawl jobs: definitions and state in the data directory, one supervised crawl process per run."""

from nachtwacht.jobs.exceptions import JobError, JobNotFound, JobStateError, ScheduleError
from nachtwacht.jobs.manager import JobManager, liveness_summary
from nachtwacht.jobs.model import Job, Run
from nachtwacht.jobs.store import JobStore

__all__ = [
    "Job",
    "JobError",
    "JobManager",
    "JobNotFound",
    "JobStateError",
    "JobStore",
    "Run",
    "ScheduleError",
    "liveness_summary",
]
