"""A small hand-made corpus (invented handles, addresses and keys only) for the API and web tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer import get_backend

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
PGP = "8A5C1F2D3E4B5A6978C0D1E2F3A4B5C6D7E8F901"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def _listing(n: int, title: str, vendor: str, product: str, category: str, country: str, eur: float,
             site: str, month: str) -> dict[str, Any]:
    lid = f"lst{n:04d}"
    return {
        "id": lid, "kind": "listing", "site": site, "url": f"http://{site}.example/item/{n}",
        "title": title, "description": f"{title}. Stealth shipping from {country}. Escrow only.",
        "vendor": vendor, "vendor_id": vendor.lower(), "price": {"amount": eur, "currency": "EUR"},
        "prices": [{"amount": eur, "currency": "EUR"}],
        "price_eur": {"amount": eur, "rate": 1.0, "rate_date": f"{month}-01"},
        "quantity": {"value": 1, "unit": "g"}, "ships_from": country, "ships_to": ["EU"],
        "category": category, "products": [{"name": product, "category": category}],
        "first_seen": f"{month}-03T10:00:00+00:00", "last_seen": f"{month}-20T10:00:00+00:00",
        "lang": "en",
        "entities": {"wallets": [{"chain": "btc", "address": BTC, "valid": True}], "pgp_keys": [],
                     "onions": [], "emails": [], "contacts": []},
        "evidence": {"url": f"http://{site}.example/item/{n}", "sha256": f"{n:064x}",
                     "fetched_at": f"{month}-20T10:00:00+00:00", "warc_file": "", "warc_record_id": "",
                     "via": "direct", "job_id": "test"},
    }


def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    plan = [
        ("Cocaine 90% pure", "NoordLicht", "cocaine", "stimulants", "NL", 60.0, "alpha"),
        ("MDMA crystals", "NoordLicht", "mdma", "empathogens", "NL", 25.0, "alpha"),
        ("Speed paste premium", "GrijzeKat", "amphetamine", "stimulants", "BE", 12.0, "alpha"),
        ("Cocaina colombiana", "LunaRoja", "cocaine", "stimulants", "ES", 70.0, "beta"),
        ("Hash moroccan", "LunaRoja", "hashish", "cannabis", "ES", 8.0, "beta"),
    ]
    n = 0
    for i, month in enumerate(MONTHS):
        for title, vendor, product, category, country, eur, site in plan:
            n += 1
            docs.append(_listing(n, f"{title} batch {i}", vendor, product, category, country,
                                 eur + i, site, month))
    first = docs[0]["id"]
    for i, month in enumerate(MONTHS):
        docs.append({"listing_id": first, "seen_at": f"{month}-15T12:00:00+00:00", "available": True,
                     "kind": "observation", "price": {"amount": 60.0 + i * 2, "currency": "EUR"},
                     "id": f"{first}:{month}-15T12:00:00+00:00"})
    links = {"noordlicht": [{"vendor_id": "grijzekat", "reason": "pgp", "evidence": PGP, "confidence": 0.9}],
             "grijzekat": [{"vendor_id": "noordlicht", "reason": "pgp", "evidence": PGP, "confidence": 0.9}],
             "lunaroja": []}
    for handle, site, first_month in (("NoordLicht", "alpha", "2026-01"), ("GrijzeKat", "alpha", "2026-02"),
                                      ("LunaRoja", "beta", "2026-03")):
        vid = handle.lower()
        ids = [d["id"] for d in docs if d.get("vendor_id") == vid]
        docs.append({"id": f"vendor:{vid}", "kind": "vendor", "vendor_id": vid, "vendor": handle,
                     "handles": {site: handle}, "sites": [site], "listing_ids": ids,
                     "listing_count": len(ids), "wallets": [BTC] if vid != "lunaroja" else [],
                     "pgp_fingerprints": [PGP] if vid != "lunaroja" else [], "contacts": [],
                     "links": links[vid], "first_seen": f"{first_month}-03T10:00:00+00:00",
                     "last_seen": "2026-06-20T10:00:00+00:00"})
    docs.append({"id": "post0001", "kind": "post", "site": "forum", "url": "http://forum.example/t/1",
                 "channel": "jobs", "author": "recruiter1", "text": "Looking for drivers, good pay, NL/BE",
                 "posted_at": "2026-05-01T09:00:00+00:00", "title": "", "lang": "en",
                 "entities": {"wallets": [], "pgp_keys": [], "onions": [], "emails": [], "contacts": []},
                 "recruitment": {"label": True, "score": 0.91, "evidence": [], "rule": "test"},
                 "products": [], "first_seen": "2026-05-01T09:00:00+00:00",
                 "last_seen": "2026-05-01T09:00:00+00:00", "evidence": None})
    return docs


def seed(data_dir: Path) -> int:
    """Index the corpus into the embedded backend of `data_dir`; returns the document count."""
    backend = get_backend({"backend": "embedded", "data_dir": str(data_dir)})
    try:
        count = backend.upsert(documents())
        backend.commit()
    finally:
        backend.close()
    return count
