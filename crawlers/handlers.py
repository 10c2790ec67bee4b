"""The fail-closed HTTP(S) download handler: with ``NACHTWACHT_VIA = "tor"`` a request leaves
only through one of the configured Tor SOCKS endpoints, as ``socks5h`` (names resolved by Tor).

Anything else (no proxy, another proxy, ``socks5`` with local DNS, an endpoint not in
``NACHTWACHT_TOR_SOCKS``) raises ``TorRefused`` before a socket is opened, and counts
``tor/refused``. ``NACHTWACHT_VIA = "direct"`` is the only way to connect without Tor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from httpcore2 import AsyncNetworkBackend, AsyncNetworkStream
from httpcore2._backends.auto import AutoBackend
from httpcore2._utils import is_socket_readable
from scrapy.core.downloader.handlers._httpx import HttpxDownloadHandler

from crawlers.netbackend import AsyncioBackend
from crawlers.tor.exceptions import TorError, TorRefused

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

__all__ = ["ProbeBackend", "TorOnlyDownloadHandler", "allowed_endpoints", "gate", "quiet_transport_debug"]

logger = logging.getLogger(__name__)

VIAS = ("tor", "direct")


def allowed_endpoints(values: list[str] | tuple[str, ...] | str) -> frozenset[tuple[str, int]]:
    """``["127.0.0.1:9050", ...]`` -> {(host, port)}; raises ``TorError`` on a malformed one."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    endpoints = set()
    for value in values:
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise TorError(f"NACHTWACHT_TOR_SOCKS: not a host:port endpoint: {value!r}")
        endpoints.add((host.strip("[]").lower(), int(port)))
    return frozenset(endpoints)


def gate(request: Request, via: str, allowed: frozenset[tuple[str, int]], stats: StatsCollector | None = None) -> None:
    """Raise ``TorRefused`` (and count ``tor/refused``) unless ``request`` may leave.

    ``via == "direct"`` lets everything through; ``"tor"`` only a ``socks5h`` proxy whose
    host:port is in ``allowed``.
    """
    if via == "direct":
        return
    proxy = request.meta.get("proxy")
    reason = ""
    if not allowed:
        reason = "no Tor SOCKS endpoint is configured (NACHTWACHT_TOR_SOCKS)"
    elif not proxy:
        reason = "the request has no Tor proxy set"
    else:
        parts = urlsplit(str(proxy))
        if parts.scheme != "socks5h":
            reason = f"proxy scheme {parts.scheme or '(none)'!r} is not socks5h"
        else:
            try:
                endpoint = ((parts.hostname or "").lower(), parts.port or 0)
            except ValueError:
                endpoint = ("", 0)
            if endpoint not in allowed:
                reason = f"proxy {endpoint[0]}:{endpoint[1]} is not an allowed Tor endpoint"
    if reason:
        if stats is not None:
            stats.inc_value("tor/refused")
        raise TorRefused(f"refused {request.url}: {reason} (fail closed)", url=request.url)


_TRACE_LOGGER = "httpcore2"
#: Logger -> the level it gets when LOG_LEVEL is above DEBUG. httpcore2 logs nothing above DEBUG;
#: httpx2 (and httpx) log one INFO "HTTP Request: ..." line a fetch, which the custody log already
#: records, so they keep WARNING and above.
_QUIET_LEVELS = {_TRACE_LOGGER: logging.INFO, "httpx2": logging.WARNING, "httpx": logging.WARNING}
_quieted: set[str] = set()  # loggers whose level this module set (and may clear again)


def quiet_transport_debug(log_level: Any) -> None:
    """Keep the HTTP transport from building log records the crawl's log does not need.

    Under Scrapy the root logger has no level, so httpcore2 sees DEBUG enabled and formats ~11
    messages a request (reprs of headers and return values) that the LOG_LEVEL handler then
    discards, and httpx2 writes an INFO "HTTP Request" line per fetch into crawl.log. With
    LOG_LEVEL above DEBUG, each of those loggers with no level set by anyone else gets its
    `_QUIET_LEVELS` level (httpcore2 INFO, httpx2/httpx WARNING: their warnings still show);
    with LOG_LEVEL DEBUG, the levels this module set are cleared.
    """
    level = log_level if isinstance(log_level, int) else logging.getLevelName(str(log_level).upper())
    quiet = isinstance(level, int) and level > logging.DEBUG
    for name, quiet_level in _QUIET_LEVELS.items():
        logger_ = logging.getLogger(name)
        if quiet:
            if logger_.level == logging.NOTSET:
                logger_.setLevel(quiet_level)
                _quieted.add(name)
        elif name in _quieted and logger_.level == quiet_level:
            logger_.setLevel(logging.NOTSET)
            _quieted.discard(name)


