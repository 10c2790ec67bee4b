"""A small threaded HTTP/1.1 server for one demo site (stdlib only, loopback by default)."""

from __future__ import annotations

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .exceptions import DemoServerError

if TYPE_CHECKING:
    from types import TracebackType

    from ._html import Reply
    from ._site import DemoSite

__all__ = ["DemoServer"]

log = logging.getLogger(__name__)

_MAX_BODY = 1 << 20  # request bodies (login form posts) are read and dropped up to 1 MiB


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: loopback benchmarks need it
    timeout = 120  # an idle keep-alive connection frees its thread after two minutes
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms ACK stalls
    server_version = "nginx"
    sys_version = ""
    server: _Server

    def _send(self, reply: Reply, head_only: bool) -> None:
        if not self.server.record(self.path):  # held: no response, the connection is closed
            self.close_connection = True
            return
        if self.server.latency:
            time.sleep(self.server.latency)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(reply.content_length))
        self.send_header("Cache-Control", "no-store")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if head_only:
            return
        if reply.stream is not None:
            for chunk in reply.stream():
                self.wfile.write(chunk)
        else:
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._send(self.server.site.resolve(self.path, self.headers.get("Cookie", "")), head_only=False)

    def do_HEAD(self) -> None:
        self._send(self.server.site.resolve(self.path, self.headers.get("Cookie", "")), head_only=True)

    def do_POST(self) -> None:
        """Every form post fails like a login with a wrong captcha (403, then the page)."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.close_connection = True
        else:
            self.rfile.read(length)
        reply = self.server.site.resolve(self.path)
        from ._html import Reply

        self._send(Reply(403, reply.content_type, reply.body, ()), head_only=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.server.site.name, format % args)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            self.close_connection = True  # the client went away (e.g. size limit hit)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: DemoSite, hits: list[str]) -> None:
        self.site = site
        self.hits = hits
        self._lock = threading.Lock()
        self.held = False
        self.latency = 0.0
        super().__init__(address, _Handler)

    def record(self, path: str) -> bool:
        """Count a request about to be answered; False (not counted) while requests are held."""
        with self._lock:
            if self.held:
                return False
            self.hits.append(path)
            return True

    def hold(self, held: bool) -> None:
        with self._lock:
            self.held = held


class DemoServer:
    """Serve one :class:`DemoSite` on ``host:port`` (port 0 = a free port picked by the OS).

    ``start()`` returns the base URL; ``stop()`` shuts down and closes the socket.
    ``hits`` lists every request target served, in order. ``hold()`` stops answering: from its
    return on, a request gets its connection closed without a response and is not in ``hits``
    (a test freezes what a crawl was served, then kills it); ``release()`` serves again.
    ``latency`` (seconds) delays every answer, as an onion service's round trip does (a test that
    must act in the middle of a crawl gets one that lasts long enough on any machine).
    Usable as a context manager.
    Raises :class:`DemoServerError` when the address cannot be bound.
    """

    def __init__(self, site: DemoSite, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0) -> None:
        self.site = site
        self.latency = latency
        self.host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.hits: list[str] = []

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server else self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        try:
            self._server = _Server((self.host, self._port), self.site, self.hits)
            self._server.latency = self.latency
        except OSError as exc:
            raise DemoServerError(f"cannot serve {self.site.name} on {self.host}:{self._port}: {exc}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"demomarket-{self.site.name}", daemon=True,
        )
        self._thread.start()
        log.info("demo site %s serving at %s", self.site.name, self.base_url)
        return self.base_url

    def hold(self) -> None:
        if self._server is not None:
            self._server.hold(True)

    def release(self) -> None:
        if self._server is not None:
            self._server.hold(False)

    def replace_site(self, site: DemoSite) -> None:
        """Serve ``site`` from now on, on the same address (e.g. a later generation of the world:
        listing ids derive from the URL, so a second crawl must see the same base URL)."""
        self.site = site
        if self._server is not None:
            self._server.site = site

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._port = server.server_address[1]
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        log.info("demo site %s stopped", self.site.name)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
