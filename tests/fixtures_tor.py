"""Session fixtures for Tor: the private Tor network with test sites as real onion services.

Registered from ``tests/conftest.py`` (``pytest_plugins``). ``tor_network`` starts once per
session: 3 authorities, 3 relays, one onion host, two clients (client 1 is the one the outage
test kills, so client 0 stays up for everyone else).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawlers.tor.testnet import PrivateTorNetwork


class SiteServer:
    """A tiny site on 127.0.0.1: ``/`` and ``/p/0`` .. ``/p/<n-1>`` linked as a binary tree.

    Every hit is recorded as ``(path, Host header)``; that is how tests prove which way a
    request came (an onion Host) and that a canary got nothing.
    """

    def __init__(self, name: str, pages: int = 30):
        self.name = name
        self.pages = pages
        self.hits: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.hits.append((self.path, self.headers.get("Host", "")))
                body = site.render(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def paths(self) -> list[str]:
        return ["/", *(f"/p/{i}" for i in range(self.pages))]

    def render(self, path: str) -> bytes:
        if path == "/":
            children = [0]
            title = f"{self.name} home"
        elif path.startswith("/p/") and path[3:].isdigit() and int(path[3:]) < self.pages:
            i = int(path[3:])
            children = [c for c in (2 * i + 1, 2 * i + 2) if c < self.pages]
            title = f"{self.name} page {i}"
        else:
            return b""
        links = "".join(f'<a href="/p/{c}">page {c}</a> ' for c in children)
        return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{links}</body></html>".encode()

    def hit_paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.hits]

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class TorWorld:
    """The running network and the local servers behind its onion services."""

    net: PrivateTorNetwork
    sites: dict[str, SiteServer] = field(default_factory=dict)
    demo: dict[str, Any] = field(default_factory=dict)  # demo site name -> DemoServer

    def onion_url(self, name: str, path: str = "/") -> str:
        return f"http://{self.net.onion_address(name)}{path}"


def _demo_market_servers() -> dict[str, Any]:
    """The demo market's sites (seed 7), each served on a free loopback port."""
    from nachtwacht.demomarket import generate, serve_world

    return dict(serve_world(generate(7)))


@pytest.fixture(scope="session")
def tor_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TorWorld]:
    """The private Tor network, started once; sites ``alpha`` and ``beta`` (+ the demo market)."""
    sites = {"alpha": SiteServer("alpha"), "beta": SiteServer("beta")}
    demo = _demo_market_servers()
    services = {name: site.port for name, site in sites.items()}
    services |= {name: server.port for name, server in demo.items()}
    workdir = Path(tmp_path_factory.mktemp("tornet"))
    net = PrivateTorNetwork(workdir, services, clients=2)
    try:
        net.start(timeout=240)
        yield TorWorld(net=net, sites=sites, demo=demo)
    finally:
        net.stop()
        for site in sites.values():
            site.stop()
        for server in demo.values():
            server.stop()
