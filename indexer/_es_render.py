"""Elasticsearch/OpenSearch side of the mapping: index body, document body, query DSL.

Shared by both cluster flavours (request bodies are shared, clients are not). Text fields
hold our pre-analysed tokens (see ``_analysis``) under the core ``whitespace`` analyzer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ._analysis import analyze
from ._mapping import FIELDS, MAPPING_VERSION, Prepared
from ._plan import P, PAll, PBool, PKeyword, PNone, PRange, PText, PWildcard

__all__ = ["DOC_FIELD", "index_body", "render", "render_aggs", "to_body"]

#: The stored document lives under this key; it is the only part kept in ``_source``.
DOC_FIELD = "doc"

_TYPES = {
    "keyword": {"type": "keyword"},
    "text": {"type": "text", "analyzer": "whitespace"},
    "number": {"type": "double"},
    "date": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
}


def index_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and mappings of one versioned index (``<prefix>-v<MAPPING_VERSION>``)."""
    props: dict[str, Any] = {DOC_FIELD: {"type": "object", "enabled": False}}
    props.update({name: dict(_TYPES[spec.kind]) for name, spec in FIELDS.items()})
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": "strict",
            "_source": {"includes": [DOC_FIELD]},
            "_meta": {"nachtwacht_mapping_version": MAPPING_VERSION},
            "properties": props,
        },
    }


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_body(prep: Prepared) -> dict[str, Any]:
    """The JSON a cluster indexes for one prepared document."""
    body: dict[str, Any] = {DOC_FIELD: prep.source}
    for name, values in prep.fields.items():
        kind = FIELDS[name].kind
        if kind == "text":
            body[name] = [" ".join(analyze(name, v)) for v in values]
        elif kind == "date":
            body[name] = [_iso(v) for v in values]
        else:
            body[name] = values
    return body


def _wildcard(pattern: str) -> str:
    return pattern.replace("\\", "\\\\")


def _text(field: str, text: str, slop: int) -> dict[str, Any]:
    tokens = analyze(field, text)
    if not tokens:
        return {"match_none": {}}
    if len(tokens) == 1:
        return {"term": {field: tokens[0]}}
    return {"match_phrase": {field: {"query": " ".join(tokens), "slop": slop, "analyzer": "whitespace"}}}


def render(p: P) -> dict[str, Any]:
    """Query DSL for a plan (same documents as the tantivy rendering)."""
    if isinstance(p, PAll):
        return {"match_all": {}}
    if isinstance(p, PNone):
        return {"match_none": {}}
    if isinstance(p, PKeyword):
        if len(p.values) == 1:
            return {"term": {p.field: p.values[0]}}
        return {"terms": {p.field: list(p.values)}}
    if isinstance(p, PWildcard):
        return {"wildcard": {p.field: {"value": _wildcard(p.pattern)}}}
    if isinstance(p, PRange):
        spec: dict[str, Any] = {}
        for value, inclusive, (inc_key, exc_key) in (
            (p.lo, p.include_lo, ("gte", "gt")),
            (p.hi, p.include_hi, ("lte", "lt")),
        ):
            if value is not None:
                spec[inc_key if inclusive else exc_key] = (
                    _iso(value) if isinstance(value, datetime) else value
                )
        if FIELDS[p.field].kind == "date":
            spec["format"] = "strict_date_optional_time"
        return {"range": {p.field: spec}}
    if isinstance(p, PText):
        parts = [_text(f, p.text, p.slop) for f in p.fields]
        return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}
    if isinstance(p, PBool):
        body: dict[str, Any] = {}
        if p.must:
            body["must"] = [render(x) for x in p.must]
        if p.must_not:
            body["must_not"] = [render(x) for x in p.must_not]
        if p.should:
            body["should"] = [render(x) for x in p.should]
            body["minimum_should_match"] = 1
        if not p.must and not p.should:
            body["must"] = [{"match_all": {}}]
        return {"bool": body}
    raise AssertionError(f"unknown plan node {p!r}")


def render_aggs(translated: dict[str, Any]) -> dict[str, Any]:
    """Cluster form of a translated aggregation request (HDR percentiles: exact-ish, like tantivy)."""
    out: dict[str, Any] = {}
    for name, body in translated.items():
        entry: dict[str, Any] = {}
        for key, params in body.items():
            if key == "aggs":
                entry["aggs"] = render_aggs(params)
            elif key == "percentiles":
                entry[key] = {**params, "hdr": {"number_of_significant_value_digits": 3}}
            else:
                entry[key] = dict(params)
        out[name] = entry
    return out
