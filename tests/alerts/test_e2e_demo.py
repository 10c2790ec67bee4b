"""End to end on the demo world through the real CLI (issue 6): crawl generation 0 of both markets and
the forum, then generation 1 of Noordzee and the forum on the same URLs, with one rule file whose
channels are a real SMTP server (aiosmtpd, STARTTLS) and a signed-webhook receiver.

The first crawl raises "new vendor" for every vendor of both markets and links the actors who share a
PGP key, wallet or contact; the second raises exactly what the generator changed (ground truth
`truth["changes"]`): new vendors (one new everywhere, one known on Mercado by its PGP key), their
listings, the price change, the listings gone, the watch-listed wallet, the recruiter's new post;
nothing else, no duplicates. Posts are matched by post id (authors may be pseudonymised).
"""

from __future__ import annotations

import time

import pytest

from extractors.model import listing_id, normalise_vendor
from nachtwacht.alerts.store import EventStore
from tests.alerts.receivers import WEBHOOK_SECRET, SmtpReceiver, WebhookReceiver, channels_yaml
from tests.conftest import REPO, cli_json

SITES = {"noordzee": "demo-noordzee", "mercado": "demo-mercado", "forum": "demo-forum"}


def _rules(smtp: SmtpReceiver, hook: WebhookReceiver, wallet: str) -> str:
    return channels_yaml(smtp, hook, attempts=3, backoff=0.2) + f"""\
rules:
  - {{name: e2e-new-vendor, type: new_vendor}}
  - {{name: e2e-link, type: vendor_link, min_confidence: 0.5}}
  - {{name: e2e-new-listing, type: new_listing}}
  - {{name: e2e-price, type: price_change, threshold_pct: 20}}
  - {{name: e2e-gone, type: listing_gone}}
  - {{name: e2e-down, type: market_down}}
  - {{name: e2e-youth, type: recruitment, min_score: 0.5, dedupe_window: 30d}}
  - {{name: e2e-wallets, type: watchlist, wallets: ['{wallet}'], kinds: [listing, vendor]}}
"""


def _crawl(name: str, base: str, data, rules) -> dict:
    return cli_json("crawl", str(REPO / "config" / "sites" / f"demo-{name}.yaml"), "--via", "direct",
                    "--base-url", base, "--data-dir", str(data), "--set", f"NACHTWACHT_ALERT_RULES={rules}",
                    timeout=600)


def _events(data, after: int = 0) -> list:
    store = EventStore(data)
    try:
        return [e for e in store.list(limit=100_000) if e.id > after]
    finally:
        store.close()


@pytest.fixture(scope="module")
def e2e(demo_world, tmp_path_factory):
    from nachtwacht.demomarket import DemoServer, generate

    later = generate(7, generation=1)
    tmp = tmp_path_factory.mktemp("alerts-e2e")
    data = tmp / "data"
    smtp, hook = SmtpReceiver(tmp), WebhookReceiver()
    smtp.start()
    hook.start()
    servers = {name: DemoServer(demo_world.sites[name]) for name in SITES}
    env = pytest.MonkeyPatch()
    env.setenv("NW_TEST_HOOK_SECRET", WEBHOOK_SECRET)  # read by the crawl processes' webhook channel
    try:
        bases = {name: server.start() for name, server in servers.items()}
        watched = next(v for v in later.truth["changes"]["new_vendors"] if v["handle"] == "NachtUil")["wallets"][0]
        rules = tmp / "rules.yaml"
        rules.write_text(_rules(smtp, hook, watched), encoding="utf-8")
        first = {name: _crawl(name, bases[name], data, rules) for name in SITES}
        first_events = _events(data)
        last_id = max((e.id for e in first_events), default=0)
        for name in ("noordzee", "forum"):
            servers[name].replace_site(later.sites[name])
        second = {name: _crawl(name, bases[name], data, rules) for name in ("noordzee", "forum")}
        second_events = _events(data, after=last_id)
        deadline = time.monotonic() + 30  # the crawl waited for deliveries; allow the receivers to settle
        wanted = {e.id for e in first_events + second_events}
        while time.monotonic() < deadline and not (wanted <= {int(i) for i in smtp.by_event()}
                                                   and wanted <= {p["id"] for p in hook.payloads()}):
            time.sleep(0.2)
    finally:
        env.undo()
        for server in servers.values():
            server.stop()
        smtp.stop()
        hook.stop()
    return {"data": data, "bases": bases, "later": later, "watched": watched, "first": first, "second": second,
            "first_events": first_events, "second_events": second_events, "mail": smtp.by_event(),
            "hooks": {p["id"]: p for p in hook.payloads()}, "hook_records": list(hook.received)}


