"""One config-driven spider for markets, forums and channels: follow rules, limits, trap guards."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.frontier import Frontier, url_shape
from crawlers.items import CrawledPage
from crawlers.spiders.base import SiteSpider
from crawlers.spiders.links import extract_links
from extractors.model import Page

__all__ = ["MarketSpider", "classify_failure"]

REDIRECT_STATUSES = (301, 302, 303, 307, 308)

logger = logging.getLogger(__name__)

def classify_failure(failure: Failure) -> tuple[str, bool]:
    """(kind, permanent) of a failed request; permanent failures are not retried on resume."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in (401, 403):
            return f"blocked_{status}", True
        return f"http_{status}", status < 500
    name = type(exc).__name__
    text = str(exc)
    if isinstance(exc, IgnoreRequest) and "redirect" in text.lower():
        return "redirect_loop", True
    if "maxsize" in text.lower() or "max size" in text.lower() or "larger than" in text.lower():
        return "too_large", True
    if "Tor" in name or "Socks" in name or "proxy" in text.lower():
        return "tor", False
    if "Timeout" in name or "timeout" in text.lower():
        return "timeout", False
    return name.lower() or "error", False


def _captured_at(value: str | None) -> datetime:
    """The evidence record's capture time (UTC, second precision), or now without evidence."""
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0)
        except ValueError:
            pass
    return datetime.now(UTC).replace(microsecond=0)


