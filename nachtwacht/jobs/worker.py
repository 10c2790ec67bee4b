"""The body of one job run, inside its own process: crawl, write live status, record the outcome.

Started by `JobManager.run` as `nachtwacht jobs exec JOB --run N`. SIGTERM (pause/stop) makes
Scrapy stop gracefully; the outcome is then what was asked for (`paused` unless `stop`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from nachtwacht.jobs.sites import site_for
from nachtwacht.jobs.status import StatusWriter, counters, frontier_counts
from nachtwacht.jobs.store import JobStore

__all__ = ["execute"]

logger = logging.getLogger(__name__)


def execute(data_dir: str | Path, job_id: str, run_id: int, *, fresh: bool = False) -> dict[str, Any]:
    """Run the crawl of `job_id` as run `run_id`; returns the summary dict (also stored)."""
    from nachtwacht.app import Nachtwacht
    from nachtwacht.scheduler import record_liveness

    store = JobStore(data_dir)
    try:
        job = store.get(job_id)
        job_dir = store.job_dir(job_id)
        writer = StatusWriter(job_dir, run_id)
        writer.write({"site": job.site, "phase": "starting"})
        try:
            site = site_for(job)
            nw = Nachtwacht(data_dir)
            summaries = nw.crawl([site], via=job.via or None, max_pages=job.max_pages,
                                 job_id=job.id, fresh=fresh, tor_socks=job.tor_socks or None,
                                 progress=writer, overrides={**job.settings,
                                                             "NACHTWACHT_DISCOVERY": job.discovery,
                                                             "NACHTWACHT_DISCOVERY_SCOPE": job.scope})
        except Exception as exc:
            logger.exception("job %s run %d failed", job_id, run_id)
            store.end_run(run_id, "failed", exit_code=1, error=f"{type(exc).__name__}: {exc}")
            raise
        summary = summaries[0].to_dict()
        requested = store.get(job_id).requested
        if summary.get("finish_reason") == "shutdown":
            outcome = "stopped" if requested == "stop" else "paused"
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

