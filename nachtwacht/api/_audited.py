"""Reads of intelligence, each preceded by its audit record (no record, no read).

The API routes and the web views both come through here, so a search is audited the same
way whichever door it used. Calls go to `Nachtwacht` methods only.
"""

from __future__ import annotations

import math
from typing import Any

from nachtwacht.exceptions import NotFound
from nachtwacht.users import AuthError, Forbidden

from ._context import Principal, Services

__all__ = ["FACETS", "alert", "alert_action", "alerts", "document", "evidence", "export", "facets", "listing_view",
           "moneyflows_export", "mule_leads", "search", "shared_wallets", "trends", "vendor_view",
           "wallet_timeline"]

#: facet name -> index field (analyst names, as the query language accepts them)
FACETS = {"market": "site", "category": "category", "product": "product", "country": "ships_from",
          "vendor": "vendor_id"}


def _audit(svc: Services, who: Principal, action: str, target: str, **details: Any) -> None:
    svc.audit.append(actor=who.username, role=who.user.role, action=action, target=target,
                     case_ref=who.case_ref, details={"via": who.via, **details})


def search(svc: Services, who: Principal, query: str, *, kind: str | None, limit: int, offset: int,
           sort: str | None = None) -> Any:
    _audit(svc, who, "search", query, kind=kind, limit=limit, offset=offset, sort=sort)
    return svc.nw.search_sorted(query, kind=kind, limit=limit, offset=offset, sort=sort)


