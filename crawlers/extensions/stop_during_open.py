"""A stop that comes while the spider opens stops the crawl once the engine starts, and the process
waits for the spider to close before its reactor ends.

Scrapy's `Crawler.stop_async` (what SIGTERM/SIGINT and `CrawlerProcess.stop` call) only stops an
engine that is running. While the spider opens (pipelines, the extraction workers' warm-up, the index
writer: seconds on a busy machine) it just clears `crawler.crawling` and returns at once, so
`CrawlerProcess` stops the reactor in the middle of the opening: the spider never closes, the run
has no finish reason, and a job paused or stopped in that window was reported ``finished``.

This extension:
- at `engine_started`, stops the engine when `crawling` was cleared (finish reason ``shutdown``);
- holds the reactor's shutdown (a ``before`` trigger) until the spider has closed, at most
  `CLOSE_WAIT_S` seconds (a second SIGTERM/SIGINT still forces the exit after that).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CLOSE_WAIT_S", "StopDuringOpen"]

logger = logging.getLogger(__name__)

CLOSE_WAIT_S = 60.0  # longest the reactor's shutdown waits for the spider to close


class StopDuringOpen:
    """Honours at engine start a stop requested while the spider opened; shutdown waits for the close."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.closed = False
        self._waiting: list[Deferred[None]] = []
        self._trigger: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopDuringOpen:
        from twisted.internet import reactor

        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        ext._trigger = reactor.addSystemEventTrigger("before", "shutdown", ext.until_closed)
        return ext

    async def engine_started(self) -> None:
        engine = self.crawler.engine
        if self.crawler.crawling or engine is None:
            return
        logger.info("a stop came while the spider opened: stopping before the first request")
        await engine.stop_async()

    def until_closed(self) -> Deferred[None] | None:
        """The reactor's `before shutdown` trigger: a Deferred fired when the spider has closed."""
        if self.closed:
            return None
        from twisted.internet import reactor

        waiting: Deferred[None] = Deferred()
        self._waiting.append(waiting)
        waiting.addTimeout(CLOSE_WAIT_S, reactor)
        waiting.addErrback(lambda failure: logger.warning("shutdown did not wait for the spider to close: %s",
                                                          failure.getErrorMessage()))
        return waiting

    def spider_closed(self) -> None:
        from twisted.internet import reactor

        self.closed = True
        if self._trigger is not None:
            reactor.removeSystemEventTrigger(self._trigger)
            self._trigger = None
        waiting, self._waiting = self._waiting, []
        for deferred in waiting:
            if not deferred.called:
                deferred.callback(None)
