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

from ._base import KINDS

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


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _month(dt: datetime) -> str:
    """`dt.strftime("%Y-%m")` (glibc's %Y: year not zero-padded), without strftime's cost."""
    return f"{dt.year}-{dt.month:02d}"


@lru_cache(maxsize=4_096)  # pure; a page's documents share their few timestamps
def _parse_date_str(value: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def _date(value: Any) -> datetime | None:
    """`parse_date`, with strings (the usual case) answered from a cache."""
    if type(value) is str:
        return _parse_date_str(value) if value else None
    return parse_date(value) if value is not None else None


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


def _put(fields: dict[str, list[Any]], name: str, values: list[str], norm: Callable[[str], str]) -> None:
    """Normalised, truncated, de-duplicated non-empty keyword values under ``name`` (if any)."""
    seen: dict[str, None] = {}
    for v in values:
        norm_value = norm(v)[:MAX_KEYWORD_CHARS]
        if norm_value:
            seen[norm_value] = None
    if seen:
        fields[name] = list(seen)[:MAX_VALUES]


_Plan = tuple[tuple[str, str, Callable[[str], str]], ...]


def _put_each(fields: dict[str, list[Any]], items: Any, plan: _Plan) -> None:
    """For each (field, key, norm) of ``plan``: `_put` of ``str(item.get(key))`` over the
    items whose value is not None or ""."""
    for name, key, norm in plan:
        seen: dict[str, None] = {}
        for item in items:
            v = item.get(key)
            if v is None or v == "":
                continue
            norm_value = norm(v if type(v) is str else str(v))[:MAX_KEYWORD_CHARS]
            if norm_value:
                seen[norm_value] = None
        if seen:
            fields[name] = list(seen)[:MAX_VALUES]


def _number(value: Any) -> list[float] | None:
    """A number field holds one value, kept when it is a real number (not a bool)."""
    t = type(value)
    if t is float or t is int:
        return [float(value)]
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return [float(value)]


def prepare(doc: dict[str, Any]) -> Prepared:
    """Validate one document and derive its searchable fields.

    Raises ValueError when ``id`` or ``kind`` is missing (callers wrap it in IndexerError).
    Text longer than MAX_TEXT_CHARS is truncated, the stored document lists the cut fields
    under ``_truncated`` and a warning is logged.

    Fields come out in FieldSpec order of the groups below (ids, keywords, numbers, flags,
    dates, months, text); each keyword value is ``str()``-ed, normalised, cut to
    MAX_KEYWORD_CHARS, and kept when non-empty and not seen before (MAX_VALUES at most).
    """
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
    fields: dict[str, list[Any]] = {}
    v: Any = doc_id.strip()[:MAX_KEYWORD_CHARS]
    if v:
        fields["id"] = [v]
    v = kind.strip().lower()[:MAX_KEYWORD_CHARS]
    if v:
        fields["kind"] = [v]
    ents = get("entities") or {}
    handles = get("handles") or {}
    products = get("products") or ()
    logistics = get("logistics") or ()

    if handles:  # vendor profiles: the sites of its handles too
        v = get("site")
        one = [] if v is None or v == "" else [v if type(v) is str else str(v)]
        _put(fields, "site", one + _strs(handles.keys()), _lower)
    else:
        _single(fields, "site", get("site"), _lower)
    v = get("url")
    if v is not None and v != "":
        v = (v if type(v) is str else str(v)).strip()[:MAX_KEYWORD_CHARS]
        if v:
            fields["url"] = [v]
    vendor_id = get("vendor_id")
    v = vendor_id or get("vendor")
    if handles or kind == "vendor":
        one = [] if v is None or v == "" else [v if type(v) is str else str(v)]
        if handles:
            one += _strs(handles.values())
        if isinstance(vendor_id, str) and kind == "vendor":
            one.insert(0, vendor_id)
        if one:
            _put(fields, "vendor_id", one, _vendor)
    else:
        _single(fields, "vendor_id", v, _vendor)
    _single(fields, "author", get("author"), _vendor)
    _single(fields, "channel", get("channel"), _lower)
    v = get("category")
    one = [] if v is None or v == "" else [v if type(v) is str else str(v)]
    if products:
        one += [str(c) for c in (item.get("category") for item in products) if c not in (None, "")]
        _put(fields, "category", one, _fold)
        _put_each(fields, products, _PRODUCT)
    elif one:
        _put(fields, "category", one, _fold)
    if logistics:
        _put_each(fields, logistics, _LOGISTICS)
    _single(fields, "ships_from", get("ships_from"), _upper)
    v = get("ships_to")
    if v:
        _put(fields, "ships_to", _strs(v), _upper)
    _single(fields, "lang", get("lang"), _lower)
    price = get("price")
    if isinstance(price, dict):
        _single(fields, "currency", price.get("currency"), _upper)
    if ents:  # most documents have none: skip its five look-ups
        wallets = ents.get("wallets") or ()
        pgp_keys = ents.get("pgp_keys")
        onions, emails, contacts = ents.get("onions"), ents.get("emails"), ents.get("contacts")
    else:
        wallets, pgp_keys, onions, emails, contacts = (), None, None, None, None
    v = get("wallets")
    if wallets or v:
        one = [str(a) for a in (item.get("address") for item in wallets) if a not in (None, "")] \
            if wallets else []
        _put(fields, "wallet", one + _strs(v) if v else one, _wallet)
        if wallets:
            _put_each(fields, wallets, _CHAIN)
    v = get("pgp_fingerprints")
    if pgp_keys or v:
        one = [str(f) for f in (item.get("fingerprint") for item in pgp_keys) if f not in (None, "")] \
            if pgp_keys else []
        _put(fields, "pgp", one + _strs(v) if v else one, _pgp)
    if onions:
        _put(fields, "onion", _strs(onions), _lower)
    if emails:
        _put(fields, "email", _strs(emails), _lower)
    if contacts:
        _put_each(fields, contacts, _CONTACT)
    _single(fields, "listing_id", get("listing_id"), _same)
    for name, key, sub in _NUMBERS:
        inner = price if key == "price" else get(key)
        if isinstance(inner, dict):
            number = _number(inner.get(sub))
            if number is not None:
                fields[name] = number
    recruitment = get("recruitment")
    if kind == "vendor":
        number = _number(get("listing_count"))
        if number is not None:
            fields["listing_count"] = number
    label = recruitment.get("label") if isinstance(recruitment, dict) else None
    if isinstance(label, bool):
        fields["recruitment"] = ["true" if label else "false"]
    v = get("available")
    if isinstance(v, bool):
        fields["available"] = ["true" if v else "false"]

    first_seen = _date(get("first_seen"))
    last_seen = _date(get("last_seen"))
    posted_at = _date(get("posted_at"))
    seen = _date(get("seen_at")) or last_seen or posted_at or first_seen
    if first_seen is not None:
        fields["first_seen"] = [first_seen]
    if last_seen is not None:
        fields["last_seen"] = [last_seen]
    if posted_at is not None:
        fields["posted_at"] = [posted_at]
    if seen is not None:
        fields["seen"] = [seen]
        fields["month"] = [_month(seen)]
    first = first_seen or seen
    if first is not None:
        fields["first_month"] = [_month(first)]

    title = get("title")
    if not isinstance(title, str):
        title = ""
    description = get("description")
    text = get("text")
    if isinstance(description, str) and description:
        body = " \n".join((description, text)) if isinstance(text, str) and text else description
    else:
        body = text if isinstance(text, str) else ""
    if title:
        fields["title"] = [title]
    if body:
        fields["body"] = [body]
    lang = fields.get("lang")
    if lang is not None and lang[0] in LANGS and (title or body):
        fields[f"stem_{lang[0]}"] = [f"{title} \n{body}"]
    names = list(fields)
    if names[-1][:5] == "stem_":  # at most one stem_ field, set last
        names.pop()
    names.sort()
    fields["_fields"] = names
    return Prepared(id=doc_id, source=source, fields=fields)


_PRODUCT: _Plan = (("product", "name", _fold),)
_LOGISTICS: _Plan = (("hub", "hub", _fold), ("hub_kind", "kind", _lower), ("hub_country", "country", _upper))
_CHAIN: _Plan = (("chain", "chain", _lower),)
_CONTACT: _Plan = (("contact", "value", _lower),)

#: (number field, source key, sub-key): one raw value each, kept when it is a real number.
_NUMBERS = (
    ("price", "price", "amount"),
    ("price_eur", "price_eur", "amount"),
    ("quantity", "quantity", "value"),
    ("recruitment_score", "recruitment", "score"),
)


def _single(fields: dict[str, list[Any]], name: str, value: Any, norm: Callable[[str], str]) -> None:
    """One raw value (skipped when None or ""): ``str()``-ed, normalised, cut, kept when non-empty."""
    if value is None or value == "":
        return
    norm_value = norm(value if type(value) is str else str(value))[:MAX_KEYWORD_CHARS]
    if norm_value:
        fields[name] = [norm_value]
