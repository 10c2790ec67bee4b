"""Crawls through the private Tor network with the real Scrapy stack (children processes)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import pytest

from crawlers.tor.onionkey import seed_for_name, write_service_keys
from crawlers.tor.socks import classify_failure
from tests.tor.helpers import finish_probe, run_probe, start_probe

pytestmark = pytest.mark.tor

REPO = Path(__file__).resolve().parents[2]


def _tor_settings(net, client: int, **extra) -> dict:
    # A spurious outage must end the crawl (tor_unavailable) well before the test's timeout.
    return {"NACHTWACHT_VIA": "tor", "NACHTWACHT_TOR_SOCKS": [net.socks_endpoints[client]],
            "NACHTWACHT_TOR_CONTROL": [net.control_endpoints[client]],
            "NACHTWACHT_TOR_OUTAGE_TIMEOUT": 90, **extra}


def _assert_only_tor_sockets(report: dict, net, client: int) -> None:
    assert not [h for h in report["lookups"] if h.lower().rstrip(".").endswith(".onion")]
    allowed = {net.socks_endpoints[client], net.control_endpoints[client]}
    assert report["connects"] and set(report["connects"]) <= allowed


def test_demo_market_crawled_over_tor_end_to_end(tor_network, tmp_path):
    net, server = tor_network.net, tor_network.demo["mercado"]
    served_before = len(server.hits)
    report = run_probe({
        "mode": "market", "site_config": str(REPO / "config/sites/demo-mercado.yaml"),
        "base_url": tor_network.onion_url("mercado", ""), "data_dir": str(tmp_path / "data"),
        "max_pages": 40, "settings": _tor_settings(net, 0), "overrides": {"LOG_FILE": None},
    }, tmp_path / "crawl.log", timeout=240)
    summary = report["summary"]
    assert summary["via"] == "tor"
    assert summary["pages"] >= 35, summary
    assert summary["tor"]["requests"] >= summary["pages"]
    assert summary["tor"]["ok"] >= summary["pages"]
    # Tor health in the crawl summary (crawlers.extensions.tor_health).
    assert summary["tor"]["clients"] == 1
    assert summary["tor"]["bootstrap_at_open"] == summary["tor"]["bootstrap_at_close"] == 100
    assert summary["tor"]["circuits_at_close"] >= 1
    assert len(server.hits) - served_before >= summary["pages"]
    _assert_only_tor_sockets(report, net, 0)


def test_two_sites_get_different_circuits(tor_network, tmp_path):
    net = tor_network.net
    urls = [tor_network.onion_url("alpha", "/p/20"), tor_network.onion_url("beta", "/p/20")]
    report = run_probe({"start": urls, "settings": _tor_settings(net, 0)}, tmp_path / "crawl.log")
    users = {page["url"].split("/")[2]: page["username"] for page in report["pages"]}
    alpha, beta = net.onion_address("alpha"), net.onion_address("beta")
    assert set(users) == {alpha, beta}
    assert users[alpha] != users[beta]
    with net.control(0) as ctl:
        circuits = ctl.circuits_by_username()
    assert circuits.get(users[alpha]) and circuits.get(users[beta])
    assert not circuits[users[alpha]] & circuits[users[beta]]
    _assert_only_tor_sockets(report, net, 0)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_killing_tor_pauses_the_crawl_and_it_resumes_without_losing_a_page(tor_network, tmp_path):
    net, site = tor_network.net, tor_network.sites["alpha"]
    site.reset()
    signal, log = tmp_path / "five-pages", tmp_path / "crawl.log"
    proc = start_probe({
        "start": [tor_network.onion_url("alpha")], "site": "alpha",
        "signal_file": str(signal), "signal_after": 5,
        "settings": _tor_settings(net, 1, DOWNLOAD_DELAY=0.3, CONCURRENT_REQUESTS=2,
                                  NACHTWACHT_TOR_PROBE_INTERVAL=0.5),
    }, log)
    try:
        _wait_for(signal.exists, 120, "five pages through Tor")
        net.stop_client(1)  # SIGKILL: the SOCKS port dies mid-crawl
        _wait_for(lambda: "crawl paused" in log.read_text(), 60, "the crawl to pause")
        hits_while_down = len(site.hits)
        time.sleep(1.0)  # the crawl must stay paused: nothing reaches the site meanwhile
        assert len(site.hits) == hits_while_down
        net.start_client(1)
        report = finish_probe(proc, log, timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
        net.start_client(1)  # leave the network as we found it (no-op when running)
    fetched = {page["url"].split("/", 3)[3] for page in report["pages"]}
    assert {"/" + p.lstrip("/") for p in fetched} == set(site.paths)
    assert report["failures"] == []
    stats = report["stats"]
    assert stats["tor/paused"] >= 1 and stats["tor/resumed"] >= 1
    assert stats["finish_reason"] == "finished"
    assert {host for _, host in site.hits} == {net.onion_address("alpha")}  # none direct
    _assert_only_tor_sockets(report, net, 1)


def test_tor_down_past_the_outage_timeout_closes_a_market_crawl_as_tor_unavailable(tor_network, tmp_path):
    """Fail closed, loudly: the real MarketSpider stack stops waiting and says why."""
    net, server = tor_network.net, tor_network.demo["noordzee"]
    served_before = len(server.hits)
    log = tmp_path / "crawl.log"
    proc = start_probe({
        "mode": "market", "site_config": str(REPO / "config/sites/demo-noordzee.yaml"),
        "base_url": tor_network.onion_url("noordzee", ""), "data_dir": str(tmp_path / "data"),
        "settings": _tor_settings(net, 1),
        "overrides": {"LOG_FILE": None, "DOWNLOAD_DELAY": 0.3, "CONCURRENT_REQUESTS": 2,
                      "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "NACHTWACHT_TOR_OUTAGE_TIMEOUT": 3,
                      "NACHTWACHT_TOR_PROBE_INTERVAL": 0.5},
    }, log)
    try:
        _wait_for(lambda: len(server.hits) - served_before >= 5, 120, "five market pages through Tor")
        net.stop_client(1)  # SIGKILL, and it stays down
        killed_at = time.monotonic()
        report = finish_probe(proc, log, timeout=120)
        took = time.monotonic() - killed_at
    finally:
        if proc.poll() is None:
            proc.kill()
        net.start_client(1)  # leave the network as we found it
    summary, text = report["summary"], log.read_text()
    assert summary["finish_reason"] == "tor_unavailable", summary
    assert took < 60, f"the crawl took {took:.0f}s to give up after Tor died"
    assert summary["pages"] >= 1
    assert summary["tor"]["paused"] == 1 and summary["tor"]["gave_up"] == 1
    assert summary["tor"].get("resumed", 0) == 0
    assert summary["frontier"]["pending"] >= 1  # what was not fetched waits for the next run
    line = next(x for x in text.splitlines() if "closing the crawl with reason tor_unavailable" in x)
    assert f"{net.socks_endpoints[1]} still down after" in line and "ERROR" in line
    assert "Spider closed (tor_unavailable)" in text
    _assert_only_tor_sockets(report, net, 1)  # nothing went direct, no .onion resolved here


def test_extended_errors_tell_a_missing_onion_from_a_bad_address(tor_network, tmp_path):
    nobody = write_service_keys(tmp_path / "nobody", seed_for_name("nobody-publishes-this"))
    proxy = f"socks5h://errors:x@{tor_network.net.socks_endpoints[0]}"
    outcomes = {}
    with httpx2.Client(proxy=proxy, timeout=60, trust_env=False) as client:
        for label, host in (("missing", nobody), ("bad", "a" * 56 + ".onion")):
            with pytest.raises(Exception) as caught:
                client.get(f"http://{host}/")
            outcomes[label] = classify_failure(caught.value)
    assert outcomes == {"missing": ("unreachable", 0xF0), "bad": ("unreachable", 0xF6)}


def test_an_unreachable_onion_is_reported_per_site_and_gets_new_tokens(tor_network, tmp_path):
    net = tor_network.net
    ghost = write_service_keys(tmp_path / "ghost", seed_for_name("ghost-market-never-published"))
    report = run_probe({"start": [f"http://{ghost}/"], "site": "ghost", "settings": _tor_settings(
        net, 0, RETRY_TIMES=3, NACHTWACHT_TOR_ROTATE_AFTER=2)}, tmp_path / "crawl.log")
    stats = report["stats"]
    assert [f["url"] for f in report["failures"]] == [f"http://{ghost}/"]
    assert stats["tor/site/ghost/unreachable"] == 4  # 1 try + 3 retries, each "site down"
    assert stats["tor/code/0xF0"] == 4  # descriptor not found
    assert stats["tor/rotations"] == 2  # a new isolation token after every 2 failures in a row
    assert "tor/paused" not in stats  # Tor itself was fine: the crawl never paused
    _assert_only_tor_sockets(report, net, 0)
