"""Hand-made index documents (invented handles; public test-vector addresses) for the money-flow tests."""

from __future__ import annotations

from typing import Any

BTC1 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC2 = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
ETH1 = "0x52908400098527886E0F7030069857D2E4169EE7"
BAD = "1BoatSLRHtKNngkdXEeobR76b53LETtpyX"  # checksum broken


def listing(n: int, vendor: str, site: str, day: str, wallets: list[tuple[str, str, bool]],
            contacts: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    url = f"http://{site}.example/item/{n}"
    return {
        "id": f"l{n}", "kind": "listing", "site": site, "url": url, "title": f"item {n}",
        "vendor": vendor, "vendor_id": "".join(ch for ch in vendor.casefold() if ch.isalnum()),
        "first_seen": f"{day}T10:00:00+00:00", "last_seen": f"{day}T18:00:00+00:00",
        "entities": {"wallets": [{"chain": c, "address": a, "valid": v} for a, c, v in wallets],
                     "contacts": [{"kind": k, "value": v} for k, v in contacts], "pgp_keys": [], "onions": [],
                     "emails": []},
        "evidence": {"url": url, "sha256": f"{n:064x}", "fetched_at": f"{day}T18:00:00+00:00",
                     "warc_file": f"crawl-{day}.warc.gz" if n % 2 else "",
                     "warc_record_id": f"<urn:uuid:{n:08d}-0000-0000-0000-000000000000>" if n % 2 else "",
                     "via": "tor", "job_id": "t"},
    }


def post(n: int, author: str, day: str, text: str, label: bool, score: float,
         wallets: list[str] = (), contacts: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {
        "id": f"p{n}", "kind": "post", "site": "forum", "url": f"http://forum.example/t/{n}", "author": author,
        "text": text, "posted_at": f"{day}T12:00:00+00:00",
        "recruitment": {"label": label, "score": score, "evidence": []},
        "entities": {"wallets": [{"chain": "btc", "address": a, "valid": True} for a in wallets],
                     "contacts": [{"kind": k, "value": v} for k, v in contacts], "pgp_keys": [], "onions": [],
                     "emails": []},
    }


def corpus() -> list[dict[str, Any]]:
    return [
        listing(1, "KadeKoning", "alpha", "2026-01-05", [(BTC1, "btc", True), (BAD, "btc", False)],
                (("telegram", "@kadekoning"),)),
        listing(2, "KadeKoning", "alpha", "2026-03-01", [(BTC1, "btc", True), (ETH1, "eth", True)]),
        listing(3, "Kade_Koning", "beta", "2026-02-10", [(BTC1, "btc", True)]),  # same actor, other market
        listing(4, "GrijzeKat", "alpha", "2026-02-01", [(BTC2, "btc", True)]),
        listing(5, "LunaRoja", "beta", "2026-02-15", [(BTC2, "btc", True)]),  # shares BTC2 with grijzekat
        listing(6, "anon-3f2a9c", "beta", "2026-02-15", [("anon-wallet-1", "btc", True)]),  # pseudonymised
        {"id": "vendor:lunaroja", "kind": "vendor", "vendor_id": "lunaroja", "handles": {"beta": "LunaRoja"},
         "wallets": [ETH1], "first_seen": "2026-04-01T00:00:00+00:00", "last_seen": "2026-04-02T00:00:00+00:00"},
        post(1, "EasyCash", "2026-02-20", "Wie wil z'n bankrekening uitlenen? jij houdt 20%. DM @kadekoning",
             True, 0.93, contacts=(("telegram", "@kadekoning"),)),
        post(2, "EasyCash", "2026-02-21", "Looking for money mules, send BTC to " + BTC2, True, 0.88, wallets=[BTC2]),
        post(3, "NoMoreVictims", "2026-02-22", "Geld voor je bankpas? Dat is geldezelen. Doe het niet.", False, 0.2),
        post(4, "Snelgeld", "2026-02-23", "Uithalers gezocht voor de haven, 5k per klus", True, 0.95),
    ]
