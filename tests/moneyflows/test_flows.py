"""Wallet timelines, shared wallets and money-mule leads from stored documents."""

from __future__ import annotations

from nachtwacht.moneyflows import build_flows
from tests.moneyflows.docs import BTC1, BTC2, ETH1, corpus


def test_timeline_per_vendor_and_market():
    flows = build_flows(corpus())
    rows = [(s.address, s.site, s.first_seen[:10], s.last_seen[:10], s.documents)
            for s in flows.timeline("kadekoning")]
    assert rows == [
        (BTC1, "alpha", "2026-01-05", "2026-03-01", 2),
        (BTC1, "beta", "2026-02-10", "2026-02-10", 1),
        (ETH1, "alpha", "2026-03-01", "2026-03-01", 1),
    ]
    first = flows.timeline("kadekoning")[0]
    assert first.evidence.startswith("crawl-2026-01-05.warc.gz#<urn:uuid:")
    eth = flows.timeline("kadekoning")[2]
    assert eth.evidence == f"http://alpha.example/item/2@sha256:{2:064x}"


def test_invalid_and_pseudonymised_wallets_stay_out():
    flows = build_flows(corpus())
    assert flows.invalid_wallets == 1
    assert all(not s.address.startswith("anon-") and not s.vendor_id.startswith("anon-") for s in flows.sightings)


def test_vendor_profile_wallets_count_per_market():
    flows = build_flows(corpus())
    luna = {(s.address, s.site, s.chain) for s in flows.timeline("lunaroja")}
    assert luna == {(BTC2, "beta", "btc"), (ETH1, "beta", "eth")}


def test_shared_wallets_between_vendors_and_markets():
    shared = {s.address: s for s in build_flows(corpus()).shared}
    assert shared[BTC1].vendors == ["kadekoning"] and shared[BTC1].sites == ["alpha", "beta"]
    assert shared[BTC2].vendors == ["easycash", "grijzekat", "lunaroja"]
    assert shared[ETH1].vendors == ["kadekoning", "lunaroja"]
    assert shared[BTC2].first_seen.startswith("2026-02-01")


def test_mule_recruitment_posts_tied_to_vendors():
    mules = {m.post_id: m for m in build_flows(corpus()).mules}
    assert set(mules) == {"p1", "p2"}  # p3 is prevention (not recruitment), p4 is not about accounts
    assert mules["p1"].cues == ["bankrekening"]
    assert mules["p1"].tied_to == [{"vendor_id": "kadekoning", "reason": "contact", "value": "@kadekoning"}]
    assert {(t["vendor_id"], t["reason"]) for t in mules["p2"].tied_to} == {("grijzekat", "wallet"),
                                                                         ("lunaroja", "wallet")}
