"""Detectors on hand-made documents: new vendors and links, listings, prices, gone, market down,
recruitment, watch lists, saved searches; deduplication across commits and crawls."""

from __future__ import annotations

import pytest

from nachtwacht.alerts.engine import AlertEngine
from nachtwacht.alerts.rules import load_rules
from tests.alerts.docs import ONION, PGP_SHARED, WALLET, listing, observation, post, vendor

WATCHED_PGP = "B1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
RULES = """\
rules:
  - {name: nv, type: new_vendor}
  - {name: link, type: vendor_link, min_confidence: 0.5}
  - {name: nl, type: new_listing}
  - {name: price, type: price_change, threshold_pct: 20}
  - {name: gone, type: listing_gone}
  - {name: down, type: market_down, unreachable_crawls: 2, vanished_fraction: 0.5, min_listings: 4}
  - {name: youth, type: recruitment, min_score: 0.6}
  - name: watch
    type: watchlist
    wallets: [BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH]
    pgp: ['0xb1b2 c3d4 e5f6 0718 293a 4b5c 6d7e 8f90 1234 5678']
    handles: [dark_chemist]
    onions: ['http://AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.onion/shop']
    keywords: [school pickup]
    regexes: ['\\bwickr\\s*:\\s*\\w+']
  - {name: cheap-coke, type: saved_search, query: 'cocaine AND price_eur:[* TO 60]', kind: listing}
"""


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    eng = AlertEngine(tmp_path / "data", load_rules(path))
    yield eng
    eng.close(timeout=5)


def _types(events):
    return sorted((e.type, e.entity) for e in events)


def _crawl(engine, site, docs, *, complete=True, pages=10):
    engine.begin_crawl(site)
    events = engine.process(docs, site)
    return events, engine.end_crawl(site, finish_reason="finished", pages=pages, complete=complete)


def test_new_vendors_and_cross_market_links(engine):
    first, _ = _crawl(engine, "mkt-a", [vendor("Vendor1", ["mkt-a"], pgp=[PGP_SHARED]),
                                        vendor("Shared", ["mkt-a"])])
    assert _types(first) == [("new_vendor", "mkt-a:shared"), ("new_vendor", "mkt-a:vendor1")]
    assert {e.details["scope"] for e in first} == {"global"}
    second, _ = _crawl(engine, "mkt-b", [vendor("OtherName", ["mkt-b"], pgp=[PGP_SHARED.lower()]),
                                         vendor("Shared", ["mkt-a", "mkt-b"]), vendor("Fresh", ["mkt-b"])])
    by_entity = {e.entity: e for e in second}
    assert set(by_entity) == {"mkt-b:othername", "mkt-b:shared", "mkt-b:fresh", "othername|vendor1"}
    other = by_entity["mkt-b:othername"].details
    assert other["scope"] == "market"
    assert other["links"][0]["vendor_id"] == "vendor1"
    assert other["links"][0]["reasons"] == [{"reason": "pgp", "evidence": PGP_SHARED, "confidence": 0.95}]
    assert by_entity["mkt-b:shared"].details["same_handle_on"] == {"mkt-a": "Shared"}
    assert by_entity["mkt-b:fresh"].details["scope"] == "global"
    link = by_entity["othername|vendor1"]
    assert link.type == "vendor_link" and link.details["confidence"] == 0.95
    assert PGP_SHARED in link.summary
    again, _ = _crawl(engine, "mkt-b", [vendor("OtherName", ["mkt-b"], pgp=[PGP_SHARED])])
    assert again == []
    assert engine.state.links("vendor1")[0]["b"] == "vendor1"


def test_a_key_many_vendors_share_is_no_evidence(engine):
    market_wallet = "bc1qmarketescrowaddressxxxxxxxxxxxxxxxxxx"
    docs = [vendor(f"Seller{i}", ["mkt-a"], wallets=[market_wallet]) for i in range(5)]
    events, _ = _crawl(engine, "mkt-a", docs)
    assert [e for e in events if e.type == "vendor_link"] == []


