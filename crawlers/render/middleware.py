"""Downloader middleware: send the requests of a `render: js` site to the browser, in the context
of the site's Tor SocksPort, with the site's wait condition; everything else is left alone.

Order 745: after the Tor middleware (740) chose a route, before HttpProxyMiddleware (750). A
browser request drops the httpx `proxy` (the context's SocksPort is its route) and records that
port as its isolation in the evidence. With `via = tor` and no SocksPort, the request is refused.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy_playwright.page import PageMethod

from crawlers.render.launch import DEFAULT_RENDER_TIMEOUT, context_kwargs, context_name, pick_socks
from crawlers.render.session_middleware import site_session

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["BrowserRouteMiddleware"]

logger = logging.getLogger(__name__)


class BrowserRouteMiddleware:
    """Off unless NACHTWACHT_RENDER is "js" (set by the runner for `render: js` sites)."""

    def __init__(self, crawler: Crawler, *, via: str, endpoints: list[str], wait_ms: float,
                 user_agent: str | None):
        self.crawler = crawler
        self.via = via
        self.endpoints = endpoints
        self.wait_ms = wait_ms
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserRouteMiddleware:
        settings = crawler.settings
        if settings.get("NACHTWACHT_RENDER", "http") != "js":
            raise NotConfigured("no render: js site in this crawl")
        endpoints = [e.strip() for e in (settings.getlist("NACHTWACHT_BROWSER_SOCKS")
                                         or settings.getlist("NACHTWACHT_TOR_SOCKS")) if e.strip()]
        timeout = settings.getfloat("NACHTWACHT_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT)
        return cls(crawler, via=str(settings.get("NACHTWACHT_VIA", "tor")).lower(), endpoints=endpoints,
                   wait_ms=min(timeout / 3, 15.0) * 1000, user_agent=settings.get("USER_AGENT"))

    def _site(self) -> Any:
        return getattr(getattr(self.crawler, "spider", None), "site", None)

    def process_request(self, request: Request) -> None:
        if request.meta.get("playwright") is False:
            return None  # explicitly not for the browser
        site = self._site()
        name = str(request.meta.get("nachtwacht_site") or getattr(site, "name", ""))
        socks = ""
        if self.via != "direct":
            if not self.endpoints:
                self.crawler.stats.inc_value("render/refused_no_socks")
                raise IgnoreRequest(f"{request.url}: no Tor SocksPort for the browser")
            socks = pick_socks(name, self.endpoints)
        meta = request.meta
        meta.pop("proxy", None)  # the context's SocksPort is the route
        meta["playwright"] = True
        meta["playwright_context"] = context_name(socks)
        cookies = [c.playwright_cookie() for c in site_session(self.crawler)]
        meta["playwright_context_kwargs"] = context_kwargs(
            socks or None, user_agent=self.user_agent,
            storage_state={"cookies": cookies, "origins": []} if cookies else None)
        meta["nachtwacht_socks"] = socks
        meta["tor_isolation"] = f"socksport:{socks}" if socks else ""
        meta["nachtwacht_via"] = self.via
        wait_for = str(getattr(site, "wait_for", "") or "")
        meta["playwright_page_methods"] = [PageMethod(_settle, wait_for, self.wait_ms)]
        return None


async def _settle(page: Any, wait_for: str, timeout_ms: float) -> None:
    """Let scripts finish: the site's selector appears, else the network goes idle. Bounded, and
    never an error: a page without the selector (an index, a vendor page) is captured as it is."""
    try:
        if wait_for:
            await page.wait_for_selector(wait_for, timeout=timeout_ms)
        else:
            await page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except Exception:
        logger.debug("%s: %s not reached within %.0f ms", page.url, wait_for or "network idle",
                     timeout_ms)
