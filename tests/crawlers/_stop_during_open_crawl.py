"""Run by test_stop_during_open.py in its own process (one Twisted reactor per process): a crawl of one
`data:` page stopped while its spider opens, the way Scrapy's SIGTERM handler stops a process
(`CrawlerProcess.stop()`, then the reactor).

Usage: python -m tests.crawlers._stop_during_open_crawl [with|without]; prints the stats as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from twisted.internet.defer import Deferred

from tests.crawl_child import crawl_and_print_stats


class OnePage(scrapy.Spider):
    name = "stop-during-open"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request("data:text/html,<p>page</p>", dont_filter=True)

    def parse(self, response: Any) -> None:
        self.crawler.stats.inc_value("pages_parsed")


class StopWhileOpening:
    """At spider_opened: what Scrapy's SIGTERM handler does (`_graceful_stop_reactor`)."""

    process: CrawlerProcess

    def __init__(self, crawler: Any):
        crawler.signals.connect(self.opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StopWhileOpening:
        return cls(crawler)

    def opened(self) -> None:
        from twisted.internet import reactor

        stopped: Deferred[Any] = self.process.stop()
        stopped.addBoth(lambda _: reactor.stop())


def main(mode: str) -> None:
    extensions = {"scrapy.extensions.telnet.TelnetConsole": None,
                  "tests.crawlers._stop_during_open_crawl.StopWhileOpening": 500}
    if mode == "with":
        extensions["crawlers.extensions.stop_during_open.StopDuringOpen"] = 100
    process = CrawlerProcess({"EXTENSIONS": extensions, "LOG_LEVEL": "INFO",
                              "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
    # the module EXTENSIONS names, not this __main__
    from tests.crawlers import _stop_during_open_crawl as loaded

    loaded.StopWhileOpening.process = process
    crawl_and_print_stats(process, OnePage)


if __name__ == "__main__":
    main(sys.argv[1])
