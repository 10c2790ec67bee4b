"""The crawl's log formatter builds no per-page DEBUG record above DEBUG, and Scrapy's own at DEBUG."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from crawlers.logformatter import CrawlLogFormatter


def _formatter(level: str | int) -> CrawlLogFormatter:
    settings = Settings()
    settings.setmodule("crawlers.settings")
    settings.set("LOG_LEVEL", level)
    # from_crawler reads only the crawler's settings (a full Crawler needs a running reactor)
    return CrawlLogFormatter.from_crawler(SimpleNamespace(settings=settings))  # type: ignore[arg-type]


def _exchange() -> tuple[Request, HtmlResponse, Spider]:
    request = Request("http://market.example/listing/1")
    response = HtmlResponse(request.url, body=b"<html><body>1g</body></html>", request=request)
    return request, response, Spider(name="s")


def test_the_project_uses_it():
    settings = Settings()
    settings.setmodule("crawlers.settings")
    assert settings.get("LOG_FORMATTER") == "crawlers.logformatter.CrawlLogFormatter"


@pytest.mark.parametrize("level", ["INFO", "warning", logging.ERROR])
def test_above_debug_no_per_page_record_is_built(level):
    request, response, spider = _exchange()
    formatter = _formatter(level)
    assert formatter.crawled(request, response, spider) is None
    assert formatter.scraped({"url": request.url}, response, spider) is None


@pytest.mark.parametrize("level", ["DEBUG", logging.DEBUG, "NOSUCHLEVEL"])
def test_at_debug_it_logs_what_scrapy_logs(level):
    request, response, spider = _exchange()
    formatter = _formatter(level)
    crawled = formatter.crawled(request, response, spider)
    assert crawled is not None and crawled["level"] == logging.DEBUG
    assert crawled["args"]["status"] == 200 and crawled["args"]["request"] is request
    scraped = formatter.scraped({"url": request.url}, response, spider)
    assert scraped is not None and scraped["args"]["item"] == {"url": request.url}