def facets(svc: Services, who: Principal, query: str, *, kind: str | None = "listing",
           size: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Term counts per facet for the documents matching `query` (part of the audited search)."""
    request = {name: {"terms": {"field": field, "size": size}} for name, field in FACETS.items()}
    result = svc.nw.aggregate(request, query=query, kind=kind)
    return {name: [{"value": b["key"], "count": b["doc_count"]} for b in result[name]["buckets"]]
            for name in FACETS}


def document(svc: Services, who: Principal, doc_id: str) -> dict[str, Any]:
    _audit(svc, who, "open", doc_id)
    return svc.nw.document(doc_id)


def listing_view(svc: Services, who: Principal, doc_id: str) -> dict[str, Any]:
    """A listing with its price history (observations, oldest first)."""
    doc = document(svc, who, doc_id)
    history = svc.nw.price_history(doc_id) if doc.get("kind") == "listing" else []
    return {"document": doc, "history": history}


def _vendor_id(value: str) -> str:
    return value.removeprefix("vendor:")


def vendor_view(svc: Services, who: Principal, vendor_id: str) -> dict[str, Any]:
    """A vendor profile, its linked vendors (profiles where they exist), listings and monthly activity."""
    vid = _vendor_id(vendor_id)
    _audit(svc, who, "open", f"vendor:{vid}")
    profile = svc.nw.vendor(vid)
    quoted = vid.replace("\\", "\\\\").replace('"', '\\"')
    listings = svc.nw.search_sorted(f'vendor_id:"{quoted}"', kind="listing", limit=100)
    activity = svc.nw.aggregate({"months": {"terms": {"field": "month", "size": 120}}},
                                query=f'vendor_id:"{quoted}"', kind="listing")
    months = sorted((b["key"], b["doc_count"]) for b in activity["months"]["buckets"])
    links, seen = [], set()
    for link in [*(profile.get("links") or []), *svc.nw.vendor_links(vid)]:
        other = dict(link) if isinstance(link, dict) else {"vendor_id": str(link)}
        if other.get("vendor_id") in seen:
            continue
        seen.add(other.get("vendor_id"))
        other["known"] = True
        try:
            other["profile"] = svc.nw.vendor(_vendor_id(str(other.get("vendor_id", ""))))
        except NotFound:  # a link to a vendor not (yet) indexed is still shown
            other["known"] = False
        links.append(other)
    return {"vendor": profile, "links": links, "listings": listings.hits, "listing_total": listings.total,
            "activity": [{"month": m, "listings": c} for m, c in months]}


def trends(svc: Services, who: Principal, query: str = "*", *, products: int = 8) -> dict[str, Any]:
    """Listings and median EUR price per product per month; new vendors per week; documents
    (listings, posts) naming each logistics hub per month."""
    _audit(svc, who, "trends", query)
    per_product = svc.nw.aggregate({"products": {"terms": {"field": "product", "size": products}, "aggs": {
        "months": {"terms": {"field": "month", "size": 240},
                   "aggs": {"price": {"percentiles": {"field": "price_eur", "percents": [50]}}}}}}},
        query=query, kind="listing")
    series = []
    for bucket in per_product["products"]["buckets"]:
        points = []
        for m in sorted(bucket["months"]["buckets"], key=lambda b: b["key"]):
            median = next(iter(m["price"]["values"].values()), None)
            median = median if isinstance(median, int | float) and math.isfinite(median) else None
            points.append({"month": m["key"], "listings": m["doc_count"], "median_eur": median})
        series.append({"product": bucket["key"], "listings": bucket["doc_count"], "points": points})
    weekly = svc.nw.aggregate({"weeks": {"date_histogram": {"field": "first_seen", "fixed_interval": "7d",
                                                            "min_doc_count": 1}}}, kind="vendor")
    new_vendors = [{"week": b["key_as_string"][:10], "vendors": b["doc_count"]}
                   for b in weekly["weeks"]["buckets"]]
    per_hub = svc.nw.aggregate({"hubs": {"terms": {"field": "hub", "size": products},
                                         "aggs": {"months": {"terms": {"field": "month", "size": 240}}}}},
                               query=query, kind=None)  # listings and posts naming a hub (issue 12)
    hubs = [{"hub": b["key"], "documents": b["doc_count"],
             "points": [{"month": m["key"], "documents": m["doc_count"]}
                        for m in sorted(b["months"]["buckets"], key=lambda m: m["key"])]}
            for b in per_hub["hubs"]["buckets"]]
    return {"query": query, "products": series, "new_vendors": new_vendors, "hubs": hubs}


def export(svc: Services, who: Principal, query: str, *, kind: str | None, fmt: str,
           limit: int) -> list[dict[str, Any]]:
    _audit(svc, who, "export", query, kind=kind, format=fmt, limit=limit)
    return svc.nw.export(query, kind=kind, limit=limit)


# --- alerts (permission `alerts`) ----------------------------------------------------------------
ALERT_ACTIONS = ("acknowledged", "investigating", "closed", "false_positive", "assign", "comment")


def alerts(svc: Services, who: Principal, **filters: Any) -> list[dict[str, Any]]:
    return svc.nw.alerts(**filters)


def alert(svc: Services, who: Principal, event_id: int) -> dict[str, Any]:
    _audit(svc, who, "open", f"alert:{event_id}")
    return svc.nw.alert(event_id)


def alert_action(svc: Services, who: Principal, event_id: int, action: str, *, note: str = "",
                 assignee: str = "") -> dict[str, Any]:
    """Act on an alert. An alert assigned to someone else is theirs: only they or an admin act on it."""
    if action not in ALERT_ACTIONS:
        raise AuthError(f"unknown action {action!r}; one of {', '.join(ALERT_ACTIONS)}")
    current = svc.nw.alert(event_id)
    owner = current.get("assignee") or ""
    if owner and owner != who.username and who.user.role != "admin":
        raise Forbidden(f"alert {event_id} is assigned to {owner}")
    if action == "assign" and assignee and assignee != who.username and who.user.role != "admin":
        raise Forbidden("only an admin assigns alerts to someone else")
    _audit(svc, who, f"alert.{action}", f"alert:{event_id}", note=note[:500], assignee=assignee)
    return svc.nw.alert_action(event_id, action, actor=who.username, note=note, assignee=assignee)


# --- evidence bundles (permission `search`) --------------------------------------------------------
def evidence(svc: Services, who: Principal, doc_id: str) -> Any:
    """Export the evidence bundle of one document under `<data_dir>/evidence/exports/` (kept, as
    the export is logged in the evidence custody log); returns its ExportResult."""
    import hashlib
    from datetime import UTC, datetime

    _audit(svc, who, "evidence.export", doc_id)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{who.username}-{hashlib.sha256(doc_id.encode()).hexdigest()[:12]}.zip"
    out = svc.nw.data_dir / "evidence" / "exports" / name
    return svc.nw.evidence_bundle([doc_id], out, exported_by=who.username,
                                  note=f"case {who.case_ref}; exported through the API ({who.via})")


# --- money flows (permission `search`, issue 12) ---------------------------------------------------
def wallet_timeline(svc: Services, who: Principal, vendor: str | None, query: str = "*") -> list[dict[str, Any]]:
    _audit(svc, who, "moneyflows.wallets", f"vendor:{_vendor_id(vendor)}" if vendor else query, query=query)
    return svc.nw.wallet_timeline(vendor, query=query)


def shared_wallets(svc: Services, who: Principal, query: str = "*") -> list[dict[str, Any]]:
    _audit(svc, who, "moneyflows.shared", query)
    return svc.nw.shared_wallets(query=query)


def mule_leads(svc: Services, who: Principal, query: str = "*") -> list[dict[str, Any]]:
    _audit(svc, who, "moneyflows.mules", query)
    return svc.nw.mule_leads(query=query)


def moneyflows_export(svc: Services, who: Principal, query: str, *, fmt: str, tlp: str,
                      creator: str) -> tuple[str, int]:
    """TagPack/CSV text of the wallet attributions and their count; audited with format and TLP."""
    _audit(svc, who, "moneyflows.export", query, format=fmt, tlp=tlp, creator=creator)
    return svc.nw.moneyflows_export(fmt=fmt, tlp=tlp, query=query, creator=creator)
