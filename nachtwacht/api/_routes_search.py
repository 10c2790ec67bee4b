"""Search, documents, listings' price history, vendors, trends and exports (permission `search`)."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from . import _audited
from ._context import Principal, Services
from ._deps import require, services
from ._schemas import Kind, SearchOut

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["search"])
Analyst = Annotated[Principal, Depends(require("search", case=True))]
Svc = Annotated[Services, Depends(services)]
Q = Annotated[str, Query(max_length=2000, description="analyst query language, e.g. `cocaine AND country:NL`")]


def _kind(kind: str) -> str | None:
    return None if kind == "any" else kind


@router.get("/search", response_model=SearchOut, summary="Search listings, posts and vendors")
def search(who: Analyst, svc: Svc, q: Q = "*", kind: Kind = "listing",
           limit: Annotated[int, Query(ge=0, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
           sort: Annotated[str | None, Query(max_length=40, description="field, -field or field:desc")] = None,
           facets: bool = False) -> SearchOut:
    result = _audited.search(svc, who, q, kind=_kind(kind), limit=limit, offset=offset, sort=sort)
    found = _audited.facets(svc, who, q, kind=_kind(kind)) if facets else None
    return SearchOut(query=q, total=result.total, hits=result.hits, facets=found)


@router.get("/documents/{doc_id:path}", summary="One stored document with its evidence reference")
def document(doc_id: str, who: Analyst, svc: Svc) -> dict[str, Any]:
    return _audited.document(svc, who, doc_id)


@router.get("/listings/{listing_id}/history", summary="A listing and its price/availability history")
def listing_history(listing_id: str, who: Analyst, svc: Svc) -> dict[str, Any]:
    return _audited.listing_view(svc, who, listing_id)


@router.get("/vendors", summary="Vendor profiles, most listings first")
def vendors(who: Analyst, svc: Svc, q: Q = "*",
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    result = _audited.search(svc, who, q, kind="vendor", limit=limit, offset=0, sort="-listing_count")
    return {"total": result.total, "vendors": result.hits}


@router.get("/vendors/{vendor_id}", summary="A vendor: markets, handles, wallets, keys, linked vendors, activity")
def vendor(vendor_id: str, who: Analyst, svc: Svc) -> dict[str, Any]:
    return _audited.vendor_view(svc, who, vendor_id)


@router.get("/trends", summary="Listings and median price per product per month; new vendors per week")
def trends(who: Analyst, svc: Svc, q: Q = "*",
           products: Annotated[int, Query(ge=1, le=30)] = 8) -> dict[str, Any]:
    return _audited.trends(svc, who, q, products=products)


_CSV_COLUMNS = ("id", "kind", "site", "url", "title", "vendor", "vendor_id", "price", "currency",
                "price_eur", "ships_from", "ships_to", "category", "products", "first_seen", "last_seen")


def _csv_row(doc: dict[str, Any]) -> list[str]:
    price = doc.get("price") or {}
    eur = doc.get("price_eur") or {}
    values = {**doc, "price": price.get("amount", ""), "currency": price.get("currency", ""),
              "price_eur": eur.get("amount", ""), "ships_to": ";".join(doc.get("ships_to") or []),
              "products": ";".join(p.get("name", "") for p in doc.get("products") or [])}
    out = []
    for col in _CSV_COLUMNS:
        text = "" if values.get(col) is None else str(values.get(col))
        out.append("'" + text if text[:1] in ("=", "+", "-", "@") else text)  # no spreadsheet formulas
    return out


@router.get("/export", summary="Export matching documents as CSV or JSON",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export(who: Analyst, svc: Svc, q: Q = "*", kind: Kind = "listing",
           format: Literal["csv", "json"] = "json",
           limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000) -> Response:
    docs = _audited.export(svc, who, q, kind=_kind(kind), fmt=format, limit=limit)
    name = f"nachtwacht-export.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        body = json.dumps({"query": q, "case_ref": who.case_ref, "total": len(docs), "documents": docs},
                          ensure_ascii=False, default=str)
        return Response(body, media_type="application/json", headers=headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_CSV_COLUMNS)
    writer.writerows(_csv_row(d) for d in docs)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
