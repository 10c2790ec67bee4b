"""`MarketSpider` as one worker of a job shared through Redis.

Discovered URLs go to the shared frontier instead of this process's scheduler; `start` claims
leased URLs while this worker has room, renews its leases, and ends when the job has nothing
queued or leased (a dead worker's leases first expire and are fetched here).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

from scrapy import signals
from scrapy.http import Request

from crawlers.distributed.frontier import RedisFrontier
from crawlers.spiders.market import MarketSpider

__all__ = ["DistributedMarketSpider", "default_worker_id"]

logger = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class DistributedMarketSpider(MarketSpider):
    """Settings: NACHTWACHT_REDIS_URL (required), NACHTWACHT_WORKER_ID, NACHTWACHT_LEASE_SECONDS,
    NACHTWACHT_MAX_ATTEMPTS, NACHTWACHT_CLAIM_POLL (seconds between polls of an empty queue)."""

    name = "market-worker"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DistributedMarketSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.frontier.close()  # the SQLite one MarketSpider opened: this job's state is in Redis
        spider.worker = settings.get("NACHTWACHT_WORKER_ID") or default_worker_id()
        spider.lease = settings.getfloat("NACHTWACHT_LEASE_SECONDS", 60.0)
        spider.poll = settings.getfloat("NACHTWACHT_CLAIM_POLL", 0.2)
        spider.frontier = RedisFrontier(settings.get("NACHTWACHT_REDIS_URL"), spider.job_id, spider.worker,
                                        lease=spider.lease,
                                        max_attempts=settings.getint("NACHTWACHT_MAX_ATTEMPTS", 5))
        spider.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS", 16))
        crawler.signals.connect(spider._flush_requested, signal=signals.spider_idle)
        return spider

    # Links found while parsing are queued in Redis by `frontier.add`; any worker may fetch them.
    def _request(self, url: str, depth: int, page_type: str | None, chain: int,
                 redirects: tuple[str, ...] = ()) -> Request | None:
        return None

    def _claimed_request(self, url: str, depth: int, page_type: str | None, chain: int) -> Request | None:
        return super()._request(url, depth, page_type, chain)

    async def start(self) -> AsyncIterator[Request]:
        self.resumed = self.frontier.begin_run(fresh=self.fresh)
        for url in self.site.start_urls:
            self.frontier.add(url, depth=0, page_type=None)
        logger.info("worker %s joined job %s (%s)", self.worker, self.job_id,
                    "resumed" if self.resumed else "new")
        from twisted.internet import task

        # Renew leases on a timer of their own: the engine stops pulling `start` while busy.
        self._beat = task.LoopingCall(self._heartbeat)
        self._beat.start(self.lease / 4, now=False)
        while True:
            room = self.concurrency - self._local_load()
            entries = self.frontier.claim(min(room, 8)) if room > 0 else []
            for entry in entries:
                request = self._claimed_request(entry.url, entry.depth, entry.page_type, entry.chain)
                if request is None:  # this worker's page limit: give the rest back
                    self.frontier.release([e.url for e in entries if e.url in self.frontier.held],
                                          count_attempt=False)
                    return
                yield request
            if entries:
                continue
            if self._local_load() == 0:
                self._flush()  # commit what this worker fetched: others may be waiting for it
                status = self.frontier.status()
                if status.finished:
                    self.crawler.stats.set_value("distributed/requeued", self.frontier.requeued)
                    return
            await asyncio.sleep(self.poll)

    def _heartbeat(self) -> None:
        try:
            self.frontier.heartbeat()
        except Exception:  # Redis gone for a moment: the next beat retries; leases are long
            logger.warning("worker %s: heartbeat failed", self.worker, exc_info=True)

    def _local_load(self) -> int:
        """Requests this process has claimed and not finished (downloading, queued, parsing)."""
        engine = self.crawler.engine
        if engine is None:
            return 0
        queued = self._queued_requests() or 0
        scraping = len(engine.scraper.slot.active) if engine.scraper.slot else 0
        return len(engine.downloader.active) + queued + scraping

    def _flush(self) -> None:
        for pipe in self._index_pipelines():
            pipe.flush()

    def _index_pipelines(self) -> list[Any]:
        from crawlers.distributed.pipeline import DistributedIndexPipeline

        engine = self.crawler.engine
        itemproc = getattr(engine.scraper, "itemproc", None) if engine else None
        return [m for m in getattr(itemproc, "middlewares", ()) if isinstance(m, DistributedIndexPipeline)]

    def _flush_requested(self) -> None:
        self._flush()

    def failed(self, failure: Any) -> None:
        """Permanent failures are final; a transient one gives the URL back to the shared queue."""
        super().failed(failure)
        url = failure.request.meta.get("frontier_url", failure.request.url)
        if url in self.frontier.held:
            self.frontier.release([url])

    def closed(self, reason: str) -> None:
        beat = getattr(self, "_beat", None)
        if beat is not None and beat.running:
            beat.stop()
        self.frontier.end_run(reason)
        for state, count in self.frontier.counts().items():
            self.crawler.stats.set_value(f"frontier/{state}", count)
        self.frontier.close()