class MarketSpider(SiteSpider):
    """Crawl one site as its config says; the arguments are `SiteSpider`'s."""

    name = "market"
    #: set by `ExtractPipeline` when pages are extracted in worker processes: `parse` awaits
    #: `extract_in_callback(item, links_of)`, which extracts the page and returns its links
    extract_in_callback: Callable[[CrawledPage, tuple[str, str] | None], Awaitable[list[str] | None]] | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.frontier = Frontier(self.job_dir / "frontier.sqlite")
        self.scheduled = 0
        self._deny = [re.compile(p) for p in self.site.deny]
        self._rules = [(re.compile(r.pattern), r.page_type) for r in self.site.follow]
        # Links already offered to the frontier this run: offering one again changes nothing (the
        # frontier keeps the first sighting), and most links of a page (menus) were seen before.
        self._offered: set[str] = set()

    # --- start and resume ----------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        self.resumed = self.frontier.begin_run(fresh=self.fresh)
        for url in self.site.start_urls:
            self.frontier.add(url, depth=0, page_type=None)
        self.frontier.checkpoint()
        self.logger.info("%s %s: %d URLs pending", "resuming" if self.resumed else "starting",
                         self.site.name, self.frontier.count("pending"))
        for entry in list(self.frontier.pending()):
            request = self._request(entry.url, entry.depth, entry.page_type, entry.chain)
            if request is None:
                break
            yield request

    def _request(self, url: str, depth: int, page_type: str | None, chain: int,
                 redirects: tuple[str, ...] = ()) -> Request | None:
        if self.scheduled >= self.max_pages:
            self.crawler.stats.inc_value("crawl/deferred_by_page_limit")
            return None
        self.scheduled += 1
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,  # the frontier is the duplicate filter, and it survives a crash
            meta={"frontier_url": url, "depth": depth, "page_type": page_type, "chain": chain,
                  "nachtwacht_site": self.site.name, "download_maxsize": self.site.limits.page_size,
                  "download_timeout": self.site.limits.timeout, "redirects": list(redirects),
                  # redirects are followed here, through the frontier: a login wall shared by many
                  # pages is fetched once, and a redirect loop ends at the first repeated URL
                  "dont_redirect": True, "handle_httpstatus_list": list(REDIRECT_STATUSES)},
        )

    def _redirect(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        location = response.headers.get(b"Location", b"").decode("latin-1").strip()
        self.frontier.mark([meta["frontier_url"]], "done", f"redirect {response.status}")
        if not location:
            self.crawler.stats.inc_value("crawl/error/redirect_without_location")
            return
        target = response.urljoin(location).split("#", 1)[0]
        chain = [*meta.get("redirects", []), meta["frontier_url"]]
        if target in chain or len(chain) > self.settings.getint("REDIRECT_MAX_TIMES", 5):
            self.crawler.stats.inc_value("crawl/error/redirect_loop")
            logger.warning("%s: redirect loop via %s", meta["frontier_url"], target)
            return
        if not self._in_scope(target) or self._match(target) is False:
            self.crawler.stats.inc_value("crawl/redirect_out_of_scope")
            return
        if self.frontier.add(target, depth=meta["depth"], page_type=meta.get("page_type"),
                             parent=response.url, chain=meta.get("chain", 0)):
            request = self._request(target, meta["depth"], meta.get("page_type"), meta.get("chain", 0),
                                    tuple(chain))
            if request is not None:
                yield request
        else:
            self.crawler.stats.inc_value("crawl/redirect_to_known")

    # --- responses -----------------------------------------------------------------------------
    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        meta = response.meta
        if response.status in REDIRECT_STATUSES:
            for request in self._redirect(response):
                yield request
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        page = Page(
            url=response.url,
            site=self.site.name,
            fetched_at=_captured_at(meta.get("captured_at")),
            status=response.status,
            content_type=content_type,
            body=response.body,
            via=self.settings.get("NACHTWACHT_VIA", "tor"),
            job_id=self.job_id,
            warc_file=meta.get("warc_file", ""),  # set by crawlers.middlewares.evidence
            warc_record_id=meta.get("warc_record_id", ""),
        )
        self.crawler.stats.inc_value("crawl/pages")
        item = CrawledPage(page=page, frontier_url=meta["frontier_url"], page_type_hint=meta.get("page_type"))
        html = "html" in content_type or not content_type
        links = None
        if self.extract_in_callback is not None:
            wanted = html and meta["depth"] < self.site.limits.depth and isinstance(response, TextResponse)
            if wanted and self._few_queued():
                # The downloader would idle while the worker extracts (the start of a crawl, its
                # tail): the links are found here and queued before the page's extraction ends.
                self.crawler.stats.inc_value("crawl/links_found_in_crawl_process")
                for request in self._follow(response, meta["depth"], meta.get("chain", 0)):
                    yield request
                await self.extract_in_callback(item, None)
                yield item
                return
            links = await self.extract_in_callback(
                item, (type(response).__name__, response.encoding) if wanted else None)  # type: ignore[attr-defined]
        # The links go into the frontier before the item is yielded: the item's index checkpoint
        # marks the page done, and a page done without its links in the same commit would lose them
        # to a crash (Scrapy pulls the callback's output a few at a time, so later links could still
        # wait in the generator). Yielded after the item, so its extraction and indexing start first.
        requests = list(self._follow(response, meta["depth"], meta.get("chain", 0), links)) if html else []
        yield item
        for request in requests:
            yield request

    def _queued_requests(self) -> int | None:
        """Requests waiting in the scheduler; None when there is none running or it cannot tell."""
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if scheduler is None or not hasattr(scheduler, "__len__"):
            return None
        return len(scheduler)

    def _few_queued(self) -> bool:
        """Fewer requests wait than the crawl downloads at once: the downloader is about to idle."""
        queued = self._queued_requests()
        return queued is None or queued < self.settings.getint("CONCURRENT_REQUESTS")

    def _follow(self, response: Response, depth: int, chain: int,
                links: list[str] | None = None) -> Iterator[Request]:
        """Offer the page's links to the frontier; `links`: already extracted (by the extraction worker)."""
        if depth >= self.site.limits.depth:
            return
        if links is None:
            try:
                links = extract_links(response)  # host scope is checked in `_in_scope`
            except Exception:
                self.crawler.stats.inc_value("crawl/link_extraction_failed")
                logger.warning("link extraction failed on %s", response.url, exc_info=True)
                return
        parent_shape = url_shape(response.url)
        offered = self._offered
        for link in links:
            url = link.split("#", 1)[0]
            if url in offered:
                continue
            offered.add(url)
            if not self._in_scope(url):
                continue
            page_type = self._match(url)
            if page_type is False:
                continue
            link_chain = chain + 1 if url_shape(url) == parent_shape else 0
            state = "pending"
            if link_chain >= self.site.limits.same_shape_chain or \
                    self.frontier.shape_count(url) >= self.site.limits.pages_per_pattern:
                state = "trap"
            if not self.frontier.add(url, depth=depth + 1, page_type=page_type or None,
                                     parent=response.url, chain=link_chain, state=state):
                continue
            if state == "trap":
                self.crawler.stats.inc_value("crawl/trap_skipped")
                continue
            request = self._request(url, depth + 1, page_type or None, link_chain)
            if request is not None:
                yield request

    def _in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in ("http", "https") and any(
            host == allowed or host.endswith("." + allowed) for allowed in self.allowed_domains)

    def _match(self, url: str) -> str | bool | None:
        """The page type hint of the first follow rule matching `url`; False when not to follow."""
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if any(p.search(target) for p in self._deny):
            return False
        if not self._rules:
            return None
        for pattern, page_type in self._rules:
            if pattern.search(target):
                return page_type or ""
        return False

    def failed(self, failure: Failure) -> None:
        """Errback: classify, count, and record in the frontier (transient errors stay pending)."""
        request = failure.request  # type: ignore[attr-defined]
        kind, permanent = classify_failure(failure)
        self.crawler.stats.inc_value(f"crawl/error/{kind}")
        url = request.meta.get("frontier_url", request.url)
        logger.warning("%s: %s (%s)", url, kind, failure.getErrorMessage()[:200])
        if permanent:
            self.frontier.mark([url], "skipped", kind)
        else:
            self.crawler.stats.inc_value("crawl/left_pending")

    def closed(self, reason: str) -> None:
        self.frontier.end_run(reason)
        counts = self.frontier.counts()
        for state, count in counts.items():
            self.crawler.stats.set_value(f"frontier/{state}", count)
        self.frontier.close()
