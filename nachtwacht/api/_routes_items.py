"""Saved searches and watch lists: each user's own (another user's are not found)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from ._context import Principal, Services
from ._deps import require, services
from ._schemas import SavedSearchIn, WatchIn

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["saved searches and watch lists"])
Analyst = Annotated[Principal, Depends(require("search"))]
Svc = Annotated[Services, Depends(services)]
ItemId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/saved-searches", summary="My saved searches")
def list_saved(who: Analyst, svc: Svc) -> list[dict[str, Any]]:
    return svc.items.list(who.username, "search")


@router.post("/saved-searches", status_code=201, summary="Save a search")
def add_saved(body: SavedSearchIn, who: Analyst, svc: Svc) -> dict[str, Any]:
    return svc.items.add(who.username, "search", body.name, {"query": body.query, "kind": body.kind})


@router.get("/saved-searches/{item_id}", summary="One of my saved searches")
def get_saved(item_id: ItemId, who: Analyst, svc: Svc) -> dict[str, Any]:
    return svc.items.get(who.username, "search", item_id)


@router.delete("/saved-searches/{item_id}", summary="Delete one of my saved searches")
def delete_saved(item_id: ItemId, who: Analyst, svc: Svc) -> dict[str, bool]:
    svc.items.delete(who.username, "search", item_id)
    return {"ok": True}


@router.get("/watchlist", summary="My watch list")
def list_watch(who: Analyst, svc: Svc) -> list[dict[str, Any]]:
    return svc.items.list(who.username, "watch")


@router.post("/watchlist", status_code=201, summary="Watch a vendor, wallet, PGP key, product or term")
def add_watch(body: WatchIn, who: Analyst, svc: Svc) -> dict[str, Any]:
    return svc.items.add(who.username, "watch", body.name or body.value, {"kind": body.kind, "value": body.value})


@router.delete("/watchlist/{item_id}", summary="Stop watching")
def delete_watch(item_id: ItemId, who: Analyst, svc: Svc) -> dict[str, bool]:
    svc.items.delete(who.username, "watch", item_id)
    return {"ok": True}
