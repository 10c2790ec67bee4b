"""The one place that turns a stored document into searchable fields, for every backend.

Backends index ``prepare(doc)``: the (possibly truncated) document to store, and the derived
fields. Keyword values are normalised here, in Python, and queries normalise their values
with the same functions, so case and decoration never make backends disagree.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

__all__ = [
    "ALIASES",
    "DEFAULT_TEXT_FIELDS",
    "FIELDS",
    "LANGS",
    "MAPPING_VERSION",
    "MAX_KEYWORD_CHARS",
    "MAX_TEXT_CHARS",
    "FieldSpec",
    "Prepared",
    "parse_date",
    "prepare",
    "resolve_field",
]

log = logging.getLogger(__name__)

#: Bump when a field is added, removed or analysed differently: backends reindex on change.
MAPPING_VERSION = 2  # 2: hub, hub_kind, hub_country (logistics mentions)

#: Languages with their own stemmed text field (``stem_<lang>``).
LANGS = ("en", "fr", "nl", "es")

#: Truncation policy: longer text is cut (and the document marked), never rejected.
MAX_TEXT_CHARS = 100_000
MAX_KEYWORD_CHARS = 256
MAX_VALUES = 1_000

Kind = Literal["text", "keyword", "number", "date"]


def _lower(v: str) -> str:
    return v.strip().lower()


def _upper(v: str) -> str:
    return v.strip().upper()


def _same(v: str) -> str:
    return v.strip()


@lru_cache(maxsize=65_536)  # pure; the same few product/category names on every document
def _fold(v: str) -> str:
    """Lowercase without accents: canonical product and category names."""
    decomposed = unicodedata.normalize("NFKD", v.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)  # pure; a crawl sees each vendor on many documents
def _vendor(v: str) -> str:
    """Same rule as extractors.model.normalise_vendor (indexer must not import extractors)."""
    kept = "".join(ch for ch in v.casefold() if ch.isalnum())
    return kept or v.strip().casefold()


def _pgp(v: str) -> str:
    return "".join(v.split()).upper().removeprefix("0X")


_CASELESS_WALLET_PREFIXES = ("0x", "bc1", "tb1", "ltc1", "bcrt1")


def _wallet(v: str) -> str:
    """Hex and bech32 addresses are case-insensitive: fold them; base58 keeps its case."""
    v = v.strip()
    return v.lower() if v.lower().startswith(_CASELESS_WALLET_PREFIXES) else v


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One searchable field: its type and the normaliser applied to values and queries."""

    name: str
    kind: Kind
    norm: Callable[[str], str] = _same


_SPECS = [
    # text (analysed); stem_<lang> hold title+description+text for documents in that language
    FieldSpec("title", "text"),
    FieldSpec("body", "text"),
    *(FieldSpec(f"stem_{lang}", "text") for lang in LANGS),
    # keywords
    FieldSpec("id", "keyword"),
    FieldSpec("kind", "keyword", _lower),
    FieldSpec("site", "keyword", _lower),
    FieldSpec("url", "keyword"),
    FieldSpec("vendor_id", "keyword", _vendor),
    FieldSpec("author", "keyword", _vendor),
    FieldSpec("channel", "keyword", _lower),
    FieldSpec("category", "keyword", _fold),
    FieldSpec("product", "keyword", _fold),
    FieldSpec("hub", "keyword", _fold),  # logistics: canonical seaport/airport/postal/locker/method
    FieldSpec("hub_kind", "keyword", _lower),
    FieldSpec("hub_country", "keyword", _upper),
    FieldSpec("ships_from", "keyword", _upper),
    FieldSpec("ships_to", "keyword", _upper),
    FieldSpec("lang", "keyword", _lower),
    FieldSpec("currency", "keyword", _upper),
    FieldSpec("wallet", "keyword", _wallet),
    FieldSpec("chain", "keyword", _lower),
    FieldSpec("pgp", "keyword", _pgp),
    FieldSpec("onion", "keyword", _lower),
    FieldSpec("email", "keyword", _lower),
    FieldSpec("contact", "keyword", _lower),
    FieldSpec("listing_id", "keyword"),
    FieldSpec("recruitment", "keyword", _lower),
    FieldSpec("available", "keyword", _lower),
    FieldSpec("month", "keyword"),
    FieldSpec("first_month", "keyword"),
    FieldSpec("_fields", "keyword"),
    # numbers
    FieldSpec("price", "number"),
    FieldSpec("price_eur", "number"),
    FieldSpec("quantity", "number"),
    FieldSpec("recruitment_score", "number"),
    FieldSpec("listing_count", "number"),
    # dates
    FieldSpec("first_seen", "date"),
    FieldSpec("last_seen", "date"),
    FieldSpec("posted_at", "date"),
    FieldSpec("seen", "date"),
]
FIELDS: dict[str, FieldSpec] = {s.name: s for s in _SPECS}