def _vid(handle: str) -> str:
    return normalise_vendor(handle)


def _key_extracted(world, site: str, handle: str) -> bool:
    """Does extraction find the vendor's PGP fingerprint on its profile page (an armored block in a
    Mercado <textarea>)?"""
    from extractors import extract_html

    vendor = next(v for v in world.truth["vendors"] if v["site"] == site and v["handle"] == handle)
    html = world.sites[site].pages[vendor["path"]]
    found = extract_html(html, url="http://x.invalid" + vendor["path"], site=site).entities.pgp_keys
    return vendor["pgp_fingerprint"] in {k.fingerprint for k in found}


def _keys(events) -> list[tuple[str, str]]:
    return sorted((e.type, e.entity) for e in events)


def test_every_crawl_finished_cleanly(e2e):
    for summary in [*e2e["first"].values(), *e2e["second"].values()]:
        assert summary["finish_reason"] == "finished", summary
    for site in SITES.values():  # AlertExtension.closed: no thread error, no detection error
        log = (e2e["data"] / "jobs" / site / "crawl.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log and "alerts/errors" not in log, site


def test_first_crawl_raises_new_vendor_for_every_vendor_of_both_markets(e2e, demo_world):
    expected = {f"{SITES[v['site']]}:{_vid(v['handle'])}" for v in demo_world.truth["vendors"]}
    got = [e.entity for e in e2e["first_events"] if e.type == "new_vendor"]
    assert sorted(got) == sorted(expected)  # each once
    assert {e.type for e in e2e["first_events"]} <= {"new_vendor", "vendor_link", "recruitment"}


def test_first_crawl_links_the_actors_shared_by_both_markets_with_their_evidence(e2e, demo_world):
    vendors = {(v["site"], v["handle"]): v for v in demo_world.truth["vendors"]}
    links = {e.entity: e for e in e2e["first_events"] if e.type == "vendor_link"}
    for truth in demo_world.truth["vendor_links"]:
        (nz, mc) = [vendors[(m["site"], m["handle"])] for m in truth["members"]]
        entity = "|".join(sorted((_vid(nz["handle"]), _vid(mc["handle"]))))
        assert entity in links, (truth, sorted(links))
        event = links[entity]
        evidence = " ".join(r["evidence"] for r in event.details["reasons"])
        if truth["evidence"].startswith("pgp"):
            assert nz["pgp_fingerprint"] == mc["pgp_fingerprint"]
            assert _key_extracted(demo_world, "mercado", mc["handle"]), mc["handle"]
            assert nz["pgp_fingerprint"] in evidence
            assert event.details["confidence"] >= 0.95
        elif truth["evidence"] == "wallet":
            shared = {w["address"] for w in nz["wallets"] if w["valid"]} & {w["address"] for w in mc["wallets"]}
            assert any(w.lower() in evidence.lower() for w in shared)
    # FlakeFactory has one handle on both markets: one vendor document, linked to itself by its key
    same = links["flakefactory|flakefactory"]
    assert same.title.startswith("same vendor on 2 markets (")
    assert "demo-mercado (FlakeFactory) and demo-noordzee (FlakeFactory)" in same.summary
    reasons = same.title.split("(", 1)[1].split(")", 1)[0].split(", ")  # "(contact, pgp, ..., 1.00)"
    assert "pgp" in reasons, same.title


def test_second_crawl_raises_exactly_what_the_generator_changed(e2e):
    changes = e2e["later"].truth["changes"]
    base = e2e["bases"]["noordzee"]

    def lid(path: str) -> str:
        return listing_id("demo-noordzee", base + path)

    price = changes["price_changes"][0]
    assert _key_extracted(e2e["later"], "mercado", "ElChapulin")
    expected = {("new_vendor", f"demo-noordzee:{_vid(v['handle'])}") for v in changes["new_vendors"]}
    expected |= {("vendor_link", "chapulinnl|elchapulin")}  # Chapulin_NL uses ElChapulin's PGP key
    expected |= {("new_listing", lid(r["path"])) for r in changes["new_listings"]}
    expected |= {("price_change", lid(price["path"]))}  # entity: "<listing id>@<new price>"
    expected |= {("listing_gone", lid(r["path"])) for r in changes["gone_listings"]}
    expected |= {("watchlist", f"wallet:{e2e['watched']}")}
    market = [e for e in e2e["second_events"] if e.type != "recruitment"]
    def key(e) -> tuple[str, str]:
        return (e.type, e.entity.rsplit("@", 1)[0] if e.type == "price_change" else e.entity)

    got = sorted(key(e) for e in market)
    assert len(got) == len(set(got))  # no duplicates
    assert sorted(expected - set(got)) == []  # every change raised
    # nothing else: no vendor page (few cards) or one-card index page taken for a listing
    assert [f"{e.type} {e.details.get('url')}" for e in market if key(e) not in expected] == []
    change = next(e for e in market if e.type == "price_change")
    assert change.details["change_pct"] == 50.0 and change.details["url"] == base + price["path"]
    assert f"{price['new']['amount']:g}" in change.summary and f"{price['old']['amount']:g}" in change.summary
    newcomer = {e.entity: e for e in market if e.type == "new_vendor"}
    assert newcomer["demo-noordzee:nachtuil"].details["scope"] == "global"
    known = newcomer["demo-noordzee:chapulinnl"].details
    assert known["scope"] == "market" and known["links"][0]["vendor_id"] == "elchapulin"
    assert known["links"][0]["reasons"][0]["reason"] == "pgp"


def test_second_forum_crawl_raises_only_the_new_recruitment_post(e2e):
    assert e2e["second"]["forum"]["posts"] > 0, "the forum crawl extracted no posts (see its crawl.log)"
    new_post = e2e["later"].truth["changes"]["new_posts"][0]
    recruitment = [e for e in e2e["second_events"] if e.type == "recruitment"]
    assert [e.details["url"].rsplit("#", 1)[-1] for e in recruitment] == [str(new_post["post_id"])]
    assert recruitment[0].severity == "high" and recruitment[0].details["score"] >= 0.5


def test_every_alert_reached_the_smtp_and_the_signed_webhook_receivers(e2e):
    events = e2e["first_events"] + e2e["second_events"]
    assert events
    for event in events:
        mail = e2e["mail"].get(str(event.id))
        assert mail is not None, event.title
        assert event.title[:40] in mail["Subject"]
        assert e2e["hooks"][event.id]["entity"] == event.entity
    assert all(r["valid"] for r in e2e["hook_records"])
    assert len(e2e["hook_records"]) == len(events)  # one delivery per alert: no duplicates


def test_the_alerts_cli_lists_what_the_crawls_raised(e2e):
    rows = cli_json("alerts", "list", "--data-dir", str(e2e["data"]), "--type", "price_change")["alerts"]
    assert [(r["type"], r["rule"]) for r in rows] == [("price_change", "e2e-price")]
