"""Where `MarketSpider.parse` finds a page's links when pages are extracted in a worker process:
in the crawl process, queued before the extraction ends, while the scheduler runs short (the start
of a crawl, its tail); from the worker otherwise."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import CrawledPage
from crawlers.siteconfig import load_site
from crawlers.spiders.market import MarketSpider

REPO = Path(__file__).resolve().parents[2]
BASE = "http://noordzee.example.onion"
PAGE = (b"<html><body><h1>Noordzee</h1><a href='/categorie/wiet'>wiet</a>"
        b"<a href='/product/12'>Witte Weduwe</a><a href='/logout'>uit</a></body></html>")


class _Spider(MarketSpider):
    """MarketSpider whose scheduler depth the test sets (no engine runs in these tests)."""

    name = "market-test"
    queued: int | None = None

    def _queued_requests(self) -> int | None:
        return self.queued


def _spider(tmp_path, queued: int | None) -> _Spider:
    site = load_site(REPO / "config" / "sites" / "demo-noordzee.yaml").with_base_url(BASE)
    crawler = get_crawler(_Spider, {"CONCURRENT_REQUESTS": 8})
    crawler._apply_settings()
    spider = _Spider.from_crawler(crawler, site=site, job_dir=tmp_path, fresh=True)
    crawler.spider = spider
    spider.frontier.begin_run(fresh=True)
    spider.queued = queued
    return spider


def _response() -> HtmlResponse:
    """PAGE as the crawl's first response (depth 0)."""
    request = Request(BASE + "/", meta={"frontier_url": BASE + "/", "depth": 0, "chain": 0})
    return HtmlResponse(BASE + "/", body=PAGE, encoding="utf-8", request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def _parse(spider: _Spider, worker_links: list[str]) -> tuple[list[str], list[object]]:
    """Run `parse` on PAGE with an extraction callback that finishes only when asked to;
    returns the order of events and the arguments the callback got."""
    events: list[str] = []
    asked: list[object] = []

    async def extract(item: CrawledPage, links_of: object) -> list[str] | None:
        asked.append(links_of)
        await asyncio.sleep(0.01)  # the worker's extraction takes time
        item.extracted = True
        events.append("extracted")
        return worker_links if links_of is not None else None

    spider.extract_in_callback = extract
    response = _response()

    async def run() -> None:
        async for out in spider.parse(response):
            events.append(out.url if isinstance(out, Request) else type(out).__name__)

    try:
        asyncio.run(run())
    finally:
        spider.frontier.close()
    return events, asked


@pytest.mark.parametrize("queued", [0, 7, None])
def test_with_a_short_queue_links_are_queued_before_the_extraction_ends(tmp_path, queued):
    events, asked = _parse(_spider(tmp_path, queued), worker_links=[BASE + "/verkoper/niet"])
    assert asked == [None], "the worker is not asked for links it would find later"
    assert events == [BASE + "/categorie/wiet", BASE + "/product/12", "extracted", "CrawledPage"]


def test_with_a_full_queue_the_worker_finds_the_links(tmp_path):
    events, asked = _parse(_spider(tmp_path, 8), worker_links=[BASE + "/verkoper/bergkristal"])
    assert asked == [("HtmlResponse", "utf-8")]
    assert events == ["extracted", "CrawledPage", BASE + "/verkoper/bergkristal"]


@pytest.mark.parametrize("queued", [0, 8])
def test_every_link_is_in_the_frontier_before_the_page_can_be_marked_done(tmp_path, queued):
    # The item's index checkpoint marks the page done; links still waiting in the callback's
    # generator at that commit were lost to a crash (a resumed crawl never fetched them).
    spider = _spider(tmp_path, queued)
    worker_links = [BASE + "/categorie/wiet", BASE + "/product/12"]
    missing_at_item: list[str] = []

    async def extract(item: CrawledPage, links_of: object) -> list[str] | None:
        item.extracted = True
        return worker_links if links_of is not None else None

    spider.extract_in_callback = extract

    async def run() -> None:
        async for out in spider.parse(_response()):
            if isinstance(out, CrawledPage):
                missing_at_item.extend(url for url in worker_links if spider.frontier.get(url) is None)
                break  # Scrapy may hold the generator here while the item is indexed

    try:
        asyncio.run(run())
    finally:
        spider.frontier.close()
    assert missing_at_item == []
