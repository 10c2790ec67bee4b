"""Chromium over the private Tor network (session fixture `tor_network`), on the demo market's
Noordzee onion: its JS-only listing page (`/live/<id>`) and its queue page (`/wachtrij`).

- A real `render: js` crawl through Tor extracts the listing that exists only after the script
  ran, and does not index the queue page.
- Two browser contexts on two SocksPorts get different circuits (stem: the circuits of the open
  streams to the onion); a third context on the first port gets no new circuit, which shows the
  check can fail.
- With the tor client stopped, the context's fetch fails, nothing reaches the onion or a canary,
  and Chromium's own net log shows no local resolution of the .onion name (a browser without our
  launch options does resolve it: see tests/browser/test_leak.py for the unproxied probes).

One Chromium for the browser checks, one for the crawl (a child process), both closed here.
"""

from __future__ import annotations

import json
import shutil

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawlers.render.launch import DeadPort, context_kwargs, launch_options
from tests.conftest import cli_json
from tests.fixtures_tor import SiteServer

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which("chromium"),
                                                      reason="Debian chromium is not installed")]


@pytest.fixture(scope="module")
def listing(demo_world):
    """The Noordzee listing behind `/live/<id>` (ground truth row)."""
    return next(t for t in demo_world.truth["listings"] if t["site"] == "noordzee" and not t["malformed"])


@pytest.fixture(scope="module")
def tor_js_crawl(tor_network, listing, tmp_path_factory):
    data = tmp_path_factory.mktemp("tor-js-crawl")
    onion = tor_network.net.onion_address("noordzee")
    socks = tor_network.net.socks_endpoints[0]
    config = data / "demo-noordzee.yaml"
    config.write_text(
        f"name: demo-noordzee\nbase_url: http://{onion}\nallowed_hosts: ['{onion}']\nrender: js\n"
        f"wait_for: '.product-title'\nstart_paths: ['/live/{listing['id']}', '/wachtrij']\n"
        "limits: {depth: 0}\n")
    server = tor_network.demo["noordzee"]
    before = len(server.hits)
    summary = cli_json("crawl", str(config), "--via", "tor", "--tor-socks", socks, "--job", "torjs",
                       "--set", "NACHTWACHT_RENDER_TIMEOUT=24", "--set", "NACHTWACHT_INTERSTITIAL_RETRIES=1",
                       "--set", "NACHTWACHT_INTERSTITIAL_MAX_WAIT=0.5", data_dir=data, timeout=240)
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        listings = backend.search("*", kind="listing", limit=50).hits
        pages = backend.search("*", kind="page", limit=50).hits
    finally:
        backend.close()
    return {"summary": summary, "listings": listings, "pages": pages, "data": data, "socks": socks,
            "onion": onion, "hits": server.hits[before:]}


def test_js_only_listing_is_extracted_through_chromium_over_tor(tor_js_crawl, listing):
    assert tor_js_crawl["summary"]["via"] == "tor"
    assert f"/live/{listing['id']}" in tor_js_crawl["hits"]  # served through the onion service
    (found,) = [item for item in tor_js_crawl["listings"] if item["url"].endswith(f"/live/{listing['id']}")]
    assert found["title"] == listing["title"]
    assert found["vendor"] == listing["vendor"]


def test_the_queue_page_is_not_indexed(tor_js_crawl):
    assert tor_js_crawl["hits"].count("/wachtrij") >= 2  # tried, retried, given up
    urls = [doc["url"] for doc in tor_js_crawl["listings"] + tor_js_crawl["pages"]]
    assert not any(url.endswith("/wachtrij") for url in urls), urls
    assert tor_js_crawl["summary"]["errors"].get("interstitialblocked") == 1, tor_js_crawl["summary"]


def test_browser_capture_over_tor_names_its_socks_port(tor_js_crawl, listing):
    roles = {}
    for path in (tor_js_crawl["data"] / "evidence" / "torjs").glob("*.warc.gz"):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_headers.get_header("WARC-Target-URI", "").endswith(f"/live/{listing['id']}"):
                    roles[record.rec_headers.get_header("WARC-X-Role") or record.rec_type] = record.rec_headers
    assert {"response", "request", "dom", "screenshot"} <= set(roles)
    assert {h.get_header("WARC-X-Tor-Socks") for h in roles.values()} == {tor_js_crawl["socks"]}
    assert {h.get_header("WARC-X-Via") for h in roles.values()} == {"tor"}


# --- the browser itself: circuits per context, fail closed -----------------------------------------

def _onion_circuits(net, onion: str) -> set[str]:
    """Circuits carrying open streams to `onion` on client 0 (stem, GETINFO stream-status).
    Chromium keeps its connections (and so their Tor streams) open after a page loads."""
    with net.control(0) as ctl:
        return ctl.stream_circuits().get(onion, set())


