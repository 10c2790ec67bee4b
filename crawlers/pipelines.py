"""Item pipelines: page -> extraction -> index, with frontier checkpoints after each index commit."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawlers import backends, signals
from crawlers.documents import VendorAccumulator, merge_listing, page_document
from crawlers.extraction_pool import (
    Batcher,
    LinkSpec,
    acquire_pool,
    extract_page,
    extract_workers,
    load_models,
    release_pool,
)
from crawlers.items import CrawledPage
from extractors.model import Post, utcnow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ExtractPipeline", "IndexPipeline", "extract_workers"]

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Run template-free extraction (plus the site's selectors, if any) on every page.

    With `NACHTWACHT_EXTRACT_WORKERS` > 0 ("auto": 1 on a multi-core machine) in that many worker
    processes shared by the crawlers of the process, so fetching goes on while pages are extracted
    (CPU-bound: threads would not help); with 0 inline on the crawl's thread. Pages waiting for a
    worker are bounded by Scrapy's scraper slot (`SCRAPER_SLOT_MAX_ACTIVE_SIZE`): past it the
    engine stops taking responses until extraction catches up.
    """

    def __init__(self, crawler: Crawler, workers: int = 0):
        self.crawler = crawler
        self.workers = workers
        self.pool: Batcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler, extract_workers(crawler.settings.get("NACHTWACHT_EXTRACT_WORKERS", "auto")))

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = acquire_pool(self.workers)
            spider = self.crawler.spider
            if spider is not None and hasattr(spider, "extract_in_callback"):
                # the spider awaits `extract` in its callback: the worker returns the page's links
                # with its extraction (unless the spider's queue runs short: see MarketSpider.parse)
                spider.extract_in_callback = self.extract
        else:
            load_models()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool = None
            release_pool(self.workers)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawledPage) and not item.extracted:
            await self.extract(item)
        return item

    async def extract(self, item: CrawledPage, links_of: LinkSpec | None = None) -> list[str] | None:
        """Fill in `item.extraction`; with `links_of` (a worker pool only) also return the page's
        links (None: not asked, or they failed in the worker)."""
        spider = self.crawler.spider
        selectors = dict(spider.site.selectors) if spider is not None and spider.site.selectors else None
        page = item.page
        item.extracted = True
        if self.pool is not None:
            ok, result, links = await self.pool.submit((page.body, page.url, page.site, selectors, links_of))
            if ok:
                item.extraction = result
            else:
                self.crawler.stats.inc_value("extract/failed")
                logger.error("extraction failed on %s:\n%s", page.url, result)
                item.extraction = None
            return links
        try:
            item.extraction = extract_page(page.body, page.url, page.site, selectors)
        except Exception:
            self.crawler.stats.inc_value("extract/failed")
            logger.exception("extraction failed on %s", page.url)
            item.extraction = None
        return None


# id(backend) -> the open IndexPipelines writing to it (crawlers of one process, one reactor thread)
_peers: dict[int, list[IndexPipeline]] = {}


