"""Run by test_extension.py in its own process (one Twisted reactor per process): a real Scrapy crawl
with the AlertExtension and a spider that sends `documents_committed` once and fetches nothing.

Usage: python -m tests.alerts._extension_crawl DATA_DIR RULES_FILE; prints the crawl stats as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess

from crawlers import signals
from tests.alerts.docs import vendor
from tests.crawl_child import crawl_and_print_stats


class CommitOnce(scrapy.Spider):
    name = "demo-ext"

    async def start(self) -> AsyncIterator[Any]:
        docs = [vendor("ExtVendor", ["demo-ext"]), vendor("OtherVendor", ["demo-ext"])]
        self.crawler.signals.send_catch_log(signals.documents_committed, documents=docs, spider=self)
        return
        yield  # an async generator that yields nothing: the crawl ends at once


def main(data_dir: str, rules: str) -> None:
    process = CrawlerProcess({
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None,
                       "nachtwacht.alerts.extension.AlertExtension": 600},
        "NACHTWACHT_ALERT_RULES": [rules], "NACHTWACHT_ALERT_DATA": data_dir,
        "NACHTWACHT_ALERT_FLUSH": 10, "LOG_LEVEL": "INFO",
    })
    crawl_and_print_stats(process, CommitOnce)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
