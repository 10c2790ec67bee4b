"""Crawl job pages (permission `jobs`): the list with a form to define a job, one job with live
progress (static/jobs.js polls `/api/jobs/{id}`), start/pause/resume/stop, its case and legal basis."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from nachtwacht.api import _jobs
from nachtwacht.api._schemas import JobIn
from nachtwacht.jobs import JobError, JobStateError
from nachtwacht.rights import CaseError, LegalBasisError

from ._session import check_form_csrf, form, principal, services
from ._views import guarded, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
ACTIONS = ("start", "pause", "resume", "stop")
_FORM_FIELDS = ("target", "name", "via", "base_url", "max_pages", "schedule", "case_ref", "replace")


def _job_in(fields: dict[str, str]) -> JobIn:
    """The form as the API's request body (same validation); empty fields take the defaults."""
    data: dict[str, Any] = {k: fields[k].strip() for k in _FORM_FIELDS if fields.get(k, "").strip()}
    return JobIn.model_validate(data)


def _invalid(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def _jobs_page(request: Request, status: int = 200, *, error: str = "",
               values: dict[str, str] | None = None) -> Response:
    who = principal(request, "jobs")
    return page(request, "jobs.html", status, jobs=_jobs.jobs(services(request), who), error=error,
                values=values or {})


@router.get("/jobs")
def jobs_page(request: Request) -> Response:
    return guarded(request, lambda: _jobs_page(request))


@router.post("/jobs")
async def create_job(request: Request) -> Response:
    fields = await form(request)

    def build() -> Response:
        who = principal(request, "jobs")
        check_form_csrf(who, fields)
        try:
            body = _job_in(fields)
            job = _jobs.create(services(request), who, target=body.target, name=body.name, via=body.via,
                               base_url=body.base_url, max_pages=body.max_pages, schedule_expr=body.schedule,
                               case_ref=body.case_ref, replace=body.replace)
        except ValidationError as exc:
            return _jobs_page(request, 400, error=_invalid(exc), values=fields)
        except (JobError, CaseError) as exc:
            return _jobs_page(request, 409 if isinstance(exc, JobStateError) else 400, error=str(exc),
                              values=fields)
        return RedirectResponse(f"/jobs/{quote(job['id'])}", status_code=303)

    return await run_in_threadpool(guarded, request, build)


def _job_page(request: Request, job_id: str, status: int = 200, *, error: str = "") -> Response:
    who = principal(request, "jobs")
    svc = services(request)
    job = _jobs.status(svc, who, job_id)
    return page(request, "job.html", status, job=job, runs=_jobs.history(svc, who, job_id, limit=20),
                log=_jobs.log(svc, who, job_id, lines=40), error=error)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    return guarded(request, lambda: _job_page(request, job_id))


@router.post("/jobs/{job_id}/{action}")
async def job_action(request: Request, job_id: str, action: str) -> Response:
    fields = await form(request)

    def build() -> Response:
        who = principal(request, "jobs")
        check_form_csrf(who, fields)
        svc = services(request)
        try:
            if action in ("start", "resume"):
                _jobs.start(svc, who, job_id, resume=action == "resume", fresh=fields.get("fresh") == "1")
            elif action in ("pause", "stop"):
                _jobs.interrupt(svc, who, job_id, action)
            else:
                return _job_page(request, job_id, 404, error=f"unknown action {action!r}")
        except LegalBasisError as exc:
            return _job_page(request, job_id, 403, error=str(exc))
        except JobStateError as exc:
            return _job_page(request, job_id, 409, error=str(exc))
        return RedirectResponse(f"/jobs/{quote(job_id)}", status_code=303)

    return await run_in_threadpool(guarded, request, build)