def _visit(context, url: str) -> str:
    page = context.new_page()
    page.goto(url, timeout=60_000)
    page.wait_for_selector(".product-title", timeout=20_000)
    return page.inner_text(".product-title")


def _net_log(path) -> dict:
    """Host names Chromium resolved itself, and the addresses it opened TCP connections to."""
    log = json.loads(path.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    resolved, connects = set(), set()
    for event in log["events"]:
        kind, params = names.get(event["type"], ""), event.get("params") or {}
        if kind.startswith("HOST_RESOLVER") and params.get("host"):
            resolved.add(params["host"])
        if kind == "TCP_CONNECT_ATTEMPT" and params.get("address"):
            connects.add(params["address"])
    return {"resolved": resolved, "connects": connects,
            "dns_tasks": sum(1 for e in log["events"] if names.get(e["type"], "").startswith("DNS_TRANSACTION"))}


@pytest.fixture(scope="module")
def browser_over_tor(tor_network, listing, demo_world, tmp_path_factory):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    net = tor_network.net
    onion = net.onion_address("noordzee")
    url = f"http://{onion}/live/{listing['id']}"
    other = next(t for t in demo_world.truth["listings"]
                 if t["site"] == "noordzee" and not t["malformed"] and t["id"] != listing["id"])
    netlog = tmp_path_factory.mktemp("netlog") / "netlog.json"
    ports = [net.pool.add_socks_port(0), net.pool.add_socks_port(0)]
    dead, canary = DeadPort(), SiteServer("canary", pages=1)
    server = tor_network.demo["noordzee"]
    launch = launch_options("tor", dead.port)
    launch["args"] += [f"--log-net-log={netlog}", "--net-log-capture-mode=Everything"]
    result: dict = {"onion": onion, "ports": ports, "tor1": net.socks_endpoints[1], "dead": dead.port,
                    "canary": canary.port}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch)
            try:
                seen = _onion_circuits(net, onion)
                for name, port in (("a", ports[0]), ("b", ports[1]), ("c", ports[0])):
                    hits = len(server.hits)
                    result[f"title_{name}"] = _visit(browser.new_context(**context_kwargs(port)), url)
                    result[f"served_{name}"] = len(server.hits) - hits
                    now = _onion_circuits(net, onion)
                    result[f"circuits_{name}"], seen = now - seen, now
                    result[f"open_{name}"] = now
                # Tor stopped: the same context worked a moment ago, through client 1
                context = browser.new_context(**context_kwargs(result["tor1"]))
                result["title_before_stop"] = _visit(context, url)
                net.stop_client(1)
                before = len(server.hits)
                page = context.new_page()
                for target in (f"http://{onion}/live/{other['id']}", f"http://127.0.0.1:{canary.port}/"):
                    try:
                        page.goto(target, timeout=20_000)
                        result.setdefault("reached", []).append(target)
                    except PlaywrightError as exc:
                        result.setdefault("errors", []).append(str(exc).splitlines()[0])
                result["server_hits_after_stop"] = server.hits[before:]
            finally:
                browser.close()
    finally:
        for port in ports:
            net.pool.remove_socks_port(0, port)
        net.start_client(1)  # client 1 back as the session found it
        dead.close()
        result["canary_hits"] = canary.hit_paths()
        canary.stop()
    result["net"] = _net_log(netlog)
    return result


def test_two_contexts_on_two_socks_ports_get_different_circuits(browser_over_tor, listing):
    run = browser_over_tor
    assert run["title_a"] == run["title_b"] == listing["title"]
    assert run["circuits_a"] and run["circuits_b"], "no stream seen: the check would prove nothing"
    assert not run["circuits_a"] & run["circuits_b"]
    # control: another context on the first port is served through Tor on no new circuit: it
    # rides the first context's (still open), as streams on one SocksPort may
    assert run["served_c"] >= 1 and run["circuits_c"] == set()
    assert run["circuits_a"] <= run["open_c"]


def test_with_tor_stopped_the_browser_fails_and_nothing_leaks(browser_over_tor, listing):
    run = browser_over_tor
    assert run["title_before_stop"] == listing["title"]
    assert "reached" not in run, run.get("reached")
    assert len(run["errors"]) == 2 and all("ERR_" in e for e in run["errors"]), run["errors"]
    assert run["server_hits_after_stop"] == [] and run["canary_hits"] == []


def test_chromium_never_resolves_a_name_itself(browser_over_tor):
    net = browser_over_tor["net"]
    assert net["connects"], "the net log saw no connection: it would prove nothing"
    assert not [h for h in net["resolved"] if ".onion" in h], net["resolved"]
    assert net["dns_tasks"] == 0
    allowed = {f"127.0.0.1:{p.rsplit(':', 1)[1]}" for p in browser_over_tor["ports"]}
    allowed |= {browser_over_tor["tor1"], f"127.0.0.1:{browser_over_tor['dead']}"}
    assert net["connects"] <= allowed, net["connects"] - allowed
