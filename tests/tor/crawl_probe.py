"""Run one crawl in this (child) process and report what it did, as JSON on the last stdout line.

Usage: python -m tests.tor.crawl_probe '<json spec>'. An audit hook records every
``socket.getaddrinfo`` host and every ``socket.connect`` address the process makes, so
tests can prove no .onion name was resolved locally and no socket went anywhere else.

spec: {"mode": "tiny" | "market", "start": [urls], "site": name, "settings": {...},
       "site_config": path (market), "data_dir": path (market), "max_pages": n,
       "signal_file": path written once ``signal_after`` pages are done}
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOKUPS: list[str] = []
CONNECTS: list[str] = []
_lock = threading.Lock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes | bytearray):  # asyncio passes IDNA-encoded bytes
            host = bytes(host).decode("ascii", "replace")
        with _lock:
            LOOKUPS.append(str(host))
    elif event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and len(address) >= 2:
            with _lock:
                CONNECTS.append(f"{address[0]}:{address[1]}")


sys.addaudithook(_audit)

import scrapy  # noqa: E402  (after the hook: nothing may resolve before it is in place)
from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.settings import Settings  # noqa: E402


class TinySpider(scrapy.Spider):
    """Follow every link on the start hosts; record each page and each failure."""

    name = "tiny"

    def __init__(self, urls: list[str], site: str, signal_file: str = "", signal_after: int = 0,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.urls = urls
        self.site_name = site
        self.pages: list[dict[str, Any]] = []
        self.failures: list[dict[str, str]] = []
        self.signal_file = signal_file
        self.signal_after = signal_after

    async def start(self):  # type: ignore[override]
        for url in self.urls:
            yield self._request(url)

    def _request(self, url: str) -> scrapy.Request:
        site = self.site_name or urlsplit(url).hostname  # no site given: one site per host
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              meta={"nachtwacht_site": site})

    def parse(self, response):  # type: ignore[no-untyped-def]
        info = response.meta.get("nachtwacht_tor") or {}
        self.pages.append({"url": response.url, "status": response.status,
                           "username": info.get("username", ""), "endpoint": info.get("endpoint", "")})
        if self.signal_file and len(self.pages) == self.signal_after:
            Path(self.signal_file).write_text("go")
        for href in response.css("a::attr(href)").getall():
            yield self._request(response.urljoin(href))

    def failed(self, failure):  # type: ignore[no-untyped-def]
        self.failures.append({"url": failure.request.url, "error": type(failure.value).__name__,
                              "message": str(failure.value)[:300]})


def base_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    for name in list(middlewares):
        if "evidence" in name:
            middlewares[name] = None  # WARC evidence is not what these tests are about
    settings.setdict({"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": middlewares,
                      "EXTENSIONS": {**settings.getdict("EXTENSIONS"),
                                     "crawlers.extensions.progress.ProgressReporter": None},
                      "LOG_LEVEL": "INFO", "RETRY_TIMES": 1}, priority="cmdline")
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_tiny(spec: dict[str, Any]) -> dict[str, Any]:
    process = CrawlerProcess(base_settings(spec.get("settings", {})), install_root_handler=True)
    crawler = process.create_crawler(TinySpider)
    process.crawl(crawler, urls=spec["start"], site=spec.get("site", ""),
                  signal_file=spec.get("signal_file", ""), signal_after=spec.get("signal_after", 0))
    process.start()
    spider = crawler.spider
    return {"pages": spider.pages, "failures": spider.failures,
            "stats": {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}}


def run_market(spec: dict[str, Any]) -> dict[str, Any]:
    from crawlers.runner import run_crawl
    from crawlers.siteconfig import load_site

    site = load_site(spec["site_config"]).with_base_url(spec["base_url"])
    summary = run_crawl(site, data_dir=Path(spec["data_dir"]), via=spec["settings"]["NACHTWACHT_VIA"],
                        tor_socks=spec["settings"].get("NACHTWACHT_TOR_SOCKS"),
                        tor_control=spec["settings"].get("NACHTWACHT_TOR_CONTROL"),
                        max_pages=spec.get("max_pages"), fresh=True,
                        overrides=spec.get("overrides"))
    return {"summary": summary.to_dict()}


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = run_market(spec) if spec.get("mode") == "market" else run_tiny(spec)
    with _lock:
        result["lookups"] = list(LOOKUPS)
        result["connects"] = list(CONNECTS)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