#: Free text without a field searches these (text fields, plus product and vendor keywords).
DEFAULT_TEXT_FIELDS = ("title", "body", *(f"stem_{lang}" for lang in LANGS))
DEFAULT_KEYWORD_FIELDS = ("product", "vendor_id")

#: Names analysts type -> index fields. Text aliases may fan out to several fields.
ALIASES: dict[str, tuple[str, ...]] = {
    "vendor": ("vendor_id",),
    "handle": ("vendor_id",),
    "products": ("product",),
    "country": ("ships_from",),
    "text": ("body", *(f"stem_{lang}" for lang in LANGS)),
    "description": ("body", *(f"stem_{lang}" for lang in LANGS)),
    "body": ("body", *(f"stem_{lang}" for lang in LANGS)),
    "title": ("title",),
    "fingerprint": ("pgp",),
    "address": ("wallet",),
    "market": ("site",),
    "seen_at": ("seen",),
    "score": ("recruitment_score",),
    "_exists_": ("_fields",),
}


def resolve_field(name: str) -> tuple[FieldSpec, ...]:
    """Index fields behind an analyst field name; empty tuple when unknown."""
    key = name.strip().lower()
    if key in ALIASES:
        return tuple(FIELDS[f] for f in ALIASES[key])
    spec = FIELDS.get(key)
    return (spec,) if spec is not None and not key.startswith("stem_") else ()


def parse_date(value: Any) -> datetime | None:
    """ISO date or datetime (naive means UTC) -> aware UTC datetime, second precision."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        try:
            dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a backend indexes: the document to store and the derived field values."""

    id: str
    source: dict[str, Any]
    fields: dict[str, list[Any]]  # keyword/text: str, number: float, date: aware datetime


def _strs(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if v not in (None, "")]


def _one(value: Any) -> list[str]:
    """`_strs([value])` without building the list and the comprehension."""
    return [] if value in (None, "") else [str(value)]


def _each(items: Any, key: str) -> list[str]:
    """`_strs(item.get(key) for item in items or ())`; empty at once for the usual empty list."""
    return [str(v) for v in (item.get(key) for item in items) if v not in (None, "")] if items else []


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _sub(source: dict[str, Any], key: str, sub: str) -> Any:
    """`_get(source, key, sub)` for a two-key path."""
    inner = source.get(key)
    return inner.get(sub) if isinstance(inner, dict) else None


def _month(dt: datetime) -> str:
    """`dt.strftime("%Y-%m")` (glibc's %Y: year not zero-padded), without strftime's cost."""
    return f"{dt.year}-{dt.month:02d}"


#: name -> (kind, norm) of every field: one dict look-up per field in `prepare`.
_SPEC_OF = {s.name: (s.kind, s.norm) for s in _SPECS}


