"""Nothing unproxied leaves the crawl's Chromium: with the launch proxy at a dead port, a context
without its own proxy reaches neither a canary HTTP server (navigation, fetch, image) nor a
canary UDP port (WebRTC STUN). The same probes against an unprotected browser do reach the
canaries, which shows the test can fail. One browser at a time."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.render.launch import CHROMIUM, DeadPort, context_kwargs, launch_options

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which("chromium"),
                                                      reason="Debian chromium is not installed")]


class Canary:
    """An HTTP server and a UDP socket on 127.0.0.1 that record whatever reaches them."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.1)
        self.udp_port = self.udp.getsockname()[1]

    def udp_packets(self) -> int:
        count = 0
        while True:
            try:
                self.udp.recvfrom(4096)
                count += 1
            except OSError:
                return count

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.udp.close()


def _probe(launch: dict, context: dict, canary: Canary) -> tuple[list[str], int, bool]:
    """Navigate, fetch, load an image and open a WebRTC connection to the canaries."""
    from playwright.sync_api import sync_playwright

    probe = f"""<img src="http://127.0.0.1:{canary.port}/img">
    <script>
      fetch("http://127.0.0.1:{canary.port}/fetch").catch(() => {{}});
      const pc = new RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.1:{canary.udp_port}"}}]}});
      pc.createDataChannel("x");
      pc.createOffer().then(o => pc.setLocalDescription(o));
    </script>"""
    navigated = False
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch)
        try:
            ctx = browser.new_context(**context)
            page = ctx.new_page()
            try:
                page.goto(f"http://127.0.0.1:{canary.port}/navigate", timeout=10_000)
                navigated = True
            except Exception:
                navigated = False
            probe_page = ctx.new_page()
            probe_page.set_content(probe)
            time.sleep(3)  # let the image, fetch and ICE gathering run
        finally:
            browser.close()
    return list(canary.hits), canary.udp_packets(), navigated


def test_nothing_leaves_outside_the_proxy():
    canary = Canary()
    dead = DeadPort()
    try:
        hits, udp, navigated = _probe(launch_options("tor", dead.port), context_kwargs(None), canary)
    finally:
        dead.close()
        canary.stop()
    assert (hits, udp, navigated) == ([], 0, False)


def test_the_same_probes_reach_an_unprotected_browser():
    canary = Canary()
    try:
        plain = {"executable_path": CHROMIUM, "headless": True, "args": ["--no-sandbox", "--disable-gpu"]}
        hits, udp, navigated = _probe(plain, {}, canary)
    finally:
        canary.stop()
    assert navigated and {"/navigate", "/fetch", "/img"} <= set(hits) and udp > 0


def test_tor_launch_options_are_fail_closed():
    options = launch_options("tor", 9)
    assert options["proxy"] == {"server": "socks5://127.0.0.1:9"}
    assert "--webrtc-ip-handling-policy=disable_non_proxied_udp" in options["args"]
    assert any(a.startswith("--host-resolver-rules=MAP * ~NOTFOUND") for a in options["args"])
    with pytest.raises(ValueError):
        launch_options("tor", None)
    assert context_kwargs("127.0.0.1:9050")["proxy"] == {"server": "socks5://127.0.0.1:9050"}
    assert context_kwargs(None)["accept_downloads"] is False
