"""The alerts inbox: filter by status, acknowledge, investigate, close, assign to myself."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from nachtwacht.api import _audited

from ._session import check_form_csrf, form, principal, services
from ._views import guarded, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "new", "acknowledged", "investigating", "closed", "false_positive", "all")


@router.get("/alerts")
def alerts_page(request: Request, status: str = "open") -> Response:
    def build() -> Response:
        who = principal(request, "alerts")
        chosen = status if status in STATUSES else "open"
        events = _audited.alerts(services(request), who, open_only=chosen == "open",
                                 status=None if chosen in ("open", "all") else chosen, limit=300)
        return page(request, "alerts.html", events=events, status=chosen, statuses=STATUSES)

    return guarded(request, build)


@router.post("/alerts/{alert_id}")
async def alert_act(request: Request, alert_id: int) -> Response:
    fields = await form(request)

    def build() -> Response:
        who = principal(request, "alerts")
        check_form_csrf(who, fields)
        action = fields.get("action", "")
        assignee = who.username if action == "assign" else ""
        _audited.alert_action(services(request), who, alert_id, action, note=fields.get("note", "")[:2000],
                              assignee=assignee)
        back = fields.get("status", "open")
        return RedirectResponse(f"/alerts?status={back if back in STATUSES else 'open'}", status_code=303)

    return await run_in_threadpool(guarded, request, build)