class _ProbeStream(AsyncNetworkStream):
    """A pooled connection's stream whose idle-readability probe polls its socket directly.

    httpcore asks ``get_extra_info("is_readable")`` of every idle pooled connection each time a
    request enters or leaves the pool; anyio answers by building its whole attribute dict (with a
    ``getpeername`` syscall) every time. Same socket, same poll, same answer, without that.
    Everything else goes to the wrapped stream.
    """

    __slots__ = ("_inner", "_sock")

    def __init__(self, inner: AsyncNetworkStream):
        self._inner = inner
        self._sock = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> AsyncNetworkStream:
        return _ProbeStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._sock is not None:
            return is_socket_readable(self._sock)
        return self._inner.get_extra_info(info)


class ProbeBackend(AsyncNetworkBackend):
    """httpcore's default network backend, its streams wrapped in ``_ProbeStream``."""

    def __init__(self) -> None:
        self._inner = AutoBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> AsyncNetworkStream:
        return _ProbeStream(await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> AsyncNetworkStream:
        return _ProbeStream(await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


#: `NACHTWACHT_NETWORK_BACKEND` -> the httpcore2 network backend of the handler's connection pools:
#: "asyncio" (ours, on the loop's transports) or "anyio" (httpcore2's own, with the faster probe)
NETWORK_BACKENDS: dict[str, type[AsyncNetworkBackend]] = {"asyncio": AsyncioBackend, "anyio": ProbeBackend}


class TorOnlyDownloadHandler(HttpxDownloadHandler):
    """Scrapy's httpx handler (SOCKS via httpx2), refusing any request not bound for Tor."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.network: str = str(settings.get("NACHTWACHT_NETWORK_BACKEND", "asyncio")).lower()
        if self.network not in NETWORK_BACKENDS:  # (read first: the base class may make clients)
            raise TorError(f"NACHTWACHT_NETWORK_BACKEND must be one of {tuple(NETWORK_BACKENDS)}, "
                           f"not {self.network!r}")
        super().__init__(crawler)
        self.via: str = str(settings.get("NACHTWACHT_VIA", "tor")).lower()
        if self.via not in VIAS:
            raise TorError(f"NACHTWACHT_VIA must be one of {VIAS}, not {self.via!r}")
        self.allowed = allowed_endpoints(settings.getlist("NACHTWACHT_TOR_SOCKS"))
        self.stats = crawler.stats
        quiet_transport_debug(settings.get("LOG_LEVEL", "DEBUG"))
        if self.via == "tor" and not self.allowed:
            logger.error("NACHTWACHT_VIA=tor and no NACHTWACHT_TOR_SOCKS: every request will be refused")

    def _make_client(self, proxy_url: str | None = None) -> Any:
        """Scrapy's client (direct or one per proxy), its connection pool on the network backend
        `NACHTWACHT_NETWORK_BACKEND` names (`crawlers.netbackend.AsyncioBackend` by default).

        The pool is reached through httpx2's private ``_transport._pool``; if a release moves
        it, the client keeps httpcore's default backend (same behaviour, slower).
        """
        client = super()._make_client(proxy_url)
        pool = getattr(getattr(client, "_transport", None), "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = NETWORK_BACKENDS[self.network]()
        else:
            logger.debug("httpx client without a reachable connection pool: default network backend")
        return client

    def check(self, request: Request) -> None:
        """Raise ``TorRefused`` unless ``request`` may leave (see ``gate``)."""
        gate(request, self.via, self.allowed, self.stats)

    async def download_request(self, request: Request) -> Response:
        self.check(request)
        return await super().download_request(request)