def _truncate(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    cut: list[str] = []
    out = dict(doc)
    for key in ("title", "description", "text"):
        value = out.get(key)
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            out[key] = value[:MAX_TEXT_CHARS]
            cut.append(key)
    if cut:
        out["_truncated"] = cut
    return out, cut


def prepare(doc: dict[str, Any]) -> Prepared:
    """Validate one document and derive its searchable fields.

    Raises ValueError when ``id`` or ``kind`` is missing (callers wrap it in IndexerError).
    Text longer than MAX_TEXT_CHARS is truncated, the stored document lists the cut fields
    under ``_truncated`` and a warning is logged.
    """
    from ._base import KINDS

    doc_id = doc.get("id")
    kind = doc.get("kind")
    if not doc_id or not isinstance(doc_id, str):
        raise ValueError("document has no string 'id'")
    if kind not in KINDS:
        raise ValueError(f"document {doc_id!r} has kind {kind!r}, expected one of {sorted(KINDS)}")
    source, cut = _truncate(doc)
    if cut:
        log.warning("document %s: truncated %s to %d chars", doc_id, ",".join(cut), MAX_TEXT_CHARS)
    get = source.get
    ents = get("entities") or {}
    handles = get("handles") or {}
    products = get("products") or ()
    logistics = get("logistics") or ()
    wallets = ents.get("wallets") or ()
    raw: dict[str, list[Any]] = {
        "id": [doc_id],
        "kind": [kind],
        "site": _one(get("site")) + _strs(handles.keys()) if handles else _one(get("site")),
        "url": _one(get("url")),
        "vendor_id": _one(get("vendor_id") or get("vendor")) + _strs(handles.values()) if handles
        else _one(get("vendor_id") or get("vendor")),
        "author": _one(get("author")),
        "channel": _one(get("channel")),
        "category": _one(get("category")) + _each(products, "category"),
        "product": _each(products, "name"),
        "hub": _each(logistics, "hub"),
        "hub_kind": _each(logistics, "kind"),
        "hub_country": _each(logistics, "country"),
        "ships_from": _one(get("ships_from")),
        "ships_to": _strs(get("ships_to") or ()),
        "lang": _one(get("lang")),
        "currency": _one(_sub(source, "price", "currency")),
        "wallet": _each(wallets, "address") + _strs(get("wallets") or ()),
        "chain": _each(wallets, "chain"),
        "pgp": _each(ents.get("pgp_keys"), "fingerprint") + _strs(get("pgp_fingerprints") or ()),
        "onion": _strs(ents.get("onions") or ()),
        "email": _strs(ents.get("emails") or ()),
        "contact": _each(ents.get("contacts"), "value"),
        "listing_id": _one(get("listing_id")),
        "price": [_sub(source, "price", "amount")],
        "price_eur": [_sub(source, "price_eur", "amount")],
        "quantity": [_sub(source, "quantity", "value")],
        "recruitment_score": [_sub(source, "recruitment", "score")],
        "listing_count": [get("listing_count")] if kind == "vendor" else [],
    }
    if isinstance(get("vendor_id"), str) and kind == "vendor":
        raw["vendor_id"].insert(0, source["vendor_id"])
    label = _sub(source, "recruitment", "label")
    if isinstance(label, bool):
        raw["recruitment"] = ["true" if label else "false"]
    if isinstance(get("available"), bool):
        raw["available"] = ["true" if source["available"] else "false"]

    fields: dict[str, list[Any]] = {}
    for name, values in raw.items():
        if not values:
            continue
        field_kind, norm = _SPEC_OF[name]
        if field_kind == "number":
            value = values[0]  # number fields hold one raw value, kept when it is a real number
            if isinstance(value, int | float) and not isinstance(value, bool):
                fields[name] = [float(value)]
            continue
        if len(values) == 1:
            norm_value = norm(values[0])[:MAX_KEYWORD_CHARS]
            if norm_value:
                fields[name] = [norm_value]
            continue
        seen: dict[str, None] = {}
        for v in values:
            norm_value = norm(v)[:MAX_KEYWORD_CHARS]
            if norm_value:
                seen[norm_value] = None
        if seen:
            fields[name] = list(seen)[:MAX_VALUES]

    dates = {
        "first_seen": parse_date(source.get("first_seen")),
        "last_seen": parse_date(source.get("last_seen")),
        "posted_at": parse_date(source.get("posted_at")),
    }
    seen_at = parse_date(source.get("seen_at"))
    dates["seen"] = seen_at or dates["last_seen"] or dates["posted_at"] or dates["first_seen"]
    for name, dt in dates.items():
        if dt is not None:
            fields[name] = [dt]
    if dates["seen"] is not None:
        fields["month"] = [_month(dates["seen"])]
    first = dates["first_seen"] or dates["seen"]
    if first is not None:
        fields["first_month"] = [_month(first)]

    title = source.get("title") if isinstance(source.get("title"), str) else ""
    body = " \n".join(
        v for v in (source.get("description"), source.get("text")) if isinstance(v, str) and v
    )
    if title:
        fields["title"] = [title]
    if body:
        fields["body"] = [body]
    lang = (fields.get("lang") or [""])[0]
    if lang in LANGS and (title or body):
        fields[f"stem_{lang}"] = [f"{title} \n{body}"]
    fields["_fields"] = sorted([n for n in fields if n[:5] != "stem_"])
    return Prepared(id=doc_id, source=source, fields=fields)
