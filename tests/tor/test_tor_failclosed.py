"""Fail closed, without any tor running: nothing leaves without Tor, no .onion is resolved here.

Each crawl runs the real Scrapy stack (project settings, our handler and middleware) in a child
process that records every ``socket.getaddrinfo`` and ``socket.connect`` with an audit hook.
The direct-mode control test proves the canary and the recording do see traffic when it happens.
"""

from __future__ import annotations

import socket
import threading

import pytest

from crawlers.tor.process import free_port
from tests.fixtures_tor import SiteServer
from tests.tor.helpers import run_probe

ONION = "http://" + "a" * 56 + ".onion/"


@pytest.fixture
def canary():
    server = SiteServer("canary", pages=3)
    yield server
    server.stop()


def _targets(canary: SiteServer) -> list[str]:
    return [f"http://127.0.0.1:{canary.port}/", f"http://localhost:{canary.port}/p/0", ONION]


def _onion_lookups(report: dict) -> list[str]:
    return [host for host in report["lookups"] if host.lower().rstrip(".").endswith(".onion")]


def test_direct_control_run_does_hit_the_canary(canary, tmp_path):
    report = run_probe({"start": _targets(canary), "settings": {"NACHTWACHT_VIA": "direct"}},
                       tmp_path / "crawl.log", timeout=120)
    assert set(canary.hit_paths()) == {"/", "/p/0", "/p/1", "/p/2"}
    assert f"127.0.0.1:{canary.port}" in report["connects"]
    assert "localhost" in report["lookups"]
    # Without Tor the .onion name IS resolved locally (and fails): the hook sees such leaks.
    onion_lookups = _onion_lookups(report)
    assert onion_lookups and set(onion_lookups) == {ONION[7:-1]}


def test_no_socks_endpoint_refuses_every_request(canary, tmp_path):
    report = run_probe({"start": _targets(canary),
                        "settings": {"NACHTWACHT_VIA": "tor", "NACHTWACHT_TOR_SOCKS": []}},
                       tmp_path / "crawl.log", timeout=120)
    assert canary.hits == []
    assert report["pages"] == []
    assert {f["error"] for f in report["failures"]} == {"TorRefused"}
    assert report["stats"]["tor/refused"] == 3
    assert _onion_lookups(report) == []
    assert not any(c.endswith(f":{canary.port}") for c in report["connects"])


def test_tor_stopped_canary_gets_nothing_and_no_onion_is_resolved(canary, tmp_path):
    dead_socks = f"127.0.0.1:{free_port()}"  # nothing listens: Tor is "stopped"
    report = run_probe({"start": _targets(canary), "settings": {
        "NACHTWACHT_VIA": "tor", "NACHTWACHT_TOR_SOCKS": [dead_socks],
        "NACHTWACHT_TOR_OUTAGE_TIMEOUT": 3, "NACHTWACHT_TOR_PROBE_INTERVAL": 0.5,
    }}, tmp_path / "crawl.log", timeout=120)
    assert canary.hits == []
    assert report["pages"] == []
    assert _onion_lookups(report) == []
    # Every socket the crawl opened went to the (dead) Tor SOCKS port, nowhere else.
    assert report["connects"], "the crawl never tried Tor: the test would prove nothing"
    assert set(report["connects"]) == {dead_socks}
    stats = report["stats"]
    assert stats["finish_reason"] == "tor_unavailable"
    assert stats["tor/paused"] == 1
    assert stats.get("tor/resumed", 0) == 0
    assert stats["tor/error/tor_down"] >= 1


class FailingSocks:
    """Stand-in for a Tor whose SOCKS port answers but fails every stream with 0x01 (general
    failure): the flapping case (probe "up", requests "Tor down") no real tor here reproduces."""

    def __init__(self) -> None:
        self.streams = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(3)  # greeting: version 5, one method (username/password)
                conn.sendall(b"\x05\x02")
                head = conn.recv(2)  # auth: version 1, username length, ...
                if len(head) < 2:
                    return  # a health probe: greeting only
                rest = conn.recv(head[1] + 1)
                conn.recv(rest[-1] if rest else 0)
                conn.sendall(b"\x01\x00")
                conn.recv(300)  # CONNECT request
                self.streams += 1
                conn.sendall(b"\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00")  # general SOCKS failure
            except OSError:
                pass

    def stop(self) -> None:
        self._sock.close()


def test_tor_that_answers_probes_but_fails_every_stream_still_closes_as_tor_unavailable(canary, tmp_path):
    socks = FailingSocks()
    try:
        report = run_probe({"start": _targets(canary), "settings": {
            "NACHTWACHT_VIA": "tor", "NACHTWACHT_TOR_SOCKS": [socks.endpoint],
            "NACHTWACHT_TOR_OUTAGE_TIMEOUT": 3, "NACHTWACHT_TOR_PROBE_INTERVAL": 0.3,
        }}, tmp_path / "crawl.log", timeout=90)
    finally:
        socks.stop()
    stats = report["stats"]
    assert socks.streams >= 2, "the stand-in never saw a stream: the test would prove nothing"
    assert stats["finish_reason"] == "tor_unavailable"
    assert stats["tor/paused"] == 1  # one outage, however often it resumed and failed again
    assert stats["tor/resumed"] >= 1 and stats["tor/gave_up"] == 1
    assert canary.hits == [] and report["pages"] == []
    assert set(report["connects"]) == {socks.endpoint}
    assert "closing the crawl with reason tor_unavailable" in (tmp_path / "crawl.log").read_text()
