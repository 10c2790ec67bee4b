"""The FastAPI application: routers, error mapping, security headers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crawlers.evidence import EvidenceError, RecordNotFound
from indexer.exceptions import IndexerError, QueryError
from nachtwacht.alerts.exceptions import EventNotFound, WorkflowError
from nachtwacht.app import Nachtwacht
from nachtwacht.audit import AuditError, AuditLog
from nachtwacht.exceptions import NachtwachtError, NotFound, SetupError
from nachtwacht.jobs import JobStateError
from nachtwacht.moneyflows import NothingToExport
from nachtwacht.rights import LegalBasisError
from nachtwacht.users import (
    AuthError,
    Forbidden,
    InvalidCredentials,
    LoginThrottled,
    UserExists,
    UserItems,
    UserStore,
)

from . import (
    _routes_admin,
    _routes_auth,
    _routes_evidence,
    _routes_items,
    _routes_moneyflows,
    _routes_search,
)
from ._context import Services

__all__ = ["PUBLIC_PATHS", "create_app"]

log = logging.getLogger(__name__)

#: Paths anyone may call. Every other route needs a permission (tests/api checks this).
PUBLIC_PATHS = frozenset({"/api/health", "/api/auth/login", "/api/openapi.json", "/api/docs",
                          "/api/docs/oauth2-redirect", "/login", "/static"})

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

# error class -> HTTP status; the first match in this order wins
_STATUS: list[tuple[type[Exception], int]] = [
    (EventNotFound, 404), (WorkflowError, 409),
    (InvalidCredentials, 401), (LoginThrottled, 429), (Forbidden, 403), (UserExists, 409),
    (AuthError, 400), (NotFound, 404), (QueryError, 400), (AuditError, 503), (SetupError, 503),
    (IndexerError, 503), (JobStateError, 409), (LegalBasisError, 403), (RecordNotFound, 404),
    (EvidenceError, 503), (NothingToExport, 404), (NachtwachtError, 400),
]


def status_of(exc: Exception) -> int:
    return next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)


def _error_response(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, LoginThrottled):
        headers["Retry-After"] = str(exc.retry_after)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


def create_app(nw: Nachtwacht, *, users: UserStore | None = None, audit: AuditLog | None = None,
               web: bool = True, secure_cookies: bool = False) -> FastAPI:
    """The API (under /api, OpenAPI at /api/openapi.json) and, with `web`, the server-rendered UI.

    `users`/`audit` default to the stores of `nw.data_dir`; tests pass their own (e.g. with a clock).
    `secure_cookies` marks the session cookie Secure: set it when served behind HTTPS.
    """
    users = users or UserStore(nw.data_dir)
    services = Services(nw=nw, users=users, items=UserItems(users), audit=audit or AuditLog(nw.data_dir),
                        secure_cookies=secure_cookies)
    app = FastAPI(title="Nachtwacht", version="0.1.0", openapi_url="/api/openapi.json", docs_url="/api/docs",
                  redoc_url=None,
                  description="Search, vendors, trends, exports, evidence bundles, saved searches, crawl "
                              "jobs, alerts, users and the audit log. "
                              "Authenticate with `Authorization: Bearer <token>` or the session cookie; "
                              "searches and openings need a case reference (`X-Case-Ref`).")
    app.state.services = services
    for error in {cls for cls, _ in _STATUS}:
        app.add_exception_handler(error, _error_response)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/api/") and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/api/health", tags=["meta"], summary="Liveness (public; says nothing about the data)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (_routes_auth, _routes_evidence, _routes_search, _routes_items, _routes_admin,
                   _routes_moneyflows):
        app.include_router(module.router)
    for name in ("_routes_jobs", "_routes_alerts"):
        _include_optional(app, name)
    if web:
        from nachtwacht.web import mount_web

        mount_web(app)
    return app


def _include_optional(app: FastAPI, name: str) -> None:
    """Routers over layers that may not exist yet (jobs, alerts): skipped when their layer is missing."""
    import importlib

    try:
        module = importlib.import_module(f"nachtwacht.api.{name}")
    except ImportError as exc:
        log.info("API %s not available: %s", name, exc)
        return
    app.include_router(module.router)
