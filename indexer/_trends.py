"""Trends for analysts: counts and prices over time per product, category, market, vendor, country.

Built on ``SearchBackend.aggregate`` only, so every backend answers the same. Periods:
``month`` (calendar month, a keyword stored at index time), ``week`` / ``day`` (fixed 7d/1d
buckets from the epoch, as ES and tantivy both compute them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ._base import SearchBackend
from .exceptions import QueryError

__all__ = ["DIMENSIONS", "INTERVALS", "new_vendors", "trend_request", "trends"]

#: Analyst names of the dimensions -> index field (aliases resolved by _aggs).
DIMENSIONS = {
    "product": "product",
    "category": "category",
    "market": "site",
    "site": "site",
    "vendor": "vendor_id",
    "country": "ships_from",
    "ships_from": "ships_from",
    "ships_to": "ships_to",
    "lang": "lang",
    "hub": "hub",  # logistics mentions (seaports, airports, postal services, lockers, methods)
    "hub_kind": "hub_kind",
}
INTERVALS = ("month", "week", "day")
_MAX_PERIODS = 1000


def _period_agg(interval: str, date_field: str = "seen", month_field: str = "month") -> dict[str, Any]:
    if interval == "month":
        return {"terms": {"field": month_field, "size": _MAX_PERIODS, "order": {"_key": "asc"}}}
    if interval in ("week", "day"):
        fixed = "7d" if interval == "week" else "1d"
        return {"date_histogram": {"field": date_field, "fixed_interval": fixed, "min_doc_count": 1}}
    raise QueryError(f"interval must be one of {', '.join(INTERVALS)}, got {interval!r}")


def trend_request(by: str, interval: str = "month", *, top: int = 10) -> dict[str, Any]:
    """The aggregation request behind ``trends`` (useful to run it elsewhere, e.g. the API)."""
    field = DIMENSIONS.get(by)
    if field is None:
        raise QueryError(f"trends by {by!r}: expected one of {', '.join(sorted(DIMENSIONS))}")
    period = _period_agg(interval)
    period["aggs"] = {
        "price": {"percentiles": {"field": "price_eur", "percents": [50, 90]}},
        "vendors": {"cardinality": {"field": "vendor_id"}},
    }
    return {"top": {"terms": {"field": field, "size": top}, "aggs": {"period": period}}}


def _period_key(bucket: dict[str, Any], interval: str) -> str:
    if interval == "month":
        return str(bucket["key"])
    return datetime.fromtimestamp(bucket["key"] / 1000, UTC).strftime("%Y-%m-%d")


def trends(
    backend: SearchBackend,
    *,
    by: str = "product",
    interval: str = "month",
    query: str = "*",
    kind: str | None = "listing",
    top: int = 10,
) -> dict[str, Any]:
    """Top ``top`` values of ``by`` and, per period, document count, distinct vendors and
    median / p90 ``price_eur``. Raises QueryError for an unknown dimension or interval."""
    answer = backend.aggregate(trend_request(by, interval, top=top), query=query, kind=kind)
    series = []
    for bucket in answer["top"]["buckets"]:
        points = []
        for p in bucket["period"]["buckets"]:
            values = p["price"]["values"]
            points.append({
                "period": _period_key(p, interval),
                "count": p["doc_count"],
                "vendors": p["vendors"]["value"],
                "median_price_eur": values.get("50.0"),
                "p90_price_eur": values.get("90.0"),
            })
        series.append({"key": bucket["key"], "total": bucket["doc_count"], "points": points})
    return {"by": by, "interval": interval, "query": query, "kind": kind, "series": series}


def new_vendors(backend: SearchBackend, *, interval: str = "month", query: str = "*") -> list[dict[str, Any]]:
    """Vendors first seen per period: [{"period", "count"}], oldest first."""
    agg = _period_agg(interval, date_field="first_seen", month_field="first_month")
    answer = backend.aggregate({"first": agg}, query=query, kind="vendor")
    return [
        {"period": _period_key(b, interval), "count": b["doc_count"]}
        for b in answer["first"]["buckets"]
        if b["doc_count"]
    ]
