"""Users (permission `users`) and the audit log (permission `audit`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ._context import Principal, Services
from ._deps import require, services
from ._schemas import UserIn, UserPatch

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["admin"])
Admin = Annotated[Principal, Depends(require("users"))]
Auditor = Annotated[Principal, Depends(require("audit"))]
Svc = Annotated[Services, Depends(services)]


@router.get("/users", summary="All users and their roles")
def list_users(who: Admin, svc: Svc) -> list[dict[str, Any]]:
    return [u.to_dict() for u in svc.users.list_users()]


@router.post("/users", status_code=201, summary="Create a user")
def create_user(body: UserIn, who: Admin, svc: Svc) -> dict[str, Any]:
    user = svc.users.create_user(body.username, body.password, body.role)
    svc.audit.append(actor=who.username, role=who.user.role, action="user.create", target=user.username,
                     details={"role": user.role})
    return user.to_dict()


@router.patch("/users/{username}", summary="Change a user's role, password or disabled flag")
def update_user(username: str, body: UserPatch, who: Admin, svc: Svc) -> dict[str, Any]:
    user = svc.users.update(username, role=body.role, disabled=body.disabled, password=body.password)
    svc.audit.append(actor=who.username, role=who.user.role, action="user.update", target=username,
                     details={"role": body.role, "disabled": body.disabled,
                              "password_changed": body.password is not None})
    return user.to_dict()


@router.get("/audit", summary="Audit records, newest first")
def audit_records(who: Auditor, svc: Svc,
                  actor: Annotated[str | None, Query(max_length=64)] = None,
                  action: Annotated[str | None, Query(max_length=40)] = None,
                  case_ref: Annotated[str | None, Query(max_length=64)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> list[dict[str, Any]]:
    return svc.audit.records(actor=actor, action=action, case_ref=case_ref, limit=limit, offset=offset)


@router.get("/audit/verify", summary="Recompute the audit hash chain")
def audit_verify(who: Auditor, svc: Svc) -> dict[str, Any]:
    return svc.audit.verify().to_dict()
