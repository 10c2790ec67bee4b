"""The body of one job run, inside its own process: crawl, write live status, record the outcome.

Started by `JobManager.run` as `nachtwacht jobs exec JOB --run N`, with SIGTERM/SIGINT blocked
until `execute` handles them (`nachtwacht.jobs.signals`). A pause/stop (SIGTERM) before the crawl
is up ends the run at once as asked; during the crawl it makes Scrapy stop gracefully. Either way
the outcome is what was asked for (`paused` unless `stop`), never `crashed`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from nachtwacht.jobs.signals import EarlyStop
from nachtwacht.jobs.sites import site_for
from nachtwacht.jobs.status import StatusWriter, counters, frontier_counts
from nachtwacht.jobs.store import JobStore

__all__ = ["execute"]

logger = logging.getLogger(__name__)


def execute(data_dir: str | Path, job_id: str, run_id: int, *, fresh: bool = False) -> dict[str, Any]:
    """Run the crawl of `job_id` as run `run_id`; returns the summary dict (also stored).

    Call it first thing in the worker process, from its main thread: it takes over SIGTERM/SIGINT.
    """
    early = EarlyStop()
    early.install()
    from nachtwacht.app import Nachtwacht
    from nachtwacht.scheduler import record_liveness

    store = JobStore(data_dir)
    try:
        job = store.get(job_id)
        job_dir = store.job_dir(job_id)
        writer = StatusWriter(job_dir, run_id)
        writer.write({"site": job.site, "phase": "starting"})

        def progress(site_name: str, stats: dict[str, Any]) -> None:
            writer(site_name, stats)
            early.forward()  # a pause/stop that came while the crawl started

        try:
            site = site_for(job)
            nw = Nachtwacht(data_dir)
            if early.requested:
                return _ended_before_start(store, job_id, run_id, writer, job.site)
            summaries = nw.crawl([site], via=job.via or None, max_pages=job.max_pages,
                                 job_id=job.id, fresh=fresh, tor_socks=job.tor_socks or None,
                                 progress=progress, overrides={**job.settings,
                                                             "NACHTWACHT_DISCOVERY": job.discovery,
                                                             "NACHTWACHT_DISCOVERY_SCOPE": job.scope})
        except Exception as exc:
            logger.exception("job %s run %d failed", job_id, run_id)
            store.end_run(run_id, "failed", exit_code=1, error=f"{type(exc).__name__}: {exc}")
            raise
        summary = summaries[0].to_dict()
        if summary.get("finish_reason") == "shutdown" or early.requested:
            outcome = _interrupted_outcome(store, job_id)
        else:
            outcome = "finished"
        summary["counters"] = {**counters(writer.last_stats), "frontier": frontier_counts(job_dir)}
        writer.write({"site": job.site, "phase": outcome, **summary["counters"]})
        if outcome == "finished":
            record_liveness(store, job, summary)
        store.end_run(run_id, outcome, exit_code=0, summary=summary)
        if job.discovery == "follow":
            from nachtwacht.jobs.manager import JobManager

            manager = JobManager(data_dir)
            try:
                manager.follow_discovered(job.id)
            finally:
                manager.close()
        return summary
    finally:
        store.close()


def _interrupted_outcome(store: JobStore, job_id: str) -> str:
    """`stopped` when the supervisor asked to stop, else `paused` (a bare SIGTERM/SIGINT)."""
    return "stopped" if store.get(job_id).requested == "stop" else "paused"


def _ended_before_start(store: JobStore, job_id: str, run_id: int, writer: StatusWriter,
                        site: str) -> dict[str, Any]:
    """End a run that was paused or stopped before its crawl started: nothing was fetched."""
    outcome = _interrupted_outcome(store, job_id)
    summary: dict[str, Any] = {"site": site, "job_id": job_id, "finish_reason": "shutdown",
                               "before_start": True, "pages": 0}
    writer.write({"site": site, "phase": outcome})
    store.end_run(run_id, outcome, exit_code=0, summary=summary)
    logger.info("job %s run %d %s before its crawl started", job_id, run_id, outcome)
    return summary
