"""The fast `prepare` and `_to_document` give exactly what the plain versions gave.

`_reference_prepare` is the previous, plain implementation (kept here only as the oracle); the
fast one must agree with it on every generated document and on the demo market's documents,
field order and value order included. The stored source must load (``json.loads``) to what
``json.dumps(default=str)`` gave, and the tantivy document must hold the same field values as
one built value by value with ``add_text``/``add_float``/``add_date``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
import tantivy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer._base import KINDS
from indexer._mapping import (
    FIELDS,
    LANGS,
    MAX_KEYWORD_CHARS,
    MAX_VALUES,
    _month,
    _truncate,
    parse_date,
    prepare,
)
from indexer._tantivy import _to_document, source_bytes
from indexer._tantivy_render import SOURCE_FIELD

# -- the oracle --------------------------------------------------------------------------------


def _strs(values: Any) -> list[str]:
    return [str(v) for v in values if v not in (None, "")]


def _each(items: Any, key: str) -> list[str]:
    return _strs(item.get(key) for item in items) if items else []


def _sub(source: dict[str, Any], key: str, sub: str) -> Any:
    inner = source.get(key)
    return inner.get(sub) if isinstance(inner, dict) else None


def _reference_prepare(doc: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, list[Any]]]:
    doc_id, kind = doc.get("id"), doc.get("kind")
    if not doc_id or not isinstance(doc_id, str):
        raise ValueError("no id")
    if kind not in KINDS:
        raise ValueError("bad kind")
    source, _cut = _truncate(doc)
    get = source.get
    ents = get("entities") or {}
    handles = get("handles") or {}
    products = get("products") or ()
    logistics = get("logistics") or ()
    wallets = ents.get("wallets") or ()
    raw: dict[str, list[Any]] = {
        "id": [doc_id],
        "kind": [kind],
        "site": _strs([get("site")]) + _strs(handles.keys()),
        "url": _strs([get("url")]),
        "vendor_id": _strs([get("vendor_id") or get("vendor")]) + _strs(handles.values()),
        "author": _strs([get("author")]),
        "channel": _strs([get("channel")]),
        "category": _strs([get("category")]) + _each(products, "category"),
        "product": _each(products, "name"),
        "hub": _each(logistics, "hub"),
        "hub_kind": _each(logistics, "kind"),
        "hub_country": _each(logistics, "country"),
        "ships_from": _strs([get("ships_from")]),
        "ships_to": _strs(get("ships_to") or ()),
        "lang": _strs([get("lang")]),
        "currency": _strs([_sub(source, "price", "currency")]),
        "wallet": _each(wallets, "address") + _strs(get("wallets") or ()),
        "chain": _each(wallets, "chain"),
        "pgp": _each(ents.get("pgp_keys"), "fingerprint") + _strs(get("pgp_fingerprints") or ()),
        "onion": _strs(ents.get("onions") or ()),
        "email": _strs(ents.get("emails") or ()),
        "contact": _each(ents.get("contacts"), "value"),
        "listing_id": _strs([get("listing_id")]),
        "price": [_sub(source, "price", "amount")],
        "price_eur": [_sub(source, "price_eur", "amount")],
        "quantity": [_sub(source, "quantity", "value")],
        "recruitment_score": [_sub(source, "recruitment", "score")],
        "listing_count": [get("listing_count")] if kind == "vendor" else [],
    }
    if isinstance(get("vendor_id"), str) and kind == "vendor":
        raw["vendor_id"].insert(0, source["vendor_id"])
    if isinstance(_sub(source, "recruitment", "label"), bool):
        raw["recruitment"] = [str(_sub(source, "recruitment", "label")).lower()]
    if isinstance(get("available"), bool):
        raw["available"] = [str(source["available"]).lower()]
    fields: dict[str, list[Any]] = {}
    for name, values in raw.items():
        spec = FIELDS[name]
        if spec.kind == "number":
            value = values[0] if values else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                fields[name] = [float(value)]
            continue
        kept = list(dict.fromkeys(n for n in (spec.norm(v)[:MAX_KEYWORD_CHARS] for v in values) if n))
        if kept:
            fields[name] = kept[:MAX_VALUES]
    dates = {k: parse_date(source.get(k)) for k in ("first_seen", "last_seen", "posted_at")}
    dates["seen"] = (parse_date(source.get("seen_at")) or dates["last_seen"] or dates["posted_at"]
                     or dates["first_seen"])
    fields.update({k: [v] for k, v in dates.items() if v is not None})
    if dates["seen"] is not None:
        fields["month"] = [dates["seen"].strftime("%Y-%m")]
    first = dates["first_seen"] or dates["seen"]
    if first is not None:
        fields["first_month"] = [_month(first)]
    title = get("title") if isinstance(get("title"), str) else ""
    body = " \n".join(v for v in (get("description"), get("text")) if isinstance(v, str) and v)
    if title:
        fields["title"] = [title]
    if body:
        fields["body"] = [body]
    lang = (fields.get("lang") or [""])[0]
    if lang in LANGS and (title or body):
        fields[f"stem_{lang}"] = [f"{title} \n{body}"]
    fields["_fields"] = sorted(n for n in fields if not n.startswith("stem_"))
    return doc_id, source, fields


def _outcome(fn: Any, doc: dict[str, Any]) -> Any:
    try:
        got = fn(doc)
    except Exception as exc:
        return ("raised", type(exc).__name__)
    if not isinstance(got, tuple):
        got = (got.id, got.source, got.fields)
    return ("ok", got[0], got[1], list(got[2].items()))  # field order too


def _by_value(doc: dict[str, Any]) -> tantivy.Document:
    """The tantivy document built one value at a time (how the backend used to build it)."""
    out = tantivy.Document()
    for name, values in prepare(doc).fields.items():
        kind = FIELDS[name].kind
        add = out.add_text if kind in ("text", "keyword") else out.add_float if kind == "number" else out.add_date
        for v in values:
            add(name, v)
    return out


def _assert_same_document(doc: dict[str, Any]) -> None:
    try:
        want = _by_value(doc).to_dict()
    except ValueError as exc:  # tantivy refuses dates outside 1677..2262: still refused, same type
        assert "out of range" in str(exc)
        with pytest.raises(ValueError, match="out of range"):
            _to_document(doc)
        return
    doc_id, tdoc = _to_document(doc)
    got = tdoc.to_dict()
    stored = got.pop(SOURCE_FIELD)
    assert doc_id == doc["id"]
    assert got == want
    assert json.loads(bytes(stored[0])) == json.loads(
        json.dumps(prepare(doc).source, ensure_ascii=False, default=str))


# -- generated documents ---------------------------------------------------------------------

_text = st.one_of(
    st.sampled_from(["", " ", "NL", " be ", "Ést", "0xAbC", "BC1QX", "2026-11-03T10:00:05+02:00", "2026-11-03",
                     "2026-11-03T10:00:05Z", "not a date", "x" * 300, "Seaport (unnamed)", "en", "FR"]),
    st.text(max_size=10),
)
_scalar = st.one_of(
    st.none(), _text, st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
)
_item = st.dictionaries(st.sampled_from(["category", "name", "hub", "kind", "country", "address", "chain",
                                         "fingerprint", "value", "amount", "currency", "score", "label"]),
                        _scalar, max_size=5)
_items = st.lists(_item, max_size=3)
_values = st.one_of(st.lists(_scalar, max_size=3), st.tuples(_scalar, _scalar), _text)
_entities = st.fixed_dictionaries({}, optional={"wallets": _items, "pgp_keys": _items, "onions": _values,
                                                "emails": _values, "contacts": _items})
_OPTIONAL = {
    **{k: _scalar for k in ("site", "url", "vendor_id", "vendor", "author", "channel", "category", "ships_from",
                            "listing_id", "listing_count", "available", "first_seen", "last_seen",
                            "posted_at", "seen_at", "title", "description", "text")},
    "lang": st.one_of(_scalar, st.sampled_from([*LANGS, " NL", "de"])),
    "products": st.one_of(st.none(), _items), "logistics": st.one_of(st.none(), _items),
    "ships_to": st.one_of(st.none(), _values), "wallets": st.one_of(st.none(), _values),
    "pgp_fingerprints": st.one_of(st.none(), _values),
    **{k: st.one_of(_scalar, _item) for k in ("price", "price_eur", "quantity", "recruitment")},
    "handles": st.one_of(st.none(), st.dictionaries(_text, _scalar, max_size=3)),
    "entities": st.one_of(st.none(), _entities),
}
_docs = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["a", " b ", "x" * 300, ""]), st.none()),
     "kind": st.sampled_from([*sorted(KINDS), "nope"])},
    optional=_OPTIONAL,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs)
def test_prepare_equals_the_plain_version_on_generated_documents(doc):
    assert _outcome(prepare, doc) == _outcome(_reference_prepare, doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs.filter(lambda d: isinstance(d["id"], str) and d["id"] and d["kind"] in KINDS))
def test_tantivy_document_equals_the_one_built_value_by_value(doc):
    _assert_same_document(doc)


def test_the_oracle_can_tell():
    """A document whose fast and plain results differ would be seen (the comparison is not vacuous)."""
    doc = {"id": "a", "kind": "vendor", "vendor_id": "Havenkoning", "handles": {"Noordzee": "Haven.Koning"},
           "lang": "nl", "title": "t", "description": "d", "text": "x", "last_seen": "2026-11-03T10:00:05+02:00"}
    ok, doc_id, _source, fields = _outcome(prepare, doc)
    assert (ok, doc_id) == ("ok", "a")
    assert dict(fields)["vendor_id"] == ["havenkoning"]
    assert dict(fields)["site"] == ["noordzee"]
    assert dict(fields)["stem_nl"] == ["t \nd \nx"]
    assert dict(fields)["month"] == ["2026-11"]
    changed = _outcome(prepare, {**doc, "handles": {"Noordzee": "Other"}})
    assert changed != _outcome(_reference_prepare, doc)


# -- the stored source -------------------------------------------------------------------------


class _Str(str):
    pass


class _Float(float):
    pass


@pytest.mark.parametrize("source", [
    {"a": 1, "b": [1.5, None, "é", True], "c": {"d": (1, 2)}, "e": ""},
    {"when": datetime(2026, 11, 3, 10, 0, 5, tzinfo=UTC), "day": date(2026, 1, 2), "t": time(1, 2, 3)},
    {"naive": datetime(2026, 11, 3, 10, 0, 5, 123)},
    {1: "int key", None: "none key", 2.5: "float key", False: "bool key"},
    {"nan": float("nan")}, {"inf": [float("inf"), None]}, {"deep": {"x": [{"y": -float("inf")}]}},
    {"big": 2**70}, {"sub": _Str("s"), "f": _Float(1.25)}, {"set": {1}},
    {"control": "a\x00b\n\t\"\\", "emoji": "🚢", "null text": "null"},
    {"float": 1e16, "small": 5e-324, "neg0": -0.0},
])
def test_stored_source_loads_as_json_dumps_did(source):
    got = json.loads(source_bytes(source))
    want = json.loads(json.dumps(source, ensure_ascii=False, default=str))
    assert json.dumps(got, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str)
    assert repr(got) == repr(want)  # NaN is not == NaN: compare what was stored, not equality


def test_unencodable_source_still_raises():
    with pytest.raises(UnicodeEncodeError):
        source_bytes({"surrogate": "\ud800"})


# -- the demo market ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_docs(demo_world) -> list[dict[str, Any]]:
    """Listings, posts, observations, pages and vendor documents, shaped as the crawl shapes them."""
    from extractors import extract_html
    from extractors.model import Page

    docs: list[dict[str, Any]] = []
    for name in ("noordzee", "mercado", "forum"):
        site = demo_world.sites[name]
        for i, path in enumerate(sorted(site.pages)[::8]):
            url = f"http://{name}.onion{path}"
            ex = extract_html(site.pages[path], url=url, site=name, source=url)
            page = Page(url=url, site=name, fetched_at=datetime(2026, 11, 3, 10, i % 60, tzinfo=UTC), status=200,
                        content_type="text/html", body=site.pages[path])
            seen = page.fetched_at.isoformat()
            for record in (*ex.listings, *ex.posts):
                doc = {**record.to_dict(), "first_seen": seen, "last_seen": seen}
                doc["evidence"] = doc.get("evidence") or {"url": url, "sha256": page.sha256}
                docs.append(doc)
            for listing in ex.listings:
                docs.append({"id": f"{listing.id}:{seen}", "kind": "observation", "listing_id": listing.id,
                             "site": name, "vendor_id": listing.vendor_id, "seen_at": seen,
                             "price": listing.to_dict()["price"], "available": True})
            docs.append({**page.to_dict(), "id": f"page:{path}", "kind": "page", "page_type": ex.page_type})
            if ex.page_type == "vendor" and ex.listings:
                ents = ex.entities.to_dict()
                docs.append({"id": f"vendor:{ex.listings[0].vendor_id}", "kind": "vendor",
                             "vendor_id": ex.listings[0].vendor_id, "handles": {name: ex.listings[0].vendor},
                             "listing_count": len(ex.listings),
                             "wallets": sorted(w["address"] for w in ents["wallets"]),
                             "pgp_fingerprints": sorted(k["fingerprint"] for k in ents["pgp_keys"]),
                             "first_seen": seen, "last_seen": seen})
    kinds = {d["kind"] for d in docs}
    assert kinds == set(KINDS), kinds
    return docs


def test_demo_market_documents_prepare_as_before(demo_docs):
    for doc in demo_docs:
        assert _outcome(prepare, doc) == _outcome(_reference_prepare, doc), doc["id"]
    assert sum("product" in prepare(d).fields for d in demo_docs) > 20  # the documents are rich


def test_demo_market_documents_index_as_before(demo_docs):
    for doc in demo_docs:
        _assert_same_document(doc)
