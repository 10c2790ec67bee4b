"""Authentication and authorisation dependencies. Every route declares one permission (deny by default)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from nachtwacht.users import AuthError, Forbidden, InvalidCredentials

from ._context import SESSION_COOKIE, Principal, Services
from ._legal import registered_case, still_registered

__all__ = ["SAFE_METHODS", "authenticate", "require", "services"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="API token (`nachtwacht users token USER`)")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="browser session cookie")


def services(request: Request) -> Services:
    return request.app.state.services


def authenticate(request: Request, svc: Services, bearer: str | None, cookie: str | None,
                 case_header: str | None) -> Principal:
    """The caller behind a bearer token or a session cookie; raises InvalidCredentials."""
    if bearer:
        user = svc.users.user_for_token(bearer)
        principal = Principal(user, "token")
    elif cookie:
        session = svc.users.session(cookie)
        principal = Principal(session.user, "session", session.case_ref, session.csrf, cookie)
    else:
        raise InvalidCredentials("authentication required: an API token or a session")
    if case_header:
        principal = Principal(principal.user, principal.via, registered_case(svc.nw.data_dir, case_header),
                              principal.csrf, principal.session_token)
    request.state.principal = principal
    return principal


def check_csrf(principal: Principal, sent: str | None) -> None:
    """Session callers must echo their CSRF token on unsafe requests; token callers need not."""
    if principal.via != "session":
        return
    if not sent or not hmac.compare_digest(sent, principal.csrf):
        raise Forbidden("missing or wrong CSRF token (send X-CSRF-Token)")


def require(permission: str, *, case: bool = False) -> Callable[..., Principal]:
    """A dependency: the authenticated caller, if their role grants `permission`.

    `case=True` also demands a case reference (X-Case-Ref header or the session's case):
    searches and openings are uses of police powers and are audited under it.
    """

    def dependency(
        request: Request,
        svc: Annotated[Services, Depends(services)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        cookie: Annotated[str | None, Depends(_cookie)],
        x_case_ref: Annotated[str | None, Header(description="case reference of this use")] = None,
        x_csrf_token: Annotated[str | None, Header(description="CSRF token (session callers)")] = None,
    ) -> Principal:
        principal = authenticate(request, svc, bearer.credentials if bearer else None, cookie, x_case_ref)
        if permission not in principal.user.permissions:
            raise Forbidden(f"role {principal.user.role!r} may not {permission}")
        if request.method not in SAFE_METHODS:
            check_csrf(principal, x_csrf_token)
        if case and not principal.case_ref:
            raise AuthError("a case reference is required: send X-Case-Ref or set your session's case")
        if case and not x_case_ref and not still_registered(svc.nw.data_dir, principal.case_ref):
            raise AuthError(f"the session's case {principal.case_ref!r} is not a registered case: set "
                            "a registered one (PUT /api/me/case)")
        return principal

    dependency.__name__ = f"require_{permission}"
    return dependency


def require_login() -> Callable[..., Principal]:
    """A dependency for routes any signed-in user may call (their own profile, tokens)."""

    def dependency(
        request: Request,
        svc: Annotated[Services, Depends(services)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        cookie: Annotated[str | None, Depends(_cookie)],
        x_csrf_token: Annotated[str | None, Header(description="CSRF token (session callers)")] = None,
    ) -> Principal:
        principal = authenticate(request, svc, bearer.credentials if bearer else None, cookie, None)
        if principal.user.disabled:
            raise InvalidCredentials("account disabled")
        if request.method not in SAFE_METHODS:
            check_csrf(principal, x_csrf_token)
        return principal

    return dependency
