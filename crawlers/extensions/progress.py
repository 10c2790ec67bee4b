"""Report crawl progress (a snapshot of the stats) to a callback every second, for progress bars."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ProgressReporter", "register_callback"]

# Settings are deep-copied by Scrapy, so they carry a token, not the callable itself.
_CALLBACKS: dict[str, Callable[[dict[str, Any]], None]] = {}


def register_callback(callback: Callable[[dict[str, Any]], None]) -> str:
    """Register a progress callback; put the returned token in NACHTWACHT_PROGRESS_CALLBACK."""
    token = f"progress-{len(_CALLBACKS) + 1}"
    _CALLBACKS[token] = callback
    return token


class ProgressReporter:
    """Calls the registered callback named by `NACHTWACHT_PROGRESS_CALLBACK` with a stats dict
    every `NACHTWACHT_PROGRESS_INTERVAL` seconds."""

    def __init__(self, crawler: Crawler, callback: Callable[[dict[str, Any]], None], interval: float):
        self.crawler = crawler
        self.callback = callback
        self.loop = task.LoopingCall(self.report)
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        callback = _CALLBACKS.get(crawler.settings.get("NACHTWACHT_PROGRESS_CALLBACK") or "")
        if callback is None:
            raise NotConfigured("no progress callback")
        ext = cls(crawler, callback, crawler.settings.getfloat("NACHTWACHT_PROGRESS_INTERVAL", 1.0))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        self.loop.start(self.interval, now=True)

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.report()

    def report(self) -> None:
        self.callback(dict(self.crawler.stats.get_stats()))
