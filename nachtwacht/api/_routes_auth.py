"""Login, logout, the caller's own profile and case reference, API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from nachtwacht.users import AuthError

from ._context import SESSION_COOKIE, Principal, Services
from ._deps import require_login, services
from ._legal import registered_case
from ._schemas import CaseIn, LoginIn, LoginOut, TokenIn

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["auth"])
Login = Annotated[Principal, Depends(require_login())]
Svc = Annotated[Services, Depends(services)]


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def start_session(svc: Services, response: Response, username: str, password: str, case_ref: str,
                  client: str) -> Any:
    """Check the password (rate limited), open a session and set its cookie."""
    user = svc.users.authenticate(username, password, client=client)
    if case_ref:
        case_ref = registered_case(svc.nw.data_dir, case_ref)
    session = svc.users.create_session(user, case_ref=case_ref)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict",
                        secure=svc.secure_cookies, max_age=int(svc.users.session_ttl), path="/")
    svc.audit.append(actor=user.username, role=user.role, action="login", case_ref=session.case_ref,
                     details={"client": client})
    return session


@router.post("/auth/login", response_model=LoginOut, summary="Log in; sets the session cookie")
def login(body: LoginIn, request: Request, response: Response, svc: Svc) -> LoginOut:
    session = start_session(svc, response, body.username, body.password, body.case_ref, client_of(request))
    return LoginOut(username=session.user.username, role=session.user.role,
                    permissions=sorted(session.user.permissions), case_ref=session.case_ref,
                    csrf_token=session.csrf, expires_at=session.expires_at)


@router.post("/auth/logout", summary="End the session")
def logout(who: Login, response: Response, svc: Svc) -> dict[str, bool]:
    if who.session_token:
        svc.users.end_session(who.session_token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me", summary="Who am I, with which role and case")
def me(who: Login) -> dict[str, Any]:
    return who.user.to_dict() | {"via": who.via, "case_ref": who.case_ref}


@router.put("/me/case", summary="Set the case reference of this session")
def set_case(body: CaseIn, who: Login, svc: Svc) -> dict[str, Any]:
    if who.via != "session":
        raise AuthError("token callers send their case reference as X-Case-Ref on each request")
    session = svc.users.set_case_ref(who.session_token, registered_case(svc.nw.data_dir, body.case_ref))
    svc.audit.append(actor=who.username, role=who.user.role, action="case", case_ref=session.case_ref)
    return {"case_ref": session.case_ref}


@router.get("/tokens", summary="My API tokens (without their secrets)")
def list_tokens(who: Login, svc: Svc) -> list[dict[str, Any]]:
    return svc.users.tokens(who.username)


@router.post("/tokens", status_code=201, summary="Create an API token for myself; the secret is shown once")
def create_token(body: TokenIn, who: Login, svc: Svc) -> dict[str, Any]:
    secret, record = svc.users.create_token(who.username, body.name, ttl_days=body.ttl_days)
    svc.audit.append(actor=who.username, role=who.user.role, action="token.create", target=record["id"])
    return record | {"token": secret}


@router.delete("/tokens/{token_id}", summary="Revoke one of my API tokens")
def revoke_token(token_id: str, who: Login, svc: Svc) -> dict[str, bool]:
    svc.users.revoke_token(token_id, username=who.username)
    svc.audit.append(actor=who.username, role=who.user.role, action="token.revoke", target=token_id)
    return {"ok": True}
