"""Create, start, pause, resume and stop crawl jobs; one supervised crawl process per job.

A run is `python -m nachtwacht jobs exec JOB --run N` in its own session. The worker records its
own outcome (finished, paused, stopped, failed); a run whose process is gone without an outcome
is reported `crashed` by whoever looks next (`reconcile`). Pausing sends SIGTERM: Scrapy stops
gracefully, the pending URLs stay in the job's frontier, and the next run resumes them. A crash
loses nothing either: a page is done only once its documents are committed (`crawlers.frontier`).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections import deque
from pathlib import Path
from typing import Any

from nachtwacht.jobs import process
from nachtwacht.jobs.exceptions import JobError, JobStateError, RunRefused
from nachtwacht.jobs.legal import legal_refusal
from nachtwacht.jobs.model import Job, Run
from nachtwacht.jobs.signals import blocked_in_children
from nachtwacht.jobs.sites import JOB_ID, is_url, normalise_target, site_for, slug
from nachtwacht.jobs.status import frontier_counts, read_status
from nachtwacht.jobs.store import JobStore

__all__ = ["STARTUP_GRACE_S", "JobManager"]

logger = logging.getLogger(__name__)

STARTUP_GRACE_S = 15.0  # a run without a recorded PID this long after it started has crashed
STOP_TIMEOUT_S = 120.0  # seconds a graceful stop may take before SIGKILL
FOLLOW_LIMIT = 20  # child jobs one run may create for discovered onions in scope


class JobManager:
    """The job layer over one data directory; the CLI, the API and the scheduler all use it."""

    def __init__(self, data_dir: str | Path, *, env: dict[str, str] | None = None):
        self.data_dir = Path(data_dir)
        self.store = JobStore(self.data_dir)
        self.env = env
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def close(self) -> None:
        self.store.close()

    # --- definition ----------------------------------------------------------------------------
    def create(self, target: str, *, job_id: str | None = None, replace: bool = False,
               **options: Any) -> Job:
        """Define (or with `replace`, redefine) a job; the site config is validated now."""
        target = normalise_target(target)
        job = Job(id="", target=target, **options)
        site = site_for(job)
        job.site = job.site or site.name
        job.kind = site.kind
        job.id = job_id or (slug(site.name) if not is_url(target) else site.name)
        if not JOB_ID.match(job.id):
            raise JobError(f"invalid job id {job.id!r}: lower-case letters, digits, - and _")
        if self.store.exists(job.id):
            old = self.store.get(job.id)
            if not replace:
                raise JobStateError(f"job {job.id!r} exists (use another --name, or --replace)")
            job.state, job.created_at = old.state, old.created_at
        return self.store.save(job)

    def get(self, job_id: str) -> Job:
        return self.reconcile(self.store.get(job_id))

    def jobs(self) -> list[Job]:
        return [self.reconcile(job) for job in self.store.jobs()]

    # --- lifecycle -----------------------------------------------------------------------------
    def run(self, job_id: str, *, trigger: str = "manual", fresh: bool | None = None) -> Run:
        """Start a run. A paused or crashed job resumes its frontier; a stopped one starts over.

        Raises `RunRefused` (the refusal is kept in the run history) when the job has no valid legal
        basis: the check the worker would make, made before any process starts.
        """
        job = self.get(job_id)
        if job.state == "running":
            raise JobStateError(f"job {job_id!r} is already running")
        reason = legal_refusal(self.data_dir, job, self.env)
        if reason:
            self.store.record_refused_run(job.id, trigger, reason)
            raise RunRefused(f"job {job_id!r} not started: {reason}")
        if fresh is None:
            fresh = job.state == "stopped"
        run = self.store.start_run(job.id, trigger)
        args = ["jobs", "exec", job.id, "--run", str(run.id), "--data-dir", str(self.data_dir)]
        if fresh:
            args.append("--fresh")
        job_dir = self.store.job_dir(job.id)
        try:
            with blocked_in_children():  # a pause/stop during its start-up waits for its handlers
                proc = process.spawn(args, log_path=job_dir / "worker.log", env=self.env)
        except OSError as exc:
            self.store.end_run(run.id, "failed", error=f"cannot start the crawl process: {exc}")
            raise JobError(f"cannot start job {job_id!r}: {exc}") from exc
        self._children[proc.pid] = proc
        self.store.set_run_process(run.id, proc.pid, process.process_start(proc.pid))
        return self.store.run(run.id)

    def resume(self, job_id: str) -> Run:
        job = self.get(job_id)
        if job.state not in ("paused", "crashed", "stopped", "failed"):
            raise JobStateError(f"job {job_id!r} is {job.state}: only a paused, stopped, crashed or "
                                "failed job resumes (use `jobs run` for a new run)")
        return self.run(job_id, fresh=False)

    def pause(self, job_id: str, *, wait: bool = True, timeout: float = STOP_TIMEOUT_S) -> Job:
        """Stop the crawl gracefully, keeping its pending URLs for `resume`."""
        return self._interrupt(job_id, "pause", wait=wait, timeout=timeout)

    def stop(self, job_id: str, *, wait: bool = True, timeout: float = STOP_TIMEOUT_S) -> Job:
        """End the crawl; the next run starts over. A job that is not running is just marked."""
        job = self.get(job_id)
        if job.state != "running":
            if job.state in ("paused", "crashed", "failed"):
                self.store.update(job_id, state="stopped")
            return self.get(job_id)
        return self._interrupt(job_id, "stop", wait=wait, timeout=timeout)

    def _interrupt(self, job_id: str, action: str, *, wait: bool, timeout: float) -> Job:
        job = self.get(job_id)
        run = self.store.last_run(job_id)
        if job.state != "running" or run is None:
            raise JobStateError(f"job {job_id!r} is {job.state}, not running")
        self.store.update(job_id, requested=action)
        if not run.pid:
            self._wait_for_pid(run)
            run = self.store.run(run.id)
        if not process.signal_process(run.pid, run.pid_start, signal.SIGTERM):
            return self.get(job_id)
        if wait:
            child = self._children.get(run.pid)
            if not process.wait_dead(run.pid, run.pid_start, timeout, child):
                logger.warning("job %s did not stop in %ss: killing pid %d", job_id, timeout, run.pid)
                process.signal_process(run.pid, run.pid_start, signal.SIGKILL)
                process.wait_dead(run.pid, run.pid_start, 10, child)
        return self.get(job_id)

    def _wait_for_pid(self, run: Run, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.store.run(run.id).pid and time.monotonic() < deadline:
            time.sleep(0.05)

    def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.2) -> Job:
        """Block until the job is not running (or `timeout` seconds passed); returns the job."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for child in list(self._children.values()):
                child.poll()
            job = self.get(job_id)
            if job.state != "running" or (deadline is not None and time.monotonic() >= deadline):
                return job
            time.sleep(poll)

    # --- supervision ---------------------------------------------------------------------------
    def reconcile(self, job: Job) -> Job:
        """Report a running job whose process is gone without an outcome as `crashed`."""
        if job.state != "running":
            return job
        run = self.store.last_run(job.id)
        if run is None or run.ended_at:
            return self.store.get(job.id) if run else job
        if run.pid:
            if process.alive(run.pid, run.pid_start):
                return job
        elif _age_s(run.started_at) < STARTUP_GRACE_S:
            return job
        child = self._children.get(run.pid)
        exit_code = None
        if child is not None:
            try:
                exit_code = child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                exit_code = None
        run = self.store.run(run.id)  # the worker may have recorded its outcome meanwhile
        if not run.ended_at:
            reason = "the crawl process died without recording an outcome"
            if exit_code is not None and exit_code < 0:
                reason += f" (signal {-exit_code})"
            logger.warning("job %s run %d crashed: %s", job.id, run.id, reason)
            self.store.end_run(run.id, "crashed", exit_code=exit_code, error=reason,
                               summary=read_status(self.store.job_dir(job.id)))
        self._children.pop(run.pid, None)
        return self.store.get(job.id)

    def reap(self) -> None:
        """Collect exited children and reconcile their jobs (long-running callers: each tick)."""
        for pid, child in list(self._children.items()):
            if child.poll() is not None:
                self._children.pop(pid, None)
        for job in self.store.jobs():
            self.reconcile(job)

    # --- discovery -----------------------------------------------------------------------------
    def follow_discovered(self, job_id: str, limit: int = FOLLOW_LIMIT) -> list[Job]:
        """Create a crawl job for each onion `job_id`'s crawls found inside its scope.

        A child job inherits the parent's via, limits, Tor endpoints, scope and schedule (the
        scheduler then runs it); an unscheduled child waits for `jobs run`.
        """
        from crawlers.discovery import DiscoveryStore

        parent = self.store.get(job_id)
        discovery = DiscoveryStore(self.data_dir)
        created = []
        try:
            for onion in discovery.onions(status="follow")[:limit]:
                if onion["first_job"] != job_id:
                    continue
                child = self.approve_onion(onion["address"], parent=parent, discovery=discovery)
                created.append(child)
        finally:
            discovery.close()
        return created

    def approve_onion(self, address: str, *, parent: Job | None = None, discovery: Any = None,
                      job_id: str | None = None) -> Job:
        """Create (or reuse) the crawl job of a discovered onion and mark it `followed`."""
        from crawlers.discovery import DiscoveryStore

        own = discovery is None
        discovery = discovery or DiscoveryStore(self.data_dir)
        try:
            address = address.lower()
            if not any(o["address"] == address for o in discovery.onions()):
                raise JobError(f"{address} was never discovered (see `nachtwacht jobs onions`)")
            child_id = job_id or "onion-" + address[:16]
            if self.store.exists(child_id):
                child = self.store.get(child_id)
            else:
                options: dict[str, Any] = {}
                if parent is not None:
                    options = {"via": parent.via, "max_pages": parent.max_pages, "depth": parent.depth,
                               "tor_socks": parent.tor_socks, "scope": parent.scope,
                               "discovery": parent.discovery, "schedule": parent.schedule,
                               "jitter_s": parent.jitter_s, "parent": parent.id}
                child = self.create(f"http://{address}/", job_id=child_id, **options)
            discovery.set_status(address, "followed", job=child.id)
            return child
        finally:
            if own:
                discovery.close()

    # --- reading -------------------------------------------------------------------------------
    def status(self, job_id: str) -> dict[str, Any]:
        """The job with its live (or last) counters, frontier, last run, liveness and next run."""
        return self.describe(self.get(job_id))

    def describe(self, job: Job) -> dict[str, Any]:
        job_dir = self.store.job_dir(job.id)
        run = self.store.last_run(job.id)
        live = read_status(job_dir)
        if run is not None and run.ended_at:
            counters = _counters_of_summary(run.summary) or live
        elif run is not None and live.get("run_id") == run.id:
            counters = live
        else:
            counters = {}
        checks = self.store.liveness(job.site, limit=50)
        return {
            **job.to_dict(),
            "counters": {k: v for k, v in counters.items() if k not in ("run_id", "pid")},
            "frontier": frontier_counts(job_dir),
            "last_run": run.to_dict() if run else None,
            "runs": len(self.store.runs(job.id, limit=1000)),
            "liveness": liveness_summary(checks),
        }

    def history(self, job_id: str, limit: int = 20) -> list[dict[str, Any]]:
        self.get(job_id)
        return [run.to_dict() for run in self.store.runs(job_id, limit)]

    def log(self, job_id: str, lines: int = 50, which: str = "crawl") -> list[str]:
        """The last `lines` lines of the job's `crawl.log` (or `worker.log`)."""
        self.store.get(job_id)
        path = self.store.job_dir(job_id) / f"{which}.log"
        if not path.exists():
            return []
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in deque(fh, maxlen=lines)]


def liveness_summary(checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Current up/down streak and last seen up, from checks newest first."""
    if not checks:
        return {"state": "unknown", "streak": 0, "last_seen": "", "last_check": "", "checks": 0}
    first = checks[0]["up"]
    streak = 0
    for check in checks:
        if check["up"] != first:
            break
        streak += 1
    last_seen = next((c["checked_at"] for c in checks if c["up"]), "")
    return {"state": "up" if first else "down", "streak": streak, "last_seen": last_seen,
            "last_check": checks[0]["checked_at"], "checks": len(checks)}


def _counters_of_summary(summary: dict[str, Any]) -> dict[str, Any]:
    if not summary:
        return {}
    if "counters" in summary:
        return dict(summary["counters"])
    return summary


def _age_s(iso: str) -> float:
    from datetime import datetime

    try:
        return time.time() - datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 1e9
