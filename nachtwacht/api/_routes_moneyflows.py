"""Money flows: wallet timelines, shared wallets, money-mule leads, TagPack/CSV export with TLP
(permission `search`, audited under the caller's case; issue 12)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from . import _audited
from ._context import Principal, Services
from ._deps import require, services

__all__ = ["router"]

router = APIRouter(prefix="/api/moneyflows", tags=["money flows"])
Analyst = Annotated[Principal, Depends(require("search", case=True))]
Svc = Annotated[Services, Depends(services)]
Q = Annotated[str, Query(max_length=2000, description="only documents matching this query")]
Tlp = Literal["clear", "white", "green", "amber", "amber+strict", "red"]


@router.get("/wallets", summary="Wallet timeline: each address per vendor and market, first/last seen, evidence")
def wallets(who: Analyst, svc: Svc, q: Q = "*",
            vendor: Annotated[str | None, Query(max_length=200, description="normalised id or handle")] = None,
            ) -> dict[str, Any]:
    rows = _audited.wallet_timeline(svc, who, vendor, q)
    return {"query": q, "vendor": vendor, "total": len(rows), "sightings": rows}


@router.get("/shared", summary="Addresses used by several vendors, or by one vendor on several markets")
def shared(who: Analyst, svc: Svc, q: Q = "*") -> dict[str, Any]:
    rows = _audited.shared_wallets(svc, who, q)
    return {"query": q, "total": len(rows), "shared": rows}


@router.get("/mules", summary="Money-mule recruitment posts and the vendors they tie to")
def mules(who: Analyst, svc: Svc, q: Q = "*") -> dict[str, Any]:
    rows = _audited.mule_leads(svc, who, q)
    return {"query": q, "total": len(rows), "mules": rows}


@router.get("/export", summary="Wallet attributions as a GraphSense TagPack (YAML) or CSV, with TLP",
            responses={200: {"content": {"application/yaml": {}, "text/csv": {}}},
                       404: {"description": "no valid wallet attribution in the selection"}})
def export(who: Analyst, svc: Svc,
           tlp: Annotated[Tlp, Query(description="TLP 2.0 marking chosen by the analyst")],
           format: Literal["tagpack", "csv"] = "tagpack", q: Q = "*",
           creator: Annotated[str, Query(min_length=1, max_length=120, description="TagPack creator")] = "Nachtwacht",
           ) -> Response:
    text, count = _audited.moneyflows_export(svc, who, q, fmt=format, tlp=tlp, creator=creator)
    name = "nachtwacht-wallets." + ("yaml" if format == "tagpack" else "csv")
    media = "application/yaml" if format == "tagpack" else "text/csv; charset=utf-8"
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                     "X-Attributions": str(count), "X-TLP": tlp.upper()})
