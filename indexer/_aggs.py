"""Aggregation requests (ES-style JSON) checked and translated once, answers normalised once.

Requests may name analyst fields (``vendor``, ``product``); ``translate`` maps them to index
fields and rejects what the backends would not agree on. ``normalise`` gives every backend's
answer the same shape: bucket lists sorted the ES way, integer date keys, ISO ``key_as_string``,
no backend-specific extras (``doc_count_error_upper_bound``...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ._mapping import resolve_field
from .exceptions import QueryError

__all__ = ["SUPPORTED", "normalise", "translate"]

_BUCKET = {"terms", "date_histogram", "histogram", "range"}
_METRIC = {"stats", "percentiles", "cardinality", "avg", "min", "max", "sum", "value_count"}
SUPPORTED = frozenset(_BUCKET | _METRIC)


def _field(name: Any, agg: str) -> str:
    if not isinstance(name, str):
        raise QueryError(f"aggregation {agg!r} needs a 'field'")
    specs = [s for s in resolve_field(name) if s.kind != "text"]
    if not specs:
        raise QueryError(f"aggregation {agg!r}: unknown or non-aggregatable field {name!r}")
    return specs[0].name


def translate(request: dict[str, Any]) -> dict[str, Any]:
    """Check an aggregation request and map analyst field names to index fields."""
    if not isinstance(request, dict) or not request:
        raise QueryError("an aggregation request is a non-empty object {name: {type: {...}}}")
    out: dict[str, Any] = {}
    for name, body in request.items():
        if not isinstance(body, dict):
            raise QueryError(f"aggregation {name!r} must be an object")
        types = [k for k in body if k not in ("aggs", "aggregations")]
        if len(types) != 1 or types[0] not in SUPPORTED:
            raise QueryError(
                f"aggregation {name!r}: expected one of {sorted(SUPPORTED)}, got {types}"
            )
        agg_type = types[0]
        params = dict(body[agg_type])
        params["field"] = _field(params.get("field"), name)
        if agg_type == "date_histogram":
            if "calendar_interval" in params:
                raise QueryError(
                    f"aggregation {name!r}: calendar_interval is not portable; "
                    "use fixed_interval, or a terms aggregation on 'month'"
                )
            if "fixed_interval" not in params:
                raise QueryError(f"aggregation {name!r}: date_histogram needs fixed_interval")
        if agg_type == "percentiles":
            params.setdefault("percents", [50.0])
            params.pop("hdr", None)
            params.pop("tdigest", None)
        entry: dict[str, Any] = {agg_type: params}
        subs = body.get("aggs") or body.get("aggregations")
        if subs:
            if agg_type not in _BUCKET:
                raise QueryError(f"aggregation {name!r}: a {agg_type} cannot have sub-aggregations")
            entry["aggs"] = translate(subs)
        out[name] = entry
    return out


def _iso(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _bucket(raw: dict[str, Any], agg_type: str, subs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": raw.get("key"), "doc_count": int(raw.get("doc_count", 0))}
    if agg_type == "date_histogram":
        out["key"] = int(raw["key"])
        out["key_as_string"] = _iso(raw["key"])
    elif agg_type == "histogram":
        out["key"] = float(raw["key"])
    elif agg_type == "range":
        for k in ("from", "to"):
            if raw.get(k) is not None:
                out[k] = float(raw[k])
    out.update(normalise(subs, raw))
    return out


def _one(agg_type: str, params: dict[str, Any], subs: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    if agg_type in _BUCKET:
        buckets = raw.get("buckets", [])
        if isinstance(buckets, dict):  # keyed range answers
            buckets = list(buckets.values())
        rows = [_bucket(b, agg_type, subs) for b in buckets]
        if agg_type == "terms" and "order" not in params:
            rows.sort(key=lambda b: (-b["doc_count"], str(b["key"])))
        if agg_type in ("date_histogram", "histogram") and params.get("min_doc_count", 0) >= 1:
            rows = [b for b in rows if b["doc_count"] >= params["min_doc_count"]]
        return {"buckets": rows}
    if agg_type == "stats":
        count = int(raw.get("count") or 0)
        if count == 0:
            return {"count": 0, "min": None, "max": None, "avg": None, "sum": 0.0}
        return {k: _num(raw.get(k)) for k in ("min", "max", "avg", "sum")} | {"count": count}
    if agg_type == "percentiles":
        values = raw.get("values") or {}
        if isinstance(values, list):  # keyed=false shape
            values = {str(v["key"]): v.get("value") for v in values}
        return {"values": {str(float(k)): _num(v) for k, v in values.items()}}
    value = raw.get("value")
    if agg_type in ("cardinality", "value_count"):
        return {"value": int(value or 0)}
    return {"value": _num(value)}


def normalise(request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """Reshape a backend's answer to ``request`` (already translated) into the common shape."""
    out: dict[str, Any] = {}
    for name, body in request.items():
        agg_type = next(k for k in body if k != "aggs")
        raw = response.get(name) or {}
        out[name] = _one(agg_type, body[agg_type], body.get("aggs") or {}, raw)
    return out
