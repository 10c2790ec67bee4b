"""Tor health into the crawl's stats (and so its summary): bootstrap and circuits of each tor
client at spider open and close, read on ``NACHTWACHT_TOR_CONTROL`` off the reactor thread.

Stats: ``tor/clients``, ``tor/bootstrap_at_open`` and ``tor/bootstrap_at_close`` (the lowest
over the clients), ``tor/circuits_at_close``, ``tor/control_errors``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import threads

from crawlers.tor.control import TorControl, TorStatus
from crawlers.tor.exceptions import TorError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

__all__ = ["TorHealth"]

logger = logging.getLogger(__name__)


def read_statuses(controls: list[str]) -> tuple[list[TorStatus], list[str]]:
    """(statuses, errors) of every control endpoint. Blocking (stem)."""
    statuses, errors = [], []
    for endpoint in controls:
        try:
            with TorControl.connect(endpoint) as ctl:
                statuses.append(ctl.status())
        except TorError as exc:
            errors.append(str(exc))
    return statuses, errors


class TorHealth:
    """Off (``NotConfigured``) for direct jobs and when no control endpoint is configured."""

    def __init__(self, crawler: Crawler, controls: list[str]):
        self.crawler = crawler
        self.controls = controls

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TorHealth:
        settings = crawler.settings
        controls = [c.strip() for c in settings.getlist("NACHTWACHT_TOR_CONTROL") if c.strip()]
        if str(settings.get("NACHTWACHT_VIA", "tor")).lower() == "direct" or not controls:
            raise NotConfigured("no Tor control endpoint for this job")
        ext = cls(crawler, controls)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> Deferred[None]:
        return threads.deferToThread(read_statuses, self.controls).addCallback(self._record, "open")

    def spider_closed(self) -> Deferred[None]:
        return threads.deferToThread(read_statuses, self.controls).addCallback(self._record, "close")

    def _record(self, result: tuple[list[TorStatus], list[str]], when: str) -> None:
        statuses, errors = result
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("tor/clients", len(self.controls))
        for error in errors:
            stats.inc_value("tor/control_errors")
            logger.warning("tor health at %s: %s", when, error)
        lowest = min((s.bootstrap for s in statuses), default=0) if not errors else 0
        stats.set_value(f"tor/bootstrap_at_{when}", lowest)
        if when == "close":
            stats.set_value("tor/circuits_at_close", sum(s.circuits_built for s in statuses))
        if when == "open" and lowest < 100:
            logger.error("tor is not ready at crawl start (lowest bootstrap %d%%): requests will wait",
                         lowest)
