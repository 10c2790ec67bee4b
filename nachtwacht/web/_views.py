"""The server-rendered pages: login, case, search, listing, vendor, trends, audit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from indexer.exceptions import IndexerError, QueryError
from nachtwacht.api import _audited
from nachtwacht.api._context import SESSION_COOKIE, Principal
from nachtwacht.api._legal import registered_case
from nachtwacht.api._routes_auth import client_of, start_session
from nachtwacht.exceptions import NachtwachtError, NotFound
from nachtwacht.users import (
    AuthError,
    Forbidden,
    InvalidCredentials,
    LoginThrottled,
)

from ._render import ENV, iso_ts, month_ts
from ._session import (
    LOGIN_CSRF_COOKIE,
    NeedCase,
    NeedLogin,
    check_form_csrf,
    form,
    login_csrf,
    login_url,
    principal,
    safe_next,
    services,
)

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
KINDS = ("listing", "post", "vendor", "any")


def page(request: Request, template: str, http_status: int = 200, /, **context: Any) -> HTMLResponse:
    """Render a template with the signed-in caller (`who`) and `context`."""
    who = getattr(request.state, "principal", None)
    html = ENV.get_template(template).render(request=request, who=who, **context)
    return HTMLResponse(html, status_code=http_status)


def guarded(request: Request, build: Callable[[], Response]) -> Response:
    """Run a view; turn the known errors into a redirect or an error page."""
    try:
        return build()
    except NeedLogin as exc:
        return RedirectResponse(login_url(exc.next_url), status_code=303)
    except NeedCase as exc:
        return RedirectResponse("/case?next=" + quote(exc.next_url, safe=""), status_code=303)
    except Forbidden as exc:
        return page(request, "error.html", 403, title="Not allowed", message=str(exc))
    except NotFound as exc:
        return page(request, "error.html", 404, title="Not found", message=str(exc))
    except QueryError as exc:
        return page(request, "error.html", 400, title="Query error", message=str(exc))
    except IndexerError as exc:
        return page(request, "error.html", 503, title="Index unavailable", message=str(exc))
    except NachtwachtError as exc:
        return page(request, "error.html", 400, title="Error", message=str(exc))


# --- login, logout, case ------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str = "/", error: str = "") -> Response:
    token = login_csrf(request)
    response = page(request, "login.html", next=safe_next(next), csrf_token=token, error=error)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=services(request).secure_cookies)
    return response


@router.post("/login")
async def login_submit(request: Request) -> Response:
    fields = await form(request)
    target = safe_next(fields.get("next", "/"))
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or fields.get("csrf_token") != cookie_token:
        return page(request, "login.html", 403, next=target, csrf_token=login_csrf(request),
                    error="The form expired; please try again.")
    response = RedirectResponse(target, status_code=303)
    try:
        await run_in_threadpool(start_session, services(request), response, fields.get("username", ""),
                                fields.get("password", ""), fields.get("case_ref", "").strip(),
                                client_of(request))
    except LoginThrottled as exc:
        return page(request, "login.html", 429, next=target, csrf_token=cookie_token,
                    error=f"Too many failed logins. Try again in {exc.retry_after} s.")
    except (InvalidCredentials, AuthError) as exc:
        message = "Wrong username or password." if isinstance(exc, InvalidCredentials) else str(exc)
        return page(request, "login.html", 401, next=target, csrf_token=cookie_token, error=message)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    fields = await form(request)

    def build() -> Response:
        who = principal(request, None)
        check_form_csrf(who, fields)
        services(request).users.end_session(who.session_token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return await run_in_threadpool(guarded, request, build)


#: where "/" leads, by the first permission the caller's role grants
HOMES = (("search", "/search"), ("alerts", "/alerts"), ("jobs", "/jobs"), ("audit", "/audit"))


@router.get("/")
def home(request: Request) -> Response:
    try:
        who = principal(request, None)
    except NeedLogin:
        return RedirectResponse("/login", status_code=303)
    target = next((path for perm, path in HOMES if perm in who.user.permissions), "/search")
    return RedirectResponse(target, status_code=303)


@router.get("/case")
def case_form(request: Request, next: str = "/search") -> Response:
    return guarded(request, lambda: (principal(request, None),
                                     page(request, "case.html", next=safe_next(next), error=""))[1])


@router.post("/case")
async def case_submit(request: Request) -> Response:
    fields = await form(request)

    def build() -> Response:
        who = principal(request, None)
        check_form_csrf(who, fields)
        try:
            case = registered_case(services(request).nw.data_dir, fields.get("case_ref", ""))
        except AuthError as exc:
            return page(request, "case.html", 400, next=safe_next(fields.get("next", "/search")),
                        error=str(exc))
        svc = services(request)
        svc.users.set_case_ref(who.session_token, case)
        svc.audit.append(actor=who.username, role=who.user.role, action="case", case_ref=case)
        return RedirectResponse(safe_next(fields.get("next", "/search")), status_code=303)

    return await run_in_threadpool(guarded, request, build)


# --- intelligence pages (permission `search`, audited under the session's case) ------------------
def _with_filter(query: str, field: str, value: str) -> str:
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    clause = f"{field}:{quoted}"
    return clause if query.strip() in ("", "*") else f"({query}) AND {clause}"


@router.get("/search")
def search_page(request: Request, q: str = "", kind: str = "listing", page_no: int = 1) -> Response:
    def build() -> Response:
        who = principal(request, "search", case=True)
        if not q.strip():
            return page(request, "search.html", q="", kind=kind, result=None, facets={}, pages=0,
                        page_no=1, kinds=KINDS)
        svc, k = services(request), (None if kind == "any" else kind if kind in KINDS else "listing")
        number = max(1, min(page_no, 500))
        result = _audited.search(svc, who, q[:2000], kind=k, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        facets = _audited.facets(svc, who, q[:2000], kind=k)
        links = {name: [(f["value"], f["count"], _with_filter(q, _audited.FACETS[name], str(f["value"])))
                        for f in values] for name, values in facets.items()}
        pages = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
        return page(request, "search.html", q=q, kind=kind, result=result, facets=links, pages=pages,
                    page_no=number, kinds=KINDS)

    return guarded(request, build)


@router.get("/listing/{doc_id:path}")
def listing_page(request: Request, doc_id: str) -> Response:
    def build() -> Response:
        who = principal(request, "search", case=True)
        view = _audited.listing_view(services(request), who, doc_id)
        points = [(iso_ts(o.get("seen_at", "")), (o.get("price") or {}).get("amount")) for o in view["history"]]
        points = [(t, v) for t, v in points if t is not None and isinstance(v, int | float)]
        currency = next(((o.get("price") or {}).get("currency") for o in view["history"] if o.get("price")), "")
        chart = {"title": f"price ({currency})" if currency else "price", "kind": "line",
                 "x": [t for t, _ in points], "series": [{"label": currency or "price",
                                                          "values": [v for _, v in points]}]}
        return page(request, "listing.html", doc=view["document"], history=view["history"], chart=chart)

    return guarded(request, build)


@router.get("/vendor/{vendor_id}")
def vendor_page(request: Request, vendor_id: str) -> Response:
    def build() -> Response:
        who = principal(request, "search", case=True)
        view = _audited.vendor_view(services(request), who, vendor_id)
        chart = {"title": "listings per month", "kind": "bars",
                 "x": [month_ts(a["month"]) for a in view["activity"]],
                 "series": [{"label": "listings", "values": [a["listings"] for a in view["activity"]]}]}
        vid = str(view["vendor"].get("vendor_id") or vendor_id)
        quoted = vid.replace("\\", "\\\\").replace('"', '\\"')
        wallets = _audited.wallet_timeline(services(request), who, vid, f'vendor_id:"{quoted}"')
        return page(request, "vendor.html", view=view, v=view["vendor"], chart=chart, wallets=wallets)

    return guarded(request, build)


@router.get("/trends")
def trends_page(request: Request, q: str = "*") -> Response:
    def build() -> Response:
        who = principal(request, "search", case=True)
        data = _audited.trends(services(request), who, q[:2000] or "*")
        months = sorted({p["month"] for s in data["products"] for p in s["points"]})
        x = [month_ts(m) for m in months]

        def series(key: str) -> list[dict[str, Any]]:
            out = []
            for s in data["products"]:
                by_month = {p["month"]: p[key] for p in s["points"]}
                out.append({"label": s["product"], "values": [by_month.get(m) for m in months]})
            return out

        charts = [
            {"id": "chart-listings", "title": "listings per product per month", "kind": "line", "x": x,
             "series": series("listings")},
            {"id": "chart-median", "title": "median price (EUR) per product per month", "kind": "line", "x": x,
             "series": series("median_eur")},
            {"id": "chart-vendors", "title": "new vendors per week", "kind": "bars",
             "x": [iso_ts(w["week"] + "T00:00:00+00:00") for w in data["new_vendors"]],
             "series": [{"label": "new vendors", "values": [w["vendors"] for w in data["new_vendors"]]}]},
        ]
        hub_months = sorted({p["month"] for h in data["hubs"] for p in h["points"]})
        charts.append({"id": "chart-hubs", "title": "listings and posts naming a logistics hub, per month",
                       "kind": "line", "x": [month_ts(m) for m in hub_months],
                       "series": [{"label": h["hub"], "values": [{p["month"]: p["documents"] for p in h["points"]}
                                                                 .get(m, 0) for m in hub_months]}
                                  for h in data["hubs"]]})
        return page(request, "trends.html", q=q, data=data, charts=charts)

    return guarded(request, build)


@router.get("/audit")
def audit_page(request: Request, actor: str = "", action: str = "") -> Response:
    def build() -> Response:
        principal(request, "audit")
        svc = services(request)
        records = svc.audit.records(actor=actor or None, action=action or None, limit=200)
        return page(request, "audit.html", records=records, report=svc.audit.verify(), actor=actor,
                    action=action)

    return guarded(request, build)


def current(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)
