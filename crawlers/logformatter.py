"""The crawl's log formatter: Scrapy's, without the per-page DEBUG lines a crawl above DEBUG drops.

Scrapy builds a "Crawled (200) <GET ...>" and a "Scraped from <...>" log record for every page
whatever ``LOG_LEVEL`` is (the root logger has no level; the handler drops them). Above DEBUG this
formatter returns None for both, which Scrapy documents as "do not log": no record is built. At
DEBUG it logs exactly what Scrapy does. Every fetch is in the custody log either way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

__all__ = ["CrawlLogFormatter"]


def _level(value: Any) -> int:
    """A LOG_LEVEL setting (name or number) as a number; unknown names count as DEBUG (log all)."""
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    return level if isinstance(level, int) else logging.DEBUG


class CrawlLogFormatter(LogFormatter):
    """Scrapy's `LogFormatter`; `crawled` and `scraped` log nothing when LOG_LEVEL is above DEBUG."""

    def __init__(self, per_page: bool = True):
        super().__init__()
        self.per_page = per_page

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLogFormatter:
        return cls(per_page=_level(crawler.settings.get("LOG_LEVEL", "DEBUG")) <= logging.DEBUG)

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult:
        return super().crawled(request, response, spider) if self.per_page else None  # type: ignore[return-value]

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return super().scraped(item, response, spider) if self.per_page else None  # type: ignore[return-value]
