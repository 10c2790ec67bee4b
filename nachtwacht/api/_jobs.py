"""Crawl jobs for the API and the UI: every change audited, every start checked for its legal basis.

Calls go to `nachtwacht.jobs.JobManager` over the app's data directory, one manager per call
(its SQLite connection belongs to the calling thread). Crawl processes are detached sessions:
they outlive the request that started them and are reaped by whoever looks next.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from nachtwacht import settings as app_settings
from nachtwacht.jobs import JobError, JobManager
from nachtwacht.rights import CASE_SETTING, CaseRegistry, LegalBasisError
from nachtwacht.users import check_case_ref

from ._context import Principal, Services
from ._legal import job_case, job_legal_basis

__all__ = ["SITE_NAME", "create", "history", "interrupt", "jobs", "log", "schedule", "start", "status"]

#: A site config named by the API: a file in config/sites/ (never a path: no file system access).
SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
INTERRUPT_TIMEOUT_S = 60.0  # a graceful pause/stop the request waits for


@contextmanager
def _manager(svc: Services) -> Iterator[JobManager]:
    manager = JobManager(svc.nw.data_dir)
    try:
        yield manager
    finally:
        manager.close()


def _audit(svc: Services, who: Principal, action: str, job_id: str, case: str, **details: Any) -> None:
    svc.audit.append(actor=who.username, role=who.user.role, action=action, target=f"job:{job_id}",
                     case_ref=case or who.case_ref, details={"via": who.via, **details})


def _view(svc: Services, manager: JobManager, job: Any) -> dict[str, Any]:
    return {**manager.describe(job), "case_ref": job_case(job),
            "legal_basis": job_legal_basis(svc.nw.data_dir, job)}


def _target(target: str) -> str:
    """A start URL as given; a site name as the absolute path of its config in config/sites/."""
    if target.startswith(("http://", "https://")):
        return target
    if not SITE_NAME.match(target):
        raise JobError(f"target {target!r}: give a start URL (http:// or https://) or a site name")
    path = app_settings.config_dir() / "sites" / f"{target}.yaml"
    if not path.is_file():
        raise JobError(f"no site config {target!r} in {path.parent.name}/ (known: "
                       + ", ".join(sorted(p.stem for p in path.parent.glob("*.yaml"))) + ")")
    return str(path.resolve())


def _schedule(expression: str, jitter: str) -> tuple[str, float]:
    from nachtwacht.scheduler import parse_duration, parse_schedule

    expression = expression.strip()
    if expression:
        parse_schedule(expression)
    return expression, parse_duration(jitter or "0")


def jobs(svc: Services, who: Principal) -> list[dict[str, Any]]:
    with _manager(svc) as manager:
        return [_view(svc, manager, job) for job in manager.jobs()]


def status(svc: Services, who: Principal, job_id: str) -> dict[str, Any]:
    """The job with live counters, frontier, last run, liveness, its case and legal basis."""
    with _manager(svc) as manager:
        return _view(svc, manager, manager.get(job_id))


def create(svc: Services, who: Principal, *, target: str, name: str | None = None, via: str = "",
           base_url: str = "", max_pages: int | None = None, depth: int | None = None,
           schedule_expr: str = "", jitter: str = "0", case_ref: str = "", discovery: str = "review",
           scope: list[str] | None = None, replace: bool = False) -> dict[str, Any]:
    """Define a job. A case must be registered (its expiry is checked when the job starts)."""
    settings: dict[str, str] = {}
    if case_ref.strip():
        case = check_case_ref(case_ref)
        CaseRegistry(svc.nw.data_dir).get_case(case)  # CaseError: not registered
        settings[CASE_SETTING] = case
    expression, jitter_s = _schedule(schedule_expr, jitter)
    with _manager(svc) as manager:
        try:
            job = manager.create(_target(target), job_id=name or None, replace=replace, via=via,
                                 base_url=base_url, max_pages=max_pages, depth=depth, settings=settings,
                                 scope=list(scope or []), discovery=discovery, schedule=expression,
                                 jitter_s=jitter_s)
        except ValidationError as exc:  # a start URL or base URL the site model rejects
            raise JobError(f"invalid job: {exc.errors()[0].get('msg', exc)}") from None
        if job.schedule:
            from nachtwacht.scheduler import Scheduler

            Scheduler(manager).plan(job)
        _audit(svc, who, "job.create", job.id, job_case(job), target=job.target, via=job.via,
               schedule=job.schedule, replace=replace)
        return _view(svc, manager, manager.get(job.id))


def start(svc: Services, who: Principal, job_id: str, *, resume: bool = False,
          fresh: bool = False) -> dict[str, Any]:
    """Start (or resume) a run; refused with LegalBasisError when the job has no valid legal basis."""
    with _manager(svc) as manager:
        job = manager.get(job_id)
        basis = job_legal_basis(svc.nw.data_dir, job)
        action = "job.resume" if resume else "job.start"
        if not basis["ok"]:
            _audit(svc, who, action + ".refused", job.id, job_case(job), reason=basis["message"])
            raise LegalBasisError(f"job {job.id} not started: {basis['message']}")
        _audit(svc, who, action, job.id, job_case(job), legal_basis=basis["status"], fresh=fresh)
        if resume:
            manager.resume(job.id)
        else:
            manager.run(job.id, fresh=True if fresh else None)
        return _view(svc, manager, manager.get(job.id))


def interrupt(svc: Services, who: Principal, job_id: str, action: str, *, wait: bool = True) -> dict[str, Any]:
    """`pause` (keep pending pages) or `stop` (next run starts over) a job."""
    with _manager(svc) as manager:
        job = manager.get(job_id)
        _audit(svc, who, f"job.{action}", job.id, job_case(job), wait=wait)
        if action == "pause":
            manager.pause(job.id, wait=wait, timeout=INTERRUPT_TIMEOUT_S)
        else:
            manager.stop(job.id, wait=wait, timeout=INTERRUPT_TIMEOUT_S)
        return _view(svc, manager, manager.get(job.id))


def schedule(svc: Services, who: Principal, job_id: str, expression: str, jitter: str = "0") -> dict[str, Any]:
    """Set (or with "" clear) a job's schedule and plan its next run."""
    expression, jitter_s = _schedule(expression, jitter)
    with _manager(svc) as manager:
        job = manager.get(job_id)
        manager.store.update(job.id, schedule=expression, jitter_s=jitter_s, next_run="")
        job = manager.get(job.id)
        if job.schedule:
            from nachtwacht.scheduler import Scheduler

            Scheduler(manager).plan(job)
        _audit(svc, who, "job.schedule", job.id, job_case(job), schedule=expression, jitter_s=jitter_s)
        return _view(svc, manager, manager.get(job.id))


def history(svc: Services, who: Principal, job_id: str, limit: int = 20) -> list[dict[str, Any]]:
    with _manager(svc) as manager:
        return manager.history(job_id, limit=limit)


def log(svc: Services, who: Principal, job_id: str, lines: int = 50, which: str = "crawl") -> list[str]:
    with _manager(svc) as manager:
        return manager.log(job_id, lines=lines, which=which)
