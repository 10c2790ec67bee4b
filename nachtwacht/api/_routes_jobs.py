"""Crawl jobs (permission `jobs`: operators and admins): create, start, pause, resume, stop, status,
log, schedule, history. Starting is refused (403) when the job has no valid legal basis."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from . import _jobs
from ._context import Principal, Services
from ._deps import require, services
from ._schemas import JobIn, ScheduleIn, StartIn

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["jobs"])
Operator = Annotated[Principal, Depends(require("jobs"))]
Svc = Annotated[Services, Depends(services)]
JobId = Annotated[str, Path(max_length=80, description="job id")]
Wait = Annotated[bool, Query(description="wait for the crawl process to stop (at most 60 s)")]


@router.get("/jobs", summary="Every job with its state, live counters, case and legal basis")
def list_jobs(who: Operator, svc: Svc) -> list[dict[str, Any]]:
    return _jobs.jobs(svc, who)


@router.post("/jobs", status_code=201, summary="Define a crawl job (a start URL or a site config name)")
def create_job(body: JobIn, who: Operator, svc: Svc) -> dict[str, Any]:
    return _jobs.create(svc, who, target=body.target, name=body.name, via=body.via, base_url=body.base_url,
                        max_pages=body.max_pages, depth=body.depth, schedule_expr=body.schedule,
                        jitter=body.jitter, case_ref=body.case_ref, discovery=body.discovery,
                        scope=body.scope, replace=body.replace)


@router.get("/jobs/{job_id}", summary="One job: state, live counters, frontier, last run, legal basis")
def job_status(job_id: JobId, who: Operator, svc: Svc) -> dict[str, Any]:
    return _jobs.status(svc, who, job_id)


@router.post("/jobs/{job_id}/start", summary="Start a run (a paused or crashed job resumes its pages)")
def start_job(job_id: JobId, who: Operator, svc: Svc, body: StartIn | None = None) -> dict[str, Any]:
    return _jobs.start(svc, who, job_id, fresh=bool(body and body.fresh))


@router.post("/jobs/{job_id}/resume", summary="Resume a paused, stopped or crashed job where it left off")
def resume_job(job_id: JobId, who: Operator, svc: Svc) -> dict[str, Any]:
    return _jobs.start(svc, who, job_id, resume=True)


@router.post("/jobs/{job_id}/pause", summary="Stop gracefully, keeping pending pages for resume")
def pause_job(job_id: JobId, who: Operator, svc: Svc, wait: Wait = True) -> dict[str, Any]:
    return _jobs.interrupt(svc, who, job_id, "pause", wait=wait)


@router.post("/jobs/{job_id}/stop", summary="End the crawl; the next run starts over")
def stop_job(job_id: JobId, who: Operator, svc: Svc, wait: Wait = True) -> dict[str, Any]:
    return _jobs.interrupt(svc, who, job_id, "stop", wait=wait)


@router.put("/jobs/{job_id}/schedule", summary="Set or clear the schedule (interval or cron, with jitter)")
def schedule_job(job_id: JobId, body: ScheduleIn, who: Operator, svc: Svc) -> dict[str, Any]:
    return _jobs.schedule(svc, who, job_id, body.schedule, body.jitter)


@router.get("/jobs/{job_id}/history", summary="The job's runs, newest first")
def job_history(job_id: JobId, who: Operator, svc: Svc,
                limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[dict[str, Any]]:
    return _jobs.history(svc, who, job_id, limit=limit)


@router.get("/jobs/{job_id}/log", summary="The last lines of the job's crawl log (or worker log)")
def job_log(job_id: JobId, who: Operator, svc: Svc,
            lines: Annotated[int, Query(ge=1, le=5000)] = 50,
            which: Literal["crawl", "worker"] = "crawl") -> dict[str, Any]:
    return {"job": job_id, "lines": _jobs.log(svc, who, job_id, lines=lines, which=which)}