def test_weak_links_by_handle_similarity_stay_below_the_alert_threshold(engine):
    _crawl(engine, "mkt-a", [vendor("NorthStar", ["mkt-a"])])
    events, _ = _crawl(engine, "mkt-b", [vendor("NorthStar1", ["mkt-b"])])
    nv = next(e for e in events if e.type == "new_vendor")
    assert nv.details["links"][0]["reasons"][0]["reason"] == "similar_handle"
    assert nv.details["links"][0]["confidence"] < 0.5
    assert not [e for e in events if e.type == "vendor_link"]


def test_listings_new_price_gone_without_duplicates(engine):
    base = [listing("L1", price=100), listing("L2"), listing("L3"), observation("L1")]
    first, end1 = _crawl(engine, "mkt-a", base)
    assert first == [] and end1 == []  # baseline crawl: no flood of "new listing"
    second, end2 = _crawl(engine, "mkt-a", [listing("L1", price=130), listing("L1", price=130),
                                           listing("L2", price=110), listing("L4")])
    assert _types(second) == [("new_listing", "L4"), ("price_change", "L1@€130")]
    change = next(e for e in second if e.type == "price_change")
    assert change.details["change_pct"] == 30.0 and change.summary == "€100 -> €130"
    assert change.details["sha256"] == "ab" * 32
    assert _types(end2) == [("listing_gone", "L3")]
    third, end3 = _crawl(engine, "mkt-a", [listing("L1", price=130)], complete=False)
    assert third == [] and end3 == []  # an incomplete crawl proves nothing gone


def test_market_down_after_n_unreachable_crawls_and_mass_vanishing(engine):
    _crawl(engine, "mkt-a", [listing(f"L{i}") for i in range(6)])
    _, end = _crawl(engine, "mkt-a", [], pages=0, complete=False)
    assert end == []
    _, end = _crawl(engine, "mkt-a", [], pages=0, complete=False)
    assert _types(end) == [("market_down", "mkt-a:unreachable")]
    _, end = _crawl(engine, "mkt-a", [listing("L0"), listing("L1")])
    assert ("market_down", "mkt-a:vanished") in _types(end)
    assert len([e for e in end if e.type == "listing_gone"]) == 4


def test_recruitment_posts_above_the_threshold(engine):
    events, _ = _crawl(engine, "forum", [
        post("p1", "Snel geld, 16+ welkom, stuur DM", 0.91, evidence=["snel geld", "16+"]),
        post("p2", "Wie heeft er tips voor de bus?", 0.2), post("p3", "geen classificatie", None)])
    assert _types(events) == [("recruitment", "p1")]
    assert events[0].details["evidence"] == ["snel geld", "16+"]
    assert events[0].severity == "high" and "Recruiter9" in events[0].title


def test_watch_list_hits_and_dedupe_across_documents(engine):
    doc1 = listing("W1", description="pay to bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh or wickr: darkchem",
                   entities={"wallets": [{"chain": "btc", "address": WALLET, "valid": True}],
                             "pgp_keys": [{"fingerprint": WATCHED_PGP, "armored": True}],
                             "onions": [ONION], "emails": [], "contacts": []})
    doc2 = listing("W2", vendor="Dark-Chemist", entities={"wallets": [{"chain": "btc", "address": WALLET,
                                                                       "valid": True}]})
    doc3 = post("P9", "Schoolpickup? No: we do the School Pickup run at 3", None)
    events, _ = _crawl(engine, "mkt-a", [doc1, doc2, doc3])
    hits = {e.entity: e for e in events if e.type == "watchlist"}
    assert set(hits) == {f"wallet:{WALLET}", f"pgp:{WATCHED_PGP}", "handle:darkchemist", f"onion:{ONION}",
                         "keyword:school pickup", "regex:\\bwickr\\s*:\\s*\\w+ -> wickr: darkchem"}
    stored = engine.store.get(hits[f"wallet:{WALLET}"].id)
    assert stored.doc_ids == ["W1", "W2"] and stored.count == 2
    again, _ = _crawl(engine, "mkt-a", [doc1])
    assert [e for e in again if e.type == "watchlist"] == []


