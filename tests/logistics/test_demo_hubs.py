"""Logistics hubs on the demo data: forum messages over time, and the crawled demo markets."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from extractors import extract_text
from indexer import get_backend, trends
from tests.conftest import cli_json, run_cli


@pytest.fixture(scope="module")
def forum_index(demo_world, tmp_path_factory):
    """Every demo forum message through extract_text, indexed as a post at its posted time."""
    data = tmp_path_factory.mktemp("forum-hubs")
    docs, by_text = [], {}
    for p in demo_world.truth["posts"]:
        post = extract_text(p["text"], url=f"http://forum.demo{p['path']}#{p['post_id']}", site="demo-forum").posts[0]
        docs.append({**post.to_dict(), "id": f"forum:{p['post_id']}", "posted_at": p["posted_at"],
                     "author": p["author"]})
        by_text[p["text"]] = post
    backend = get_backend({"backend": "embedded", "data_dir": str(data)})
    backend.upsert(docs)
    backend.close()
    return {"data": data, "by_text": by_text}


def test_demo_forum_carries_hubs_and_look_alikes(demo_world, forum_index):
    by_text = forum_index["by_text"]
    recipes = [t for t in by_text if "container" in t and ("soep" in t or "chili" in t)]
    oma = [t for t in by_text if "oma uit Rotterdam" in t]
    assert recipes and oma, "the demo forum must carry the look-alikes"
    for text in recipes + oma:
        assert by_text[text].logistics == (), text
    ports = [t for t in by_text if t.startswith("Uithalers gezocht voor de haven van")]
    assert ports
    for text in ports:
        hubs = {m.hub for m in by_text[text].logistics}
        assert "Rip-on/rip-off" in hubs and any(h.startswith("Port of") for h in hubs), text


def test_mentions_per_hub_over_time(forum_index, demo_world):
    backend = get_backend({"backend": "embedded", "data_dir": str(forum_index["data"])}, readonly=True)
    try:
        result = trends(backend, by="hub", interval="month", kind="post", top=20)
    finally:
        backend.close()
    series = {s["key"]: {p["period"]: p["count"] for p in s["points"]} for s in result["series"]}
    expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in demo_world.truth["posts"]:
        post = forum_index["by_text"][p["text"]]
        for hub in {m.hub.lower() for m in post.logistics}:
            expected[hub][p["posted_at"][:7]] += 1
    assert "port of rotterdam" in series and "rip-on/rip-off" in series
    assert len(series["rip-on/rip-off"]) >= 2  # several months
    for key, points in series.items():
        assert points == dict(expected[key]), key


def test_trends_command_by_hub(forum_index):
    data = str(forum_index["data"])
    out = cli_json("trends", "--by", "hub", "--kind", "post", "--data-dir", data)
    assert out["by"] == "hub" and {s["key"] for s in out["series"]} >= {"port of rotterdam", "rip-on/rip-off"}
    table = run_cli("trends", "--by", "hub_kind", "--kind", "post", "--data-dir", data).stdout
    assert "seaport" in table and "method" in table


@pytest.fixture(scope="module")
def demo_crawl(tmp_path_factory):
    """`nachtwacht demo --via direct`: the demo markets and forum crawled over loopback."""
    data = tmp_path_factory.mktemp("demo-hubs")
    run_cli("demo", "--via", "direct", "--data-dir", str(data), timeout=900)
    return data


def test_crawled_demo_listings_have_hubs(demo_crawl, demo_world):
    out = cli_json("trends", "--by", "hub", "--top", "30", "--data-dir", str(demo_crawl))
    totals = {s["key"]: s["total"] for s in out["series"]}
    assert {"stealth shipping", "postnl", "bpost", "seaport (unnamed)", "correos",
            "la poste / colissimo", "dhl"} <= set(totals)
    backend = get_backend({"backend": "embedded", "data_dir": str(demo_crawl)}, readonly=True)
    try:
        hits = backend.search('hub:"la poste / colissimo"', kind="listing", limit=5).hits
        assert hits and all(any(m["hub"] == "La Poste / Colissimo" for m in h["logistics"]) for h in hits)
    finally:
        backend.close()


def test_crawled_demo_wallet_link_and_tagpack(demo_crawl, demo_world, tmp_path):
    shared = cli_json("moneyflows", "shared", "--data-dir", str(demo_crawl))["shared"]
    linked = [set(s["vendors"]) for s in shared if len(s["vendors"]) > 1]
    for link in demo_world.truth["vendor_links"]:
        if link["evidence"].startswith("wallet"):
            ids = {"".join(ch for ch in m["handle"].casefold() if ch.isalnum()) for m in link["members"]}
            assert ids in linked, (ids, linked)
    timeline = cli_json("moneyflows", "wallets", "--vendor", "KetaKapitein", "--data-dir", str(demo_crawl))
    assert timeline["sightings"] and {s["site"] for s in timeline["sightings"]} == {"demo-noordzee"}
    out = tmp_path / "demo.csv"
    res = cli_json("moneyflows", "export", "--format", "csv", "--tlp", "green", "--out", str(out),
                   "--data-dir", str(demo_crawl))
    assert res["attributions"] > 20 and out.read_text().count("\n") == res["attributions"] + 1
    assert json.dumps(res)
