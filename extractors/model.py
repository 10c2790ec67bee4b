"""The document model shared by every stage: crawl, extraction, index, alerts.

Everything here is plain data: frozen dataclasses with ``to_dict`` for JSON and the
index. ``indexer`` never imports this module; it receives the dictionaries.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

_ATOMS = (str, int, float, bool, type(None))
_ATOM_TYPES = frozenset(_ATOMS)  # exact types: answered before any isinstance or recursion

#: dataclass type -> (field names, a function giving the instance's field values as a tuple)
_PLANS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _plan(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """Field names and a C-level getter of their values (attrgetter), once per dataclass type."""
    plan = _PLANS.get(cls)
    if plan is None:
        names = tuple(f.name for f in fields(cls))
        if len(names) > 1:
            getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
        elif names:
            one = attrgetter(names[0])
            getter = lambda obj: (one(obj),)  # noqa: E731
        else:
            getter = lambda obj: ()  # noqa: E731
        plan = _PLANS[cls] = (names, getter)
    return plan


#: (dataclass type, skipped field) -> its converter to a plain dict (see `_converter`)
_CONVERTERS: dict[tuple[type, str], Callable[[Any], dict[str, Any]]] = {}


def _converter(cls: type, skip: str) -> Callable[[Any], dict[str, Any]]:
    """A function turning an instance of dataclass ``cls`` into its plain dict, written out once
    per class (as `dataclasses` writes ``__init__``): one attribute read and one exact-type test
    per field, `_plain` only for values that are not atoms; the ``skip`` field is None, unread."""
    conv = _CONVERTERS.get((cls, skip))
    if conv is None:
        names = [f.name for f in fields(cls)]
        reads = "".join(f"    v{i} = obj.{name}\n" for i, name in enumerate(names) if name != skip)
        items = ", ".join(
            f"{name!r}: None" if name == skip else f"{name!r}: v{i} if type(v{i}) in atoms else plain(v{i})"
            for i, name in enumerate(names)
        )
        namespace: dict[str, Any] = {"atoms": _ATOM_TYPES, "plain": _plain}
        exec(f"def convert(obj):\n{reads}    return {{{items}}}\n", namespace)  # field names only
        conv = _CONVERTERS[(cls, skip)] = namespace["convert"]
    return conv


def _plain(obj: Any, skip: str = "") -> Any:
    """`dataclasses.asdict` with the same result, minus its deepcopy of immutable leaves (a hot
    path of indexing); a `skip` field keeps its place with None (the caller fills it in).

    Exact atoms, known dataclasses, tuples, lists and dicts are dispatched on their exact type;
    anything else (subclasses, namedtuples, new dataclasses) takes the generic `_plain_other`."""
    t = type(obj)
    if t in _ATOM_TYPES:
        return obj
    conv = _CONVERTERS.get((t, skip))
    if conv is not None:
        return conv(obj)
    if t is tuple:
        return tuple([_plain(v) for v in obj]) if obj else ()
    if t is list:
        return [_plain(v) for v in obj]
    if t is dict:
        return {_plain(k): _plain(v) for k, v in obj.items()}
    return _plain_other(obj, skip)


def _plain_other(obj: Any, skip: str) -> Any:
    if isinstance(obj, _ATOMS):
        return obj
    if hasattr(type(obj), "__dataclass_fields__"):
        return _converter(type(obj), skip)(obj)
    if isinstance(obj, tuple):
        if hasattr(obj, "_fields"):  # namedtuple, as asdict does
            return type(obj)(*[_plain(v) for v in obj])
        return tuple(_plain(v) for v in obj)
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    return copy.deepcopy(obj)


def _reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle as ``(class, field values)``: unpickling calls the class, far cheaper than the
    per-field ``object.__setattr__`` loop of frozen slotted dataclasses' ``__setstate__``."""
    cls = type(self)
    return cls, _plan(cls)[1](self)


def picklable_by_fields(cls: type) -> type:
    """Give a frozen dataclass (all fields in ``__init__``, no ``__post_init__``) `_reduce`."""
    assert all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__"), cls
    cls.__reduce__ = _reduce  # type: ignore[assignment,method-assign]
    _plan(cls)
    return cls


__all__ = [
    "Contact",
    "Entities",
    "Evidence",
    "HubMention",
    "Listing",
    "Mention",
    "Observation",
    "Page",
    "PgpKey",
    "Post",
    "Price",
    "PriceEur",
    "Product",
    "Quantity",
    "Quote",
    "Recruitment",
    "Vendor",
    "VendorLink",
    "Wallet",
    "listing_id",
    "normalise_vendor",
    "utcnow",
]


def utcnow() -> datetime:
    """Current time, timezone-aware UTC, second precision (what we store)."""
    return datetime.now(UTC).replace(microsecond=0)


def listing_id(site: str, canonical_url: str) -> str:
    """Stable id of a listing: the same site and canonical URL give the same id."""
    return hashlib.sha256(f"{site}\n{canonical_url}".encode()).hexdigest()[:32]


def normalise_vendor(handle: str) -> str:
    """Normalised vendor id: case-folded, separators and decoration removed."""
    kept = "".join(ch for ch in handle.casefold() if ch.isalnum())
    return kept or handle.strip().casefold()