def test_saved_search_runs_on_new_documents_only(engine):
    cheap = listing("C1", title="Cocaine 1g", price=55)
    events, _ = _crawl(engine, "mkt-a", [cheap, listing("C2", title="Cocaine 5g", price=240),
                                         listing("H1", title="Hash 5g", price=30)])
    assert _types(events) == [("saved_search", "C1")]
    later, _ = _crawl(engine, "mkt-a", [listing("C2", title="Cocaine 5g", price=50)])
    assert ("saved_search", "C2") not in _types(later)  # not new: the price rule speaks for it
    assert ("price_change", "C2@€50") in _types(later)


def test_rate_limit_stores_but_does_not_deliver(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("channels:\n  - {name: j, type: file, path: j.jsonl}\n"
                    "rules:\n  - {name: nv, type: new_vendor, rate_limit: 2}\n", encoding="utf-8")
    eng = AlertEngine(tmp_path, load_rules(path))
    try:
        eng.begin_crawl("m")
        events = eng.process([vendor(f"V{i}", ["m"]) for i in range(4)], "m")
    finally:
        eng.close(timeout=10)
    # the first two go to delivery (a background thread may already have delivered them)
    assert [e.delivery in ("pending", "delivered") for e in events] == [True, True, False, False]
    assert [e.delivery for e in events[2:]] == ["rate_limited", "rate_limited"]
    assert len((tmp_path / "j.jsonl").read_text().splitlines()) == 2


def _merged(handle, site_keys):
    """A vendor document as the crawl merges one handle seen on several markets (site_keys per market)."""
    doc = vendor(handle, sorted(site_keys), pgp=sorted({k for v in site_keys.values() for k in v.get("pgp", [])}))
    doc["site_keys"] = site_keys
    return doc


def test_one_vendor_with_the_same_pgp_key_on_two_markets_is_linked_with_evidence(engine):
    _crawl(engine, "mkt-a", [_merged("FlakeFactory", {"mkt-a": {"pgp": [PGP_SHARED], "wallets": []}})])
    events, _ = _crawl(engine, "mkt-b", [_merged("FlakeFactory", {
        "mkt-a": {"pgp": [PGP_SHARED], "wallets": []},
        "mkt-b": {"pgp": ["0x" + PGP_SHARED.lower()], "wallets": [], "contacts": []}})])
    by_type = {e.type: e for e in events}
    assert set(by_type) == {"new_vendor", "vendor_link"}
    link = by_type["vendor_link"]
    assert link.entity == "flakefactory|flakefactory" and link.site == "mkt-a,mkt-b"
    assert link.title.startswith("same vendor on 2 markets (pgp, same_handle, 0.97)")
    pgp = link.details["reasons"][0]
    assert pgp["reason"] == "pgp" and pgp["sites"] == ["mkt-a", "mkt-b"] and pgp["confidence"] == 0.95
    assert pgp["evidence"] == f"{PGP_SHARED} on mkt-a (FlakeFactory) and mkt-b (FlakeFactory)"
    assert by_type["new_vendor"].details["scope"] == "market"
    assert engine.state.links("flakefactory")[0]["a"] == "flakefactory"
    again, _ = _crawl(engine, "mkt-b", [_merged("FlakeFactory", {"mkt-a": {"pgp": [PGP_SHARED]},
                                                                 "mkt-b": {"pgp": [PGP_SHARED]}})])
    assert again == []  # the link is known: no second alert


def test_same_handle_with_different_keys_per_market_is_not_a_key_link(engine):
    other = "C" * 40
    _crawl(engine, "mkt-a", [_merged("Namesake", {"mkt-a": {"pgp": [PGP_SHARED]}})])
    events, _ = _crawl(engine, "mkt-b", [_merged("Namesake", {"mkt-a": {"pgp": [PGP_SHARED]},
                                                             "mkt-b": {"pgp": [other]}})])
    assert [e.type for e in events] == ["new_vendor"]
    assert events[0].details["same_handle_on"] == {"mkt-a": "Namesake"}
