"""Route every request through Tor: proxy, per-site isolation token, rotation, outage pause.

- ``process_request`` sets ``meta["proxy"] = socks5h://<token>:x@<endpoint>``: the endpoint is
  a stable hash of ``meta["nachtwacht_site"]`` (else the host) over ``NACHTWACHT_TOR_SOCKS``; the
  token is the site's isolation key. The fail-closed handler refuses whatever lacks it.
- ``process_exception`` classifies failures by their SOCKS code (``crawlers.tor.socks``):
  * Tor down (SOCKS port closed, general failure, a stream cut while the probe fails): the
    engine pauses, the request goes back to the scheduler (not counted as a retry), a probe
    runs every ``NACHTWACHT_TOR_PROBE_INTERVAL`` s and the engine resumes when Tor is back. When
    no response has come through Tor for ``NACHTWACHT_TOR_OUTAGE_TIMEOUT`` s since the outage
    began (a probe saying "up" does not end it), the crawl closes with reason ``tor_unavailable``.
  * Onion unreachable / timeout: counted per site; after ``NACHTWACHT_TOR_ROTATE_AFTER``
    consecutive failures the site gets a new token (fresh circuits); Scrapy's retry goes on.
Stats: ``tor/requests``, ``tor/ok``, ``tor/error/<kind>``, ``tor/site/<site>/<kind>``,
``tor/code/0xF0``..., ``tor/rotations``, ``tor/paused``, ``tor/resumed``, ``tor/outage_s`` (seconds
paused), ``tor/gave_up``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawlers.handlers import allowed_endpoints
from crawlers.tor.routing import isolation_username, pick_endpoint, probe_tor
from crawlers.tor.socks import classify_failure

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["TorProxyMiddleware"]

logger = logging.getLogger(__name__)

META_INFO = "nachtwacht_tor"  # {"endpoint": ..., "username": ...} of the attempt, for the spider


def _in_thread(func: Callable[..., bool], *args: object) -> Deferred[bool]:
    """Run a blocking probe in its own daemon thread, not the reactor's pool: other
    components may hold every pool thread while the crawl is paused."""
    from twisted.internet import reactor

    d: Deferred[bool] = Deferred()

    def work() -> None:
        try:
            result = bool(func(*args))
        except Exception:  # a failing probe means "not back yet"
            logger.debug("tor probe failed", exc_info=True)
            result = False
        reactor.callFromThread(d.callback, result)  # type: ignore[attr-defined]

    threading.Thread(target=work, name="tor-probe", daemon=True).start()
    return d


class TorProxyMiddleware:
    """See the module docstring. Off (``NotConfigured``) only when ``NACHTWACHT_VIA = "direct"``."""

    def __init__(self, crawler: Crawler, endpoints: list[str], controls: list[str], *,
                 rotate_after: int = 3, outage_timeout: float = 600.0, probe_interval: float = 1.0):
        self.crawler = crawler
        self.endpoints = endpoints
        self.controls = controls
        self.rotate_after = rotate_after
        self.outage_timeout = outage_timeout
        self.probe_interval = probe_interval
        self.generation: dict[str, int] = defaultdict(int)
        self.failures: dict[str, int] = defaultdict(int)
        self.down: set[int] = set()  # indexes of endpoints seen down
        self.outage_started: float | None = None  # first "Tor down" since the last response
        self._paused_at: float | None = None  # when the engine was paused by us (tor/outage_s)
        self._probe_loop: task.LoopingCall | None = None
        self._probing = False
        self.gave_up = False  # the outage outlasted NACHTWACHT_TOR_OUTAGE_TIMEOUT: closing

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TorProxyMiddleware:
        settings = crawler.settings
        if str(settings.get("NACHTWACHT_VIA", "tor")).lower() == "direct":
            raise NotConfigured("NACHTWACHT_VIA=direct: no Tor routing for this job")
        endpoints = [e.strip() for e in settings.getlist("NACHTWACHT_TOR_SOCKS") if e.strip()]
        allowed_endpoints(endpoints)  # raises TorError on a malformed endpoint
        mw = cls(
            crawler, endpoints, [c.strip() for c in settings.getlist("NACHTWACHT_TOR_CONTROL")],
            rotate_after=settings.getint("NACHTWACHT_TOR_ROTATE_AFTER", 3),
            outage_timeout=settings.getfloat("NACHTWACHT_TOR_OUTAGE_TIMEOUT", 600.0),
            probe_interval=settings.getfloat("NACHTWACHT_TOR_PROBE_INTERVAL", 1.0),
        )
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- routing ----------------------------------------------------------------------------
    def site_of(self, request: Request) -> str:
        spider = getattr(self.crawler, "spider", None)
        site = request.meta.get("nachtwacht_site") or getattr(getattr(spider, "site", None), "name", None)
        return str(site or urlsplit(request.url).hostname or "")

    def route(self, site: str) -> tuple[int, str]:
        """(endpoint index, SOCKS username) for ``site`` now."""
        return pick_endpoint(site, self.endpoints), isolation_username(site, self.generation[site])

    def process_request(self, request: Request) -> None:
        if not self.endpoints:
            return None  # the handler refuses it loudly (tor/refused)
        site = self.site_of(request)
        index, username = self.route(site)
        endpoint = self.endpoints[index]
        request.meta["proxy"] = f"socks5h://{username}:x@{endpoint}"
        request.meta[META_INFO] = {"endpoint": endpoint, "username": username, "site": site}
        self._inc("tor/requests")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        info = request.meta.get(META_INFO)
        if info:
            self.failures[info["site"]] = 0
            self._inc("tor/ok")
            if self.outage_started is not None and not self.down:  # a real answer: outage over
                logger.info("tor: responses again, %.1fs after the outage began",
                            time.monotonic() - self.outage_started)
                self.outage_started = None
        return response

    # -- failures ---------------------------------------------------------------------------
    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        info = request.meta.get(META_INFO)
        kind, code = classify_failure(exception)
        if kind in ("refused", "other") or not info:
            return None  # refused: counted by the handler; other: not a transport failure
        index = self.endpoints.index(info["endpoint"]) if info["endpoint"] in self.endpoints else 0
        if kind == "broken_stream" or (kind == "timeout" and self.down):
            alive = await maybe_deferred_to_future(_in_thread(probe_tor, info["endpoint"], None, 5.0))
            if not alive:
                kind = "tor_down"
        site = info["site"]
        self._inc(f"tor/error/{kind}")
        self._inc(f"tor/site/{site}/{kind}")
        if code is not None:
            self._inc(f"tor/code/0x{code:02X}")
        if kind == "tor_down" and not self.gave_up:
            self._pause(index, f"{type(exception).__name__}: {exception}")
            retry = request.replace(dont_filter=True)
            retry.meta["nachtwacht_tor_waits"] = request.meta.get("nachtwacht_tor_waits", 0) + 1
            return retry
        self.failures[site] += 1
        if kind in ("unreachable", "timeout") and self.failures[site] >= self.rotate_after:
            self.generation[site] += 1
            self.failures[site] = 0
            self._inc("tor/rotations")
            logger.warning("tor: %d failures in a row for site %s (%s): new isolation token",
                           self.rotate_after, site, kind)
        return None

    # -- outage: pause, probe, resume, give up ---------------------------------------------
    # The outage clock starts at the first "Tor down" failure and stops only when a response
    # comes back through Tor again, not when a probe says "up": a Tor whose SOCKS port answers
    # but whose streams keep failing would otherwise pause, resume and pause again for ever.
    # The give-up check runs on every probe tick, so a probe that hangs cannot hold it back.
    def _pause(self, index: int, why: str) -> None:
        self.down.add(index)
        engine = self.crawler.engine
        if self.outage_started is None:
            self.outage_started = time.monotonic()
            self._inc("tor/paused")
            logger.error("tor: endpoint %s is down (%s): crawl paused until Tor is back "
                         "(closing after %.0fs)", self.endpoints[index], why, self.outage_timeout)
        elif engine is not None and not engine.paused:
            logger.warning("tor: endpoint %s failed again %.1fs into the outage (%s): paused again",
                           self.endpoints[index], time.monotonic() - self.outage_started, why)
        if engine is not None and not engine.paused:
            engine.pause()
            self._paused_at = time.monotonic()
        if self._probe_loop is None or not self._probe_loop.running:
            self._probe_loop = task.LoopingCall(self._probe)
            self._probe_loop.start(self.probe_interval, now=False)

    def _probe(self) -> None:
        if self.outage_started is None or self.gave_up:
            return
        waited = time.monotonic() - self.outage_started
        if waited > self.outage_timeout:
            self._give_up(waited)
            return
        if self._probing:
            return
        self._probing = True
        pending = sorted(self.down)
        controls = [self.controls[i] if i < len(self.controls) else None for i in pending]
        d = _in_thread(
            lambda: all(probe_tor(self.endpoints[i], c) for i, c in zip(pending, controls, strict=True)))
        d.addCallback(self._probed)
        d.addBoth(self._probe_done)

    def _probe_done(self, result: object) -> object:
        self._probing = False
        return None

    def _probed(self, alive: bool) -> None:
        if self.outage_started is None or self.gave_up:
            return
        waited = time.monotonic() - self.outage_started
        engine = self.crawler.engine
        if alive:
            self.down.clear()
            self._inc("tor/resumed")
            self._record_paused()
            logger.warning("tor: back after %.1fs: crawl resumed", waited)
            self._stop_probe()
            if engine is not None:
                engine.unpause()
                slot = getattr(engine, "_slot", None)  # start at once, not at the next heartbeat
                if slot is not None and getattr(slot, "nextcall", None) is not None:
                    slot.nextcall.schedule()
        elif waited > self.outage_timeout:
            self._give_up(waited)

    def _give_up(self, waited: float) -> None:
        """Fail closed, loudly: close the crawl with reason ``tor_unavailable``."""
        self._record_paused()
        self._stop_probe()
        self.gave_up = True  # from now on failures reach the spider; nothing re-pauses
        down = ", ".join(self.endpoints[i] for i in sorted(self.down)) or "(flapping)"
        logger.error("tor: %s still down after %.0fs (NACHTWACHT_TOR_OUTAGE_TIMEOUT=%.0f): "
                     "closing the crawl with reason tor_unavailable; nothing was sent without Tor",
                     down, waited, self.outage_timeout)
        self._inc("tor/gave_up")
        engine = self.crawler.engine
        if engine is not None and self.crawler.spider is not None:
            engine.unpause()
            deferred_from_coro(engine.close_spider_async(reason="tor_unavailable"))

    def _record_paused(self) -> None:
        if self._paused_at is not None:
            self._inc("tor/outage_s", round(time.monotonic() - self._paused_at, 1))
            self._paused_at = None

    def _stop_probe(self) -> None:
        if self._probe_loop is not None and self._probe_loop.running:
            self._probe_loop.stop()

    def spider_closed(self) -> None:
        self._stop_probe()

    def _inc(self, key: str, by: float = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, by)
