"""A small synthetic corpus of every document kind (invented handles and keys only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def ents(wallets=(), pgp=(), onions=(), emails=(), contacts=()) -> dict[str, Any]:
    return {
        "wallets": [{"chain": c, "address": a, "valid": True} for c, a in wallets],
        "pgp_keys": [{"fingerprint": f, "armored": False} for f in pgp],
        "onions": list(onions),
        "emails": list(emails),
        "contacts": [{"kind": k, "value": v} for k, v in contacts],
    }


BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
XMR_LIKE = "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge"
PGP = "8A5C1F2D3E4B5A6978C0D1E2F3A4B5C6D7E8F901"
ONION = "nachtwachtdemo5xq3y4z2a7b6c5d4e3f2g1h0i9j8k7l6m5n4o3p2qd.onion"


def listing(id: str, title: str, **kw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": id, "kind": "listing", "site": "alpha", "url": f"http://alpha.example/{id}",
        "title": title, "description": "", "vendor": "", "vendor_id": "", "price": None,
        "prices": [], "price_eur": None, "ships_from": "", "ships_to": [], "category": "",
        "products": [], "first_seen": "2025-01-03T10:00:00+00:00", "last_seen": ago(2),
        "lang": "en", "entities": ents(), "evidence": None,
    }
    if "eur" in kw:
        eur = kw.pop("eur")
        doc["price_eur"] = {"amount": eur, "rate": 1.0, "rate_date": "2025-01-01"}
        doc["price"] = {"amount": eur, "currency": "EUR"}
    if "vendor" in kw:
        doc["vendor_id"] = "".join(c for c in kw["vendor"].casefold() if c.isalnum())
    if "products" in kw:
        doc["products"] = [{"name": n, "category": c} for n, c in kw.pop("products")]
    doc.update(kw)
    return doc


def post(id: str, text: str, **kw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": id, "kind": "post", "site": "forum", "url": f"http://forum.example/{id}",
        "channel": "general", "author": "someone", "text": text, "posted_at": ago(1),
        "title": "", "lang": "en", "entities": ents(), "recruitment": None, "products": [],
        "first_seen": ago(1), "last_seen": ago(1), "evidence": None,
    }
    if "recruit" in kw:
        label, score = kw.pop("recruit")
        doc["recruitment"] = {"label": label, "score": score, "evidence": [], "rule": "test"}
    doc.update(kw)
    return doc


def observation(listing_id: str, seen_at: str, amount: float) -> dict[str, Any]:
    return {
        "listing_id": listing_id, "seen_at": seen_at, "available": True, "kind": "observation",
        "price": {"amount": amount, "currency": "EUR"}, "id": f"{listing_id}:{seen_at}",
    }


def vendor(vendor_id: str, handles: dict[str, str], first_seen: str, **kw: Any) -> dict[str, Any]:
    doc = {
        "vendor_id": vendor_id, "handles": handles, "first_seen": first_seen, "last_seen": ago(2),
        "listing_count": 0, "wallets": [], "pgp_fingerprints": [], "links": [], "kind": "vendor",
        "id": vendor_id,
    }
    doc.update(kw)
    return doc


def corpus() -> list[dict[str, Any]]:
    """25 documents of every kind; contract tests hard-code the ids each query must return."""
    return [
        listing("L1", "Cocaïne pure 90% livraison rapide", lang="fr", vendor="Dutch_Magic",
                eur=80.0, ships_from="NL", ships_to=["BE", "FR"], category="stimulants",
                products=[("cocaine", "stimulants")], description="Qualité top, envoi discret.",
                entities=ents(wallets=[("btc", BTC)], pgp=[PGP])),
        listing("L2", "MDMA pills 200mg Tesla", vendor="PillKing", eur=25.0, ships_from="NL",
                ships_to=["DE", "BE"], category="ecstasy", products=[("mdma", "ecstasy")],
                last_seen=ago(30), first_seen="2025-02-10T00:00:00+00:00",
                description="Strong pills, worldwide shipping. Contact on telegram.",
                entities=ents(contacts=[("telegram", "@pillking_shop")])),
        listing("L3", "Wiet Amnesia Haze 10 gram", lang="nl", site="beta", vendor="GroenBoer",
                eur=60.0, ships_from="NL", ships_to=["NL"], category="cannabis",
                products=[("cannabis", "cannabis")], description="Verse wiet van eigen kweek.",
                last_seen=ago(10)),
        listing("L4", "Cocaína colombiana de alta pureza", lang="es", site="gamma", vendor="ElPatron",
                eur=45.0, price={"amount": 0.25, "currency": "XMR"}, ships_from="ES",
                ships_to=["ES", "FR"], category="stimulants", products=[("cocaine", "stimulants")],
                entities=ents(wallets=[("xmr", XMR_LIKE)]), first_seen="2025-02-11T00:00:00+00:00"),
        listing("L5", "Fake EU ID cards and passports", vendor="DocuMaster", eur=300.0,
                ships_from="DE", ships_to=["DE"], category="documents",
                products=[("passport", "documents")], last_seen=ago(45)),
        listing("L6", "Heroin no. 4 brown", vendor="dutch-magic", eur=120.0, ships_from="NL",
                category="opioids", products=[("heroin", "opioids")],
                entities=ents(wallets=[("eth", ETH)], pgp=[PGP]), last_seen=ago(5)),
        listing("L7", "Comprimés de MDMA Tesla 250mg", lang="fr", site="beta", vendor="pillking",
                eur=12.5, ships_from="FR", ships_to=["FR", "BE"], category="ecstasy",
                products=[("mdma", "ecstasy")], first_seen="2025-03-01T00:00:00+00:00"),
        listing("L8", "C++ & e-mail: support (24/7) — 3.5g", vendor="Support_Desk",
                description="Write to support@example.org or visit " + ONION,
                entities=ents(onions=[ONION], emails=["support@example.org"]), last_seen=ago(60)),
        listing("L9", "Kokain från Sverige – ÅÄÖ straße", lang="", site="delta", vendor="Nordic",
                eur=95.0, ships_from="SE", products=[("cocaine", "stimulants")],
                category="stimulants", last_seen=ago(3)),
        listing("L10", "Ketamine crystal shards", vendor="KetaQueen", eur=35.0, ships_from="BE",
                ships_to=["BE", "NL"], category="dissociatives", products=[("ketamine", "dissociatives")],
                last_seen=ago(4)),
        listing("L11", "Speed paste amphetamine 100g", lang="nl", vendor="GroenBoer", eur=150.0,
                ships_from="NL", category="stimulants", products=[("amphetamine", "stimulants")],
                description="Snelle levering binnen Nederland.", last_seen=ago(8)),
        listing("L12", "Cocaine 1g sample pack", vendor="Dutch_Magic", eur=50.0, ships_from="NL",
                ships_to=["NL", "BE", "DE"], category="stimulants", products=[("cocaine", "stimulants")],
                last_seen=ago(1)),
        post("P1", "Recherche chauffeurs pour livraisons, bien payé. Contact telegram.",
             lang="fr", author="Recruteur", channel="jobs", recruit=(True, 0.91)),
        post("P2", "Looking for drop addresses in Belgium, good money.", channel="jobs",
             author="dropper", recruit=(True, 0.75), posted_at=ago(20)),
        post("P3", "Heeft iemand ervaring met deze verkoper? Wiet was goed.", lang="nl",
             author="klant42", recruit=(False, 0.05), posted_at=ago(40)),
        post("P4", "Best cocaine vendor? Dutch_Magic delivered fast.", author="buyer1",
             recruit=(False, 0.1)),
        observation("L1", "2025-01-03T10:00:00+00:00", 85.0),
        observation("L1", "2025-01-10T10:00:00+00:00", 80.0),
        observation("L1", "2025-02-05T10:00:00+00:00", 75.0),
        observation("L2", "2025-02-10T00:00:00+00:00", 25.0),
        observation("L2", "2025-03-15T00:00:00+00:00", 22.0),
        vendor("dutchmagic", {"alpha": "Dutch_Magic", "beta": "dutch-magic"},
               "2025-01-03T10:00:00+00:00", listing_count=3, wallets=[BTC, ETH],
               pgp_fingerprints=[PGP]),
        vendor("pillking", {"alpha": "PillKing", "beta": "pillking"}, "2025-02-10T00:00:00+00:00",
               listing_count=2),
        vendor("elpatron", {"gamma": "ElPatron"}, "2025-02-11T00:00:00+00:00", listing_count=1,
               wallets=[XMR_LIKE]),
        vendor("groenboer", {"beta": "GroenBoer"}, "2025-03-20T00:00:00+00:00", listing_count=2),
    ]
