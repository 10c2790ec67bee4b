"""For test scripts that run one real Scrapy crawl in their own process (one reactor per process)."""

from __future__ import annotations

import json
import sys
from typing import Any


def crawl_and_print_stats(process: Any, spidercls: type) -> None:
    """Crawl `spidercls` with `process` (a `CrawlerProcess`), then print its int/str stats as JSON."""
    crawler = process.create_crawler(spidercls)
    process.crawl(crawler)
    process.start()
    sys.stdout.write(json.dumps({k: v for k, v in crawler.stats.get_stats().items()
                                 if isinstance(v, int | str)}) + "\n")
