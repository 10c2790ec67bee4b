"""Cross-market vendor linking: same PGP key (strong), shared wallet (strong), same contact (medium),
similar handle (weak). Each link carries its reasons with the evidence and one combined confidence."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from indexer import normalise
from nachtwacht.alerts.state import State

__all__ = ["COMMON_KEY_VENDORS", "WEIGHTS", "Link", "cross_market_link", "find_links", "save_links", "vendor_keys"]

WEIGHTS = {"pgp": 0.95, "wallet": 0.9, "contact": 0.6, "same_handle": 0.5, "similar_handle": 0.35}
#: A key shared by more vendors than this is the market's (escrow address, footer key), not evidence.
COMMON_KEY_VENDORS = 3
SIMILAR_HANDLE = 0.85  # SequenceMatcher ratio of normalised handles
MIN_HANDLE = 5  # shorter handles are too common to compare


@dataclass
class Link:
    vendor_id: str
    sites: dict[str, str]
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        miss = 1.0
        for reason in self.reasons:
            miss *= 1 - reason["confidence"]
        return round(1 - miss, 3)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "confidence": self.confidence}


def vendor_keys(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Normalised PGP fingerprints, wallets and contacts of a vendor document."""
    ents = doc.get("entities") or {}
    pgp = {k.get("fingerprint", "") for k in ents.get("pgp_keys") or ()} | set(doc.get("pgp_fingerprints") or ())
    wallets = {w.get("address", "") for w in ents.get("wallets") or () if w.get("valid", True)} | \
        set(doc.get("wallets") or ())
    contacts = {f"{c.get('kind')}:{c.get('value')}" for c in ents.get("contacts") or ()} | \
        set(doc.get("contacts") or ())
    return {
        "pgp": {normalise("pgp", v) for v in pgp if v},
        "wallet": {normalise("wallet", v) for v in wallets if v},
        "contact": {v.strip().lower() for v in contacts if v and not v.endswith(":")},
    }


def find_links(state: State, vendor_id: str, keys: dict[str, set[str]]) -> list[Link]:
    """Other vendor ids this vendor shares evidence with, strongest first."""
    found: dict[str, Link] = {}
    everyone = state.all_vendors()

    def link(other: str) -> Link:
        if other not in found:
            found[other] = Link(other, everyone.get(other, {}))
        return found[other]

    for kind in ("pgp", "wallet", "contact"):
        for value in sorted(keys.get(kind, ())):
            others = state.vendors_with_key(kind, value) - {vendor_id}
            if not others or len(others) + 1 > COMMON_KEY_VENDORS:
                continue
            for other in others:
                link(other).reasons.append({"reason": kind, "evidence": value, "confidence": WEIGHTS[kind]})
    if len(vendor_id) >= MIN_HANDLE:
        for other in everyone:
            if other == vendor_id or len(other) < MIN_HANDLE:
                continue
            ratio = SequenceMatcher(None, vendor_id, other).ratio()
            if ratio >= SIMILAR_HANDLE:
                link(other).reasons.append({"reason": "similar_handle", "evidence": f"{vendor_id} ~ {other}",
                                            "confidence": round(WEIGHTS["similar_handle"] * ratio, 3)})
    return sorted(found.values(), key=lambda x: (-x.confidence, x.vendor_id))


_SITE_KEY_FIELDS = (("pgp", "pgp"), ("wallet", "wallets"), ("contact", "contacts"))


def _norm(kind: str, value: str) -> str:
    return value.strip().lower() if kind == "contact" else normalise(kind, value)


def cross_market_link(state: State, doc: dict[str, Any]) -> Link | None:
    """One vendor document that holds the same handle on several markets (the crawl merges them by
    normalised handle): a link of the vendor with itself when a key was shown on the profile pages of
    two markets, with the key, the markets and their handles as evidence; None without a shared key.

    Per-site keys come from the vendor document's `site_keys` (what each market's profile page showed).
    A key many vendors share (escrow, market footer) is no evidence, as in `find_links`.
    """
    vendor_id = str(doc.get("vendor_id") or str(doc.get("id", "")).removeprefix("vendor:"))
    per_site = doc.get("site_keys") or {}
    handles: dict[str, str] = dict(doc.get("handles") or {})
    reasons: list[dict[str, Any]] = []
    for kind, field_name in _SITE_KEY_FIELDS:
        where: dict[str, set[str]] = {}
        for site, keys in per_site.items():
            for value in (keys or {}).get(field_name) or ():
                if value:
                    where.setdefault(_norm(kind, str(value)), set()).add(site)
        for value, sites in sorted(where.items()):
            if len(sites) < 2 or len(state.vendors_with_key(kind, value) - {vendor_id}) + 1 > COMMON_KEY_VENDORS:
                continue
            shown = " and ".join(f"{s} ({handles.get(s, '?')})" for s in sorted(sites))
            reasons.append({"reason": kind, "evidence": f"{value} on {shown}", "confidence": WEIGHTS[kind],
                            "value": value, "sites": sorted(sites)})
    if not reasons:
        return None
    both = sorted({s for r in reasons for s in r["sites"]})
    reasons.append({"reason": "same_handle", "evidence": " = ".join(f"{handles.get(s, '?')} on {s}" for s in both),
                    "confidence": WEIGHTS["same_handle"], "sites": both})
    return Link(vendor_id, {s: handles.get(s, "") for s in both}, reasons)


def save_links(state: State, vendor_id: str, links: list[Link]) -> list[Link]:
    """Store links; returns those that are new (or stronger than before)."""
    return [lk for lk in links
            if state.save_link(vendor_id, lk.vendor_id, lk.confidence, json.dumps(lk.reasons))]
