"""Freeze the crawl process's startup objects out of the garbage collector while a crawl runs.

Settings: ``NACHTWACHT_GC_FREEZE`` (bool) and ``NACHTWACHT_GC_THRESHOLD0`` (young-generation
threshold during the crawl; 0 keeps Python's). Why: `crawlers.gcpolicy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers import gcpolicy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["GcPolicy"]


class GcPolicy:
    """Freezes at spider open (pipelines and workers open, models loaded), thaws at spider close."""

    def __init__(self, threshold0: int):
        self.threshold0 = threshold0
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcPolicy:
        if not crawler.settings.getbool("NACHTWACHT_GC_FREEZE", True):
            raise NotConfigured("NACHTWACHT_GC_FREEZE is off")
        threshold0 = crawler.settings.getint("NACHTWACHT_GC_THRESHOLD0", 0)
        if threshold0 < 0:
            raise ValueError(f"NACHTWACHT_GC_THRESHOLD0 must be >= 0, got {threshold0}")
        ext = cls(threshold0)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        if not self.frozen:
            gcpolicy.freeze(self.threshold0 or None)
            self.frozen = True

    def closed(self) -> None:
        if self.frozen:
            gcpolicy.thaw()
            self.frozen = False