@dataclass(frozen=True, slots=True)
class Mention:
    """A value found in text, with where it was found and which rule or model found it."""

    value: str
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Wallet:
    chain: str
    address: str
    valid: bool
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class PgpKey:
    fingerprint: str
    armored: bool
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str  # wickr|telegram|jabber|session|threema|signal|phone|email
    value: str
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Entities:
    wallets: tuple[Wallet, ...] = ()
    pgp_keys: tuple[PgpKey, ...] = ()
    onions: tuple[Mention, ...] = ()
    emails: tuple[Mention, ...] = ()
    contacts: tuple[Contact, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of DESIGN.md: onions and emails as strings, spans kept beside them."""
        if not (self.wallets or self.pgp_keys or self.onions or self.emails or self.contacts):
            return {"wallets": [], "pgp_keys": [], "onions": [], "emails": [], "contacts": [],
                    "mentions": {"onions": [], "emails": []}}  # most records: no comprehension to run
        return {
            "wallets": [_plain(w) for w in self.wallets],
            "pgp_keys": [_plain(k) for k in self.pgp_keys],
            "onions": [m.value for m in self.onions],
            "emails": [m.value for m in self.emails],
            "contacts": [_plain(c) for c in self.contacts],
            "mentions": {
                "onions": [_plain(m) for m in self.onions],
                "emails": [_plain(m) for m in self.emails],
            },
        }


@dataclass(frozen=True, slots=True)
class Price:
    amount: float
    currency: str
    text: str = ""
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class PriceEur:
    amount: float
    rate: float
    rate_date: str


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    category: str
    text: str = ""
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class HubMention:
    """A logistics mention: canonical hub (or method), its kind and country, span and rule."""

    hub: str
    kind: str  # seaport|airport|postal|locker|method
    country: str  # ISO 3166-1 alpha-2; "" for methods and unnamed hubs
    text: str = ""
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a document came from: the capture it was extracted from."""

    url: str
    sha256: str
    fetched_at: str
    warc_file: str = ""
    warc_record_id: str = ""
    via: str = ""
    job_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page, as the crawler hands it to extraction."""

    url: str
    site: str
    fetched_at: datetime
    status: int
    content_type: str
    body: bytes = field(repr=False)
    via: str = "tor"
    job_id: str = ""
    warc_file: str = ""
    warc_record_id: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def evidence(self) -> Evidence:
        return Evidence(
            url=self.url,
            sha256=self.sha256,
            fetched_at=self.fetched_at.isoformat(),
            warc_file=self.warc_file,
            warc_record_id=self.warc_record_id,
            via=self.via,
            job_id=self.job_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """Metadata only: the body stays in the evidence store, never in the index."""
        return {
            "url": self.url,
            "site": self.site,
            "fetched_at": self.fetched_at.isoformat(),
            "status": self.status,
            "content_type": self.content_type,
            "sha256": self.sha256,
            "via": self.via,
            "job_id": self.job_id,
            "warc_file": self.warc_file,
            "warc_record_id": self.warc_record_id,
        }


@dataclass(frozen=True, slots=True)
class Listing:
    id: str
    site: str
    url: str
    title: str
    description: str = ""
    vendor: str = ""
    vendor_id: str = ""
    price: Price | None = None
    prices: tuple[Price, ...] = ()
    price_eur: PriceEur | None = None
    price_reason: str = ""
    quantity: Quantity | None = None
    ships_from: str = ""
    ships_to: tuple[str, ...] = ()
    category: str = ""
    products: tuple[Product, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    lang: str = ""
    entities: Entities = field(default_factory=Entities)
    evidence: Evidence | None = None
    logistics: tuple[HubMention, ...] = ()  # seaports, airports, postal services, methods

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self, skip="entities")
        data["entities"] = self.entities.to_dict()
        data["ships_to"] = list(self.ships_to)
        data["kind"] = "listing"
        return data


@dataclass(frozen=True, slots=True)
class Recruitment:
    label: bool
    score: float
    evidence: tuple[Mention, ...] = ()
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Quote:
    """Text a post quotes from another post: kept apart from the post's own text."""

    text: str
    author: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """A forum post or channel message."""

    id: str
    site: str
    url: str
    channel: str
    author: str
    text: str
    posted_at: str = ""
    title: str = ""
    lang: str = ""
    entities: Entities = field(default_factory=Entities)
    recruitment: Recruitment | None = None
    products: tuple[Product, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    evidence: Evidence | None = None
    # Channel messages (Telegram preview): shown views, media kind, origin of a forward, and
    # whether the message was edited, or deleted since an earlier crawl saw it.
    views: int | None = None
    media: str = ""
    forwarded_from: str = ""
    edited: bool = False
    deleted: bool = False
    logistics: tuple[HubMention, ...] = ()  # seaports, airports, postal services, methods
    # Forum posts: what the post quotes (not part of ``text``), the board the thread is on,
    # and the thread's canonical URL (``url`` is the post's own anchor on its page).
    quotes: tuple[Quote, ...] = ()
    board: str = ""
    thread_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self, skip="entities")
        data["entities"] = self.entities.to_dict()
        data["kind"] = "post"
        return data


@dataclass(frozen=True, slots=True)
class Observation:
    """One sighting of a listing: its price and availability at a time. Never deleted."""

    listing_id: str
    seen_at: str
    price: Price | None
    available: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["kind"] = "observation"
        data["id"] = f"{self.listing_id}:{self.seen_at}"
        return data


@dataclass(frozen=True, slots=True)
class VendorLink:
    vendor_id: str
    reason: str  # pgp|wallet|contact|handle
    evidence: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Vendor:
    vendor_id: str
    handles: dict[str, str]  # site -> handle as shown
    first_seen: str
    last_seen: str
    listing_count: int = 0
    wallets: tuple[str, ...] = ()
    pgp_fingerprints: tuple[str, ...] = ()
    links: tuple[VendorLink, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["kind"] = "vendor"
        data["id"] = self.vendor_id
        return data


for _cls in (Mention, Wallet, PgpKey, Contact, Entities, Price, PriceEur, Quantity, Product, HubMention,
             Evidence, Page, Listing, Recruitment, Quote, Post, Observation, VendorLink, Vendor):
    picklable_by_fields(_cls)
