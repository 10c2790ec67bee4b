"""The crawl's one browser: scrapy-playwright's handler, shared by http and https, on Debian's
Chromium behind Tor; requests not marked `playwright` go to the Tor httpx handler.

What it adds to scrapy-playwright: the launch and context policy of `crawlers.render.launch`,
one instance per crawler (scrapy-playwright would build one per scheme, i.e. two browsers), a hard
time cap per page, media blocked by policy, no downloads, and the evidence of a capture in
`meta["nachtwacht_render"]`: the main document's exchange as Chromium received it, the rendered
DOM and a full-page screenshot (written to WARC by `crawlers.middlewares.evidence`).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawlers.render.launch import (
    CHROMIUM,
    DEFAULT_MAX_CONTEXTS,
    DEFAULT_PAGES_PER_CONTEXT,
    DEFAULT_RENDER_TIMEOUT,
    DeadPort,
    launch_options,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["BLOCKED_RESOURCE_TYPES", "BrowserDownloadHandler", "RenderTimeout"]

logger = logging.getLogger(__name__)

# Never fetched by the browser: audio/video (size, and nothing to extract), and beacons.
BLOCKED_RESOURCE_TYPES = frozenset({"media", "ping", "beacon", "eventsource"})


class RenderTimeout(Exception):
    """A page took longer than NACHTWACHT_RENDER_TIMEOUT to navigate, wait and capture."""


def _abort_request(request: Any) -> bool:
    if request.resource_type in BLOCKED_RESOURCE_TYPES:
        return True
    return not request.url.startswith(("http://", "https://", "data:", "blob:", "about:"))


async def _redirect_hops(response: Any) -> list[dict[str, Any]]:
    """The HTTP redirects Chromium followed before the main document, first hop first: each one's
    request and response as sent and received (Chromium keeps no body for a redirect)."""
    chain = []
    request = response.request.redirected_from
    while request is not None:
        chain.append(request)
        request = request.redirected_from
    hops = []
    for request in reversed(chain):
        with suppress(Exception):
            hop = await request.response()
            if hop is None:
                continue
            hops.append({"url": request.url, "method": request.method, "status": hop.status,
                         "request_headers": [(h["name"], h["value"]) for h in await request.headers_array()],
                         "response_headers": [(h["name"], h["value"]) for h in await hop.headers_array()],
                         "body": b""})
    return hops


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """See the module docstring. Settings: NACHTWACHT_VIA, NACHTWACHT_RENDER_TIMEOUT (s),
    NACHTWACHT_BROWSER_MAX_CONTEXTS, NACHTWACHT_BROWSER_PAGES_PER_CONTEXT,
    NACHTWACHT_BROWSER_EXECUTABLE, NACHTWACHT_BROWSER_FALLBACK_HANDLER."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserDownloadHandler:
        shared = getattr(crawler, "_nachtwacht_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            crawler._nachtwacht_browser_handler = shared  # type: ignore[attr-defined]
        return shared

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.via = str(settings.get("NACHTWACHT_VIA", "tor")).lower()
        fallback = settings.get("NACHTWACHT_BROWSER_FALLBACK_HANDLER")
        if not fallback and self.via != "direct":
            raise NotConfigured("a Tor crawl needs NACHTWACHT_BROWSER_FALLBACK_HANDLER (the Tor "
                                "handler) for requests the browser does not make")
        super().__init__(crawler)
        self.dead = DeadPort() if self.via != "direct" else None
        self.config.browser_type_name = "chromium"
        self.config.launch_options = launch_options(
            self.via, self.dead.port if self.dead else None,
            executable=settings.get("NACHTWACHT_BROWSER_EXECUTABLE") or CHROMIUM)
        self.config.max_contexts = settings.getint("NACHTWACHT_BROWSER_MAX_CONTEXTS", DEFAULT_MAX_CONTEXTS)
        self.context_semaphore = asyncio.Semaphore(value=self.config.max_contexts)
        self.config.max_pages_per_context = settings.getint("NACHTWACHT_BROWSER_PAGES_PER_CONTEXT",
                                                            DEFAULT_PAGES_PER_CONTEXT)
        self.render_timeout = settings.getfloat("NACHTWACHT_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT)
        self.config.navigation_timeout_ms = self.render_timeout * 1000
        self.config.startup_context_kwargs = {}
        self.abort_request = _abort_request
        fallback_cls = load_object(fallback or "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler")
        self.fallback = build_from_crawler(fallback_cls, crawler)
        self._closed = False

    async def download_request(self, request: Request, spider: Spider | None = None) -> Response:  # type: ignore[override]
        if not request.meta.get("playwright"):
            return await self.fallback.download_request(request)
        methods = list(request.meta.get("playwright_page_methods") or [])
        shot = PageMethod("screenshot", full_page=True, type="png", timeout=self.render_timeout * 1000)
        request.meta["playwright_page_methods"] = [*methods, shot]
        try:
            response = await asyncio.wait_for(self._download_request(request), self.render_timeout)
        except TimeoutError as exc:
            raise RenderTimeout(f"rendering {request.url} took more than {self.render_timeout:g}s") from exc
        render = request.meta.setdefault("nachtwacht_render", {})
        render["dom"] = response.body
        if isinstance(shot.result, bytes):
            render["screenshot"] = shot.result
        self.stats.inc_value("render/pages")
        return response

    async def _get_response_and_download(self, request: Request, page: Any, spider: Any) -> Any:
        response, download = await super()._get_response_and_download(request, page, spider)
        if download is not None:
            self.stats.inc_value("render/download_refused")
            raise RuntimeError(f"{request.url} is a download: never fetched by the browser")
        if response is not None:
            render = request.meta.setdefault("nachtwacht_render", {})
            with suppress(Exception):
                sent = response.request
                headers = [(h["name"], h["value"]) for h in await response.headers_array()]
                encoded = [v for k, v in headers if k.lower() == "content-encoding"]
                # Chromium hands over the decoded body: say so instead of claiming an encoding.
                headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
                headers += [("X-Archive-Orig-Content-Encoding", v) for v in encoded]
                render.update(url=response.url, status=response.status, method=sent.method,
                              request_headers=[(h["name"], h["value"]) for h in await sent.headers_array()],
                              response_headers=headers, body=await response.body())
            render["hops"] = await _redirect_hops(response)
        return response, download

    async def close(self) -> None:  # type: ignore[override]
        if self._closed:  # shared by http and https: closed once
            return
        self._closed = True
        try:
            await super().close()
        finally:
            with suppress(Exception):
                result = self.fallback.close()
                if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                    await result
                elif hasattr(result, "addCallback"):
                    from twisted.internet.defer import Deferred

                    await Deferred.asFuture(result, asyncio.get_event_loop())
            if self.dead is not None:
                self.dead.close()
