"""Hand-made documents in the shape the crawl pipeline commits (see crawlers/pipelines.py)."""

from __future__ import annotations

from typing import Any

PGP_SHARED = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
WALLET = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
ONION = "a" * 56 + ".onion"


def listing(lid: str, site: str = "mkt-a", price: float = 100.0, vendor: str = "Vendor1", **extra: Any) -> dict:
    doc = {"id": lid, "kind": "listing", "site": site, "url": f"http://{site}.invalid/p/{lid}",
           "title": f"Listing {lid}", "description": "", "vendor": vendor, "vendor_id": vendor.lower(),
           "price": {"amount": price, "currency": "EUR"}, "price_eur": {"amount": price, "rate": 1.0,
                                                                        "rate_date": "2026-11-01"},
           "lang": "en", "entities": {"wallets": [], "pgp_keys": [], "onions": [], "emails": [], "contacts": []},
           "evidence": {"url": f"http://{site}.invalid/p/{lid}", "sha256": "ab" * 32, "fetched_at": "2026-11-01"},
           "first_seen": "2026-11-01T10:00:00+00:00", "last_seen": "2026-11-01T10:00:00+00:00"}
    doc.update(extra)
    return doc


def observation(lid: str, site: str = "mkt-a") -> dict:
    return {"id": f"{lid}:2026-11-01", "kind": "observation", "listing_id": lid, "site": site, "available": True}


def vendor(handle: str, sites: list[str], pgp: list[str] = (), wallets: list[str] = (),
           contacts: list[str] = ()) -> dict:
    vid = "".join(ch for ch in handle.casefold() if ch.isalnum())
    return {"id": f"vendor:{vid}", "kind": "vendor", "vendor_id": vid, "vendor": handle,
            "handles": dict.fromkeys(sites, handle), "sites": sites, "listing_ids": [], "listing_count": 0,
            "wallets": list(wallets), "pgp_fingerprints": list(pgp), "contacts": list(contacts),
            "first_seen": "2026-11-01T10:00:00+00:00", "last_seen": "2026-11-01T10:00:00+00:00"}


def post(pid: str, text: str, score: float | None, site: str = "forum", evidence: list[str] = ()) -> dict:
    rec = None if score is None else {"label": score >= 0.5, "score": score, "rule": "model",
                                      "evidence": [{"value": e, "start": 0, "end": len(e), "rule": "phrase"}
                                                   for e in evidence]}
    return {"id": pid, "kind": "post", "site": site, "url": f"http://{site}.invalid/t/1#{pid}", "channel": "jobs",
            "author": "Recruiter9", "text": text, "lang": "nl", "recruitment": rec,
            "entities": {"wallets": [], "pgp_keys": [], "onions": [], "emails": [], "contacts": []},
            "posted_at": "2026-11-01T09:00:00+00:00"}
