"""Scrapy extension: run alert detection on every index commit of a crawl (`documents_committed`).

Enable with `EXTENSIONS = {"nachtwacht.alerts.extension.AlertExtension": 600}` (the application
layer does). Settings: `NACHTWACHT_ALERT_RULES` (rule files or folders; empty = off),
`NACHTWACHT_ALERT_DATA` (data directory; default the embedded index's), `NACHTWACHT_ALERT_FLUSH`
(seconds the end of a crawl waits for deliveries; default 30). Detection never stops a crawl:
an error is logged and counted (`alerts/errors`), and delivery runs on its own thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals as scrapy_signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from crawlers import signals
from nachtwacht.alerts.engine import AlertEngine
from nachtwacht.alerts.rules import load_rules

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["AlertExtension"]

logger = logging.getLogger(__name__)


def _site(spider: Any) -> str:
    site = getattr(spider, "site", None)
    return getattr(site, "name", None) or getattr(spider, "name", "site")


class AlertExtension:
    def __init__(self, crawler: Crawler, engine: AlertEngine, flush_seconds: float):
        self.crawler = crawler
        self.engine = engine
        self.flush_seconds = flush_seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AlertExtension:
        paths = crawler.settings.getlist("NACHTWACHT_ALERT_RULES")
        if not paths:
            raise NotConfigured("NACHTWACHT_ALERT_RULES is empty: no alerting")
        data_dir = crawler.settings.get("NACHTWACHT_ALERT_DATA") or \
            crawler.settings.getdict("NACHTWACHT_BACKEND").get("data_dir")
        if not data_dir:
            raise NotConfigured("no data directory for the alert store (NACHTWACHT_ALERT_DATA)")
        rules = load_rules(*paths)  # a bad rule file stops the crawl before it starts: RuleError
        engine = AlertEngine(data_dir, rules, backend_settings=crawler.settings.getdict("NACHTWACHT_BACKEND"))
        ext = cls(crawler, engine, crawler.settings.getfloat("NACHTWACHT_ALERT_FLUSH", 30.0))
        crawler.signals.connect(ext.opened, signal=scrapy_signals.spider_opened)
        crawler.signals.connect(ext.committed, signal=signals.documents_committed)
        crawler.signals.connect(ext.closed, signal=scrapy_signals.spider_closed)
        logger.info("alerting on: %d rule(s), %d channel(s)", len(rules.rules), len(rules.channels))
        return ext

    def opened(self, spider: Any) -> None:
        self.engine.begin_crawl(_site(spider))

    def committed(self, documents: list[dict[str, Any]], spider: Any = None) -> None:
        try:
            events = self.engine.process(documents, _site(spider))
        except Exception:
            self.crawler.stats.inc_value("alerts/errors")
            logger.exception("alert detection failed on a commit of %d documents", len(documents))
            return
        for event in events:
            self.crawler.stats.inc_value(f"alerts/raised/{event.type}")

    async def closed(self, spider: Any, reason: str = "") -> None:
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("crawl/pages", 0))
        complete = (reason == "finished" and not stats.get("frontier/pending")
                    and not stats.get("crawl/deferred_by_page_limit") and not stats.get("crawl/left_pending"))
        try:
            for event in self.engine.end_crawl(_site(spider), finish_reason=reason, pages=pages,
                                               complete=complete):
                self.crawler.stats.inc_value(f"alerts/raised/{event.type}")
        except Exception:
            self.crawler.stats.inc_value("alerts/errors")
            logger.exception("alert detection failed at the end of the crawl")
        # Wait for deliveries off the reactor thread (the engine bounds the wait), then close the
        # SQLite connections here, on the reactor thread that opened them: a connection refuses to
        # be closed from another thread ("SQLite objects created in a thread ...").
        try:
            await maybe_deferred_to_future(threads.deferToThread(self.engine.flush, self.flush_seconds))
        except Exception:
            logger.exception("waiting for alert deliveries failed")
        try:
            self.engine.close(timeout=0)
        except Exception:
            self.crawler.stats.inc_value("alerts/errors")
            logger.exception("closing the alert store failed")
