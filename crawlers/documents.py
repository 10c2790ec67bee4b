"""Turn extractions into index documents: listings (merged across sightings), observations, posts,
pages and vendor profiles. Pure data work; the pipeline does the I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["VendorAccumulator", "merge_listing", "page_document"]

# Fields a later, poorer sighting (an index card) must not blank out.
_KEEP_IF_EMPTY = ("title", "description", "vendor", "vendor_id", "price", "prices", "price_eur",
                  "quantity", "ships_from", "ships_to", "category", "products", "lang")


def _is_detail(doc: dict[str, Any]) -> bool:
    evidence = doc.get("evidence") or {}
    return bool(evidence) and evidence.get("url") == doc.get("url")


def merge_listing(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Merge a new sighting into the stored listing: keep first_seen, prefer the detail page."""
    if not old:
        return new
    merged = dict(new)
    merged["first_seen"] = min(filter(None, [old.get("first_seen"), new.get("first_seen")]), default="")
    if _is_detail(old) and not _is_detail(new):
        merged = dict(old)
        merged["last_seen"] = max(old.get("last_seen") or "", new.get("last_seen") or "")
        return merged
    for key in _KEEP_IF_EMPTY:
        if not merged.get(key) and old.get(key):
            merged[key] = old[key]
    return merged


def page_document(page_dict: dict[str, Any], page_type: str, counts: dict[str, int]) -> dict[str, Any]:
    """A small document per fetched page: what was seen, when, and its evidence hash."""
    doc = dict(page_dict)
    doc["id"] = "page:" + page_dict["sha256"][:16] + ":" + page_dict["url"]
    doc["kind"] = "page"
    doc["page_type"] = page_type
    doc.update({f"{k}_count": v for k, v in counts.items()})
    return doc


@dataclass
class _VendorState:
    vendor_id: str
    handles: dict[str, str] = field(default_factory=dict)
    listing_ids: set[str] = field(default_factory=set)
    wallets: set[str] = field(default_factory=set)
    pgp: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)
    site_keys: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # site -> pgp/wallets/contacts
    first_seen: str = ""
    last_seen: str = ""


class VendorAccumulator:
    """Collects what a crawl saw of each vendor; `documents` merges it with stored profiles."""

    def __init__(self) -> None:
        self._vendors: dict[str, _VendorState] = {}

    def __len__(self) -> int:
        return len(self._vendors)

    def _state(self, vendor_id: str) -> _VendorState:
        if vendor_id not in self._vendors:
            self._vendors[vendor_id] = _VendorState(vendor_id)
        return self._vendors[vendor_id]

    def add_listing(self, listing: dict[str, Any]) -> None:
        vendor_id = listing.get("vendor_id")
        if not vendor_id:
            return
        state = self._state(vendor_id)
        state.handles[listing["site"]] = listing.get("vendor") or vendor_id
        state.listing_ids.add(listing["id"])
        self._seen(state, listing.get("last_seen") or listing.get("first_seen") or "")

    def add_profile(self, vendor_id: str, site: str, handle: str, entities: dict[str, Any], seen: str) -> None:
        """A vendor profile page: its wallets, keys and contacts belong to the vendor."""
        state = self._state(vendor_id)
        state.handles[site] = handle
        state.wallets |= {w["address"] for w in entities.get("wallets", []) if w.get("valid")}
        state.pgp |= {k["fingerprint"] for k in entities.get("pgp_keys", []) if k.get("fingerprint")}
        state.contacts |= {f"{c['kind']}:{c['value']}" for c in entities.get("contacts", [])}
        mine = state.site_keys.setdefault(site, {"pgp": set(), "wallets": set(), "contacts": set()})
        mine["pgp"] |= {k["fingerprint"] for k in entities.get("pgp_keys", []) if k.get("fingerprint")}
        mine["wallets"] |= {w["address"] for w in entities.get("wallets", []) if w.get("valid")}
        mine["contacts"] |= {f"{c['kind']}:{c['value']}" for c in entities.get("contacts", [])}
        self._seen(state, seen)

    @staticmethod
    def _seen(state: _VendorState, seen: str) -> None:
        if seen:
            state.first_seen = min(filter(None, [state.first_seen, seen]))
            state.last_seen = max(state.last_seen, seen)

    def documents(self, get: Callable[[str], dict[str, Any] | None]) -> list[dict[str, Any]]:
        """Vendor documents merged with what `get(id)` returns from the index."""
        docs = []
        for state in self._vendors.values():
            old = get("vendor:" + state.vendor_id) or {}
            listing_ids = sorted(state.listing_ids | set(old.get("listing_ids", [])))
            handles = {**old.get("handles", {}), **state.handles}
            docs.append({
                "id": "vendor:" + state.vendor_id,
                "kind": "vendor",
                "vendor_id": state.vendor_id,
                "vendor": next(iter(handles.values()), state.vendor_id),
                "handles": handles,
                "sites": sorted(handles),
                "listing_ids": listing_ids,
                "listing_count": len(listing_ids),
                "wallets": sorted(state.wallets | set(old.get("wallets", []))),
                "pgp_fingerprints": sorted(state.pgp | set(old.get("pgp_fingerprints", []))),
                "contacts": sorted(state.contacts | set(old.get("contacts", []))),
                # which profile page showed which key: a key seen on two markets links them (alerts)
                "site_keys": _site_keys(old.get("site_keys") or {}, state.site_keys),
                "first_seen": min(filter(None, [old.get("first_seen"), state.first_seen]), default=""),
                "last_seen": max(old.get("last_seen") or "", state.last_seen),
            })
        return docs


def _site_keys(old: dict[str, Any], new: dict[str, dict[str, set[str]]]) -> dict[str, dict[str, list[str]]]:
    """Keys per site: this crawl's profile pages replace what an earlier crawl saw on the same site."""
    out = {site: {k: sorted(v) for k, v in keys.items()} for site, keys in old.items() if isinstance(keys, dict)}
    out.update({site: {k: sorted(v) for k, v in keys.items()} for site, keys in new.items()})
    return out