class IndexPipeline:
    """Write listings, observations, posts, pages and vendor profiles to the configured backend.

    Every `commit_every` pages or `commit_seconds`: commit the index, then mark the pages done in the frontier. The
    order matters: a crash in between re-fetches pages (idempotent), it never loses one.
    """

    def __init__(self, crawler: Crawler, backend_settings: dict[str, Any], commit_every: int,
                 commit_seconds: float = 2.0):
        self.crawler = crawler
        self.backend_settings = backend_settings
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds
        self._last_commit = time.monotonic()
        self.backend: Any = None
        self.vendors = VendorAccumulator()
        self._written: dict[str, dict[str, Any]] = {}
        self._uncommitted_urls: list[str] = []
        self._uncommitted_docs: list[dict[str, Any]] = []
        self.legal_basis: dict[str, Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        backend_settings = crawler.settings.getdict("NACHTWACHT_BACKEND")
        if not backend_settings:
            raise NotConfigured("NACHTWACHT_BACKEND is not set: nothing to index into")
        if str(backend_settings.get("backend") or "embedded") == "embedded" and "writer" not in backend_settings:
            writer = backends.index_writer(crawler.settings.get("NACHTWACHT_INDEX_WRITER", "auto"))
            backend_settings = {**backend_settings, "writer": writer}
        pipeline = cls(crawler, backend_settings, crawler.settings.getint("NACHTWACHT_COMMIT_EVERY", 200),
                       crawler.settings.getfloat("NACHTWACHT_COMMIT_SECONDS", 2.0))
        # The crawl's legal basis (nachtwacht.rights) goes with every document it writes.
        pipeline.legal_basis = crawler.settings.getdict("NACHTWACHT_LEGAL_BASIS") or None
        return pipeline

    def open_spider(self) -> None:
        self.backend = backends.acquire(self.backend_settings)
        _peers.setdefault(id(self.backend), []).append(self)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Post):  # a channel message, extracted by its spider
            return self._index_post(item)
        if not isinstance(item, CrawledPage):
            return item
        stats = self.crawler.stats
        page = item.page
        extraction = item.extraction
        docs: list[dict[str, Any]] = []
        counts = {"listings": 0, "posts": 0}
        page_type = "other"
        if extraction is not None:
            page_type = extraction.page_type
            seen = page.fetched_at.isoformat()
            evidence = page.evidence().to_dict()  # flat strings: one per page, copied per doc
            # a forum or channel is not a market: its pages hold posts, not listings
            listings = extraction.listings if self._site_kind() == "market" else ()
            for listing in listings:
                doc = listing.to_dict()
                if not doc.get("title"):
                    continue
                doc["first_seen"] = doc.get("first_seen") or seen
                doc["last_seen"] = seen
                doc["evidence"] = doc.get("evidence") or dict(evidence)
                doc = merge_listing(self._written.get(doc["id"]) or self._stored(doc["id"]), doc)
                self._written[doc["id"]] = doc
                docs.append(doc)
                docs.append(_observation(doc, seen))
                self.vendors.add_listing(doc)
                counts["listings"] += 1
            for post in extraction.posts:
                doc = post.to_dict()
                doc["first_seen"] = doc.get("first_seen") or seen
                doc["last_seen"] = seen
                doc["evidence"] = doc.get("evidence") or dict(evidence)
                docs.append(doc)
                counts["posts"] += 1
            if page_type == "vendor":
                self._vendor_profile(extraction, page.site, seen)
            entities = extraction.entities.to_dict()
            for name in ("wallets", "pgp_keys", "onions", "emails", "contacts"):
                stats.inc_value(f"extract/entities/{name}", len(entities.get(name, [])))
        stats.inc_value(f"extract/page_type/{page_type}")
        stats.set_value("index/listings", len(self._written))  # distinct listings this run
        stats.inc_value("index/listing_sightings", counts["listings"])
        stats.inc_value("index/posts", counts["posts"])
        docs.append(page_document(page.to_dict(), page_type, counts))
        if self.legal_basis:
            for doc in docs:
                doc["legal_basis"] = self.legal_basis
        self.backend.upsert(docs)
        self._uncommitted_docs.extend(docs)
        self._uncommitted_urls.append(item.frontier_url)
        if len(self._uncommitted_urls) >= self.commit_every or \
                time.monotonic() - self._last_commit >= self.commit_seconds:
            self._checkpoint()
        return item

    def _index_post(self, post: Post) -> Post:
        """Index one message; a `deleted` one only marks the stored message (nothing seen is lost)."""
        seen = utcnow().isoformat()
        stored = self._stored(post.id)
        if post.deleted:
            if stored is None:
                return post
            doc = {**stored, "deleted": True, "last_seen": seen}
        else:
            doc = {**post.to_dict(), "first_seen": (stored or {}).get("first_seen") or seen, "last_seen": seen}
            self.crawler.stats.inc_value("index/posts")
        if self.legal_basis:
            doc["legal_basis"] = self.legal_basis
        self.backend.upsert([doc])
        self._uncommitted_docs.append(doc)
        if time.monotonic() - self._last_commit >= self.commit_seconds:
            self._checkpoint()
        return post

    def _site_kind(self) -> str:
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        return getattr(site, "kind", "market")

    def _vendor_profile(self, extraction: Any, site: str, seen: str) -> None:
        handles = {(lst.vendor_id, lst.vendor) for lst in extraction.listings if lst.vendor_id}
        if len(handles) == 1:
            vendor_id, handle = handles.pop()
            self.vendors.add_profile(vendor_id, site, handle, extraction.entities.to_dict(), seen)

    def _stored(self, doc_id: str) -> dict[str, Any] | None:
        try:
            return self.backend.get(doc_id)
        except Exception:
            logger.debug("could not read %s back", doc_id, exc_info=True)
            return None

    def _checkpoint(self) -> None:
        """Commit the backend, then mark done the pages it holds now.

        Crawlers of one process share the backend (`crawlers.backends`): one commit makes every
        sharing pipeline's documents durable, so all of them checkpoint together (hooks of all
        first, then the commit, then every frontier): one commit per interval, not one per crawler.
        """
        peers = [p for p in _peers.get(id(self.backend), ()) if p is not self]
        for pipeline in (self, *peers):
            pipeline._before_commit()
        self.backend.commit()
        for pipeline in (self, *peers):
            pipeline._after_commit()

    def _before_commit(self) -> None:
        spider = self.crawler.spider
        run_hooks = getattr(getattr(spider, "frontier", None), "run_hooks", None)
        if run_hooks is not None:
            run_hooks()  # evidence durable before the pages are indexed (and marked done)

    def _after_commit(self) -> None:
        spider = self.crawler.spider
        if self._uncommitted_docs:
            documents, self._uncommitted_docs = self._uncommitted_docs, []
            self.crawler.signals.send_catch_log(signals.documents_committed, documents=documents,
                                                spider=spider)
        if spider is not None and self._uncommitted_urls:
            spider.frontier.mark(self._uncommitted_urls, "done")
            spider.frontier.checkpoint()
        self._uncommitted_urls = []
        self._last_commit = time.monotonic()
        self.crawler.stats.inc_value("index/commits")

    def close_spider(self) -> None:
        if self.backend is None:
            return
        try:
            vendor_docs = self.vendors.documents(self._stored)
            self.backend.upsert(vendor_docs)
            self._uncommitted_docs.extend(vendor_docs)
            self.crawler.stats.set_value("index/vendors", len(vendor_docs))
            self._checkpoint()
        finally:
            peers = _peers.get(id(self.backend), [])
            if self in peers:
                peers.remove(self)
            if not peers:
                _peers.pop(id(self.backend), None)
            backends.release(self.backend_settings)


def _observation(listing: dict[str, Any], seen: str) -> dict[str, Any]:
    return {
        "id": f"{listing['id']}:{seen}",
        "kind": "observation",
        "listing_id": listing["id"],
        "site": listing["site"],
        "vendor_id": listing.get("vendor_id", ""),
        "seen_at": seen,
        "price": listing.get("price"),
        "price_eur": listing.get("price_eur"),
        "available": True,
    }
