"""Who is browsing: the session behind the cookie, its permission and its CSRF token for forms."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs, quote

from fastapi import Request

from nachtwacht.api._context import SESSION_COOKIE, Principal, Services
from nachtwacht.api._legal import still_registered
from nachtwacht.users import Forbidden, InvalidCredentials

__all__ = ["LOGIN_CSRF_COOKIE", "NeedCase", "NeedLogin", "form", "login_csrf", "principal", "services"]

LOGIN_CSRF_COOKIE = "nw_login_csrf"
MAX_FORM_BYTES = 16_384


class NeedLogin(Exception):
    """No live session: the view answers with a redirect to the login page."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class NeedCase(Exception):
    """The page needs a case reference and the session has none: ask for it first."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def services(request: Request) -> Services:
    return request.app.state.services


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def principal(request: Request, permission: str | None, *, case: bool = False) -> Principal:
    """The session's caller if their role grants `permission` (None: any signed-in user).

    Raises NeedLogin (no or expired session), Forbidden (role), NeedCase (no case reference).
    """
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NeedLogin(_here(request))
    try:
        session = services(request).users.session(cookie)
    except InvalidCredentials:
        raise NeedLogin(_here(request)) from None
    who = Principal(session.user, "session", session.case_ref, session.csrf, cookie)
    if permission is not None and permission not in who.user.permissions:
        raise Forbidden(f"your role ({who.user.role}) may not {permission}")
    if case and not (who.case_ref and still_registered(services(request).nw.data_dir, who.case_ref)):
        raise NeedCase(_here(request))  # none yet, or not (any longer) a registered case
    request.state.principal = who
    return who


async def form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST (first value per field); oversized forms are empty."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def check_form_csrf(who: Principal, fields: dict[str, str]) -> None:
    if not hmac.compare_digest(fields.get("csrf_token", ""), who.csrf):
        raise Forbidden("the form expired or came from elsewhere (CSRF); reload the page")


def login_csrf(request: Request) -> str:
    """The login form's double-submit token: the cookie's value, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def safe_next(value: str) -> str:
    """Only local paths after login (no open redirect)."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/search"


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="")
