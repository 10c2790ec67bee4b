"""Alerts: the inbox, one alert with its history, workflow actions (permission `alerts`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from . import _audited
from ._context import Principal, Services
from ._deps import require, services

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["alerts"])
Analyst = Annotated[Principal, Depends(require("alerts"))]
Svc = Annotated[Services, Depends(services)]
AlertId = Annotated[int, Path(ge=1, le=2**62)]
Status = Literal["new", "acknowledged", "investigating", "closed", "false_positive"]


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["acknowledged", "investigating", "closed", "false_positive", "assign", "comment"]
    note: str = Field(default="", max_length=2000)
    assignee: str = Field(default="", max_length=64)


@router.get("/alerts", summary="Alert inbox, newest first")
def list_alerts(who: Analyst, svc: Svc, status: Status | None = None,
                type: Annotated[str | None, Query(max_length=40)] = None,
                severity: Annotated[str | None, Query(max_length=20)] = None,
                open_only: bool = False,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    return _audited.alerts(svc, who, status=status, type=type, severity=severity, open_only=open_only,
                           limit=limit)


@router.get("/alerts/{alert_id}", summary="One alert with its workflow history")
def get_alert(alert_id: AlertId, who: Analyst, svc: Svc) -> dict[str, Any]:
    return _audited.alert(svc, who, alert_id)


@router.post("/alerts/{alert_id}/actions", summary="Acknowledge, investigate, close, assign or comment")
def act(alert_id: AlertId, body: ActionIn, who: Analyst, svc: Svc) -> dict[str, Any]:
    return _audited.alert_action(svc, who, alert_id, body.action, note=body.note, assignee=body.assignee)
