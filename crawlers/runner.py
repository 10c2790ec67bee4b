"""Run one crawl of one site in this process and summarise it. One crawl per process (Twisted)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.extensions.progress import register_callback
from crawlers.siteconfig import SiteConfig
from crawlers.spiders.market import MarketSpider
from crawlers.spiders.telegram import TelegramSpider

__all__ = ["CrawlJob", "CrawlSummary", "crawl_settings", "run_crawl", "run_crawls"]


@dataclass
class CrawlSummary:
    site: str
    job_id: str
    via: str
    resumed: bool
    finish_reason: str
    elapsed_s: float
    pages: int
    listings: int
    posts: int
    vendors: int
    entities: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    frontier: dict[str, int] = field(default_factory=dict)
    page_types: dict[str, int] = field(default_factory=dict)
    tor: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def crawl_settings(site: SiteConfig, *, data_dir: Path, via: str, tor_socks: list[str] | None = None,
                   tor_control: list[str] | None = None, backend: dict[str, Any] | None = None,
                   progress: Callable[[dict[str, Any]], None] | None = None,
                   overrides: dict[str, Any] | None = None) -> Settings:
    """Scrapy settings for one crawl: project defaults, then the site's limits, then overrides."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    job_values: dict[str, Any] = {
        "NACHTWACHT_VIA": via,
        "NACHTWACHT_BACKEND": backend or {"backend": "embedded", "data_dir": str(data_dir)},
        "NACHTWACHT_DATA_DIR": str(data_dir),  # evidence goes to <data_dir>/evidence/<job_id>/
        "CONCURRENT_REQUESTS_PER_DOMAIN": site.politeness.concurrency,
        "CONCURRENT_REQUESTS": max(site.politeness.concurrency, 1),
        "DOWNLOAD_DELAY": site.politeness.delay,
        "DOWNLOAD_MAXSIZE": site.limits.page_size,
        "DOWNLOAD_WARNSIZE": min(site.limits.page_size, settings.getint("DOWNLOAD_WARNSIZE")),
        "DOWNLOAD_TIMEOUT": site.limits.timeout,
        "DEPTH_LIMIT": 0,  # the spider enforces the site's depth through the frontier
        "LOG_FILE": None,
    }
    if site.render == "js":  # one shared Chromium; non-browser requests keep the Tor handler
        from crawlers.render.launch import browser_settings

        job_values.update(browser_settings(settings.getdict("DOWNLOAD_HANDLERS").get("http")))
    if tor_socks is not None:
        job_values["NACHTWACHT_TOR_SOCKS"] = list(tor_socks)
    if tor_control is not None:
        job_values["NACHTWACHT_TOR_CONTROL"] = list(tor_control)
    if progress is not None:
        job_values["NACHTWACHT_PROGRESS_CALLBACK"] = register_callback(progress)
    settings.setdict(job_values, priority="cmdline")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


@dataclass(frozen=True)
class CrawlJob:
    """One site to crawl in a run: `via` defaults to the site's own (itself "tor" by default)."""

    site: SiteConfig
    job_id: str = ""
    via: str = ""
    max_pages: int | None = None
    fresh: bool = False


def run_crawls(jobs: list[CrawlJob], *, data_dir: Path, tor_socks: list[str] | None = None,
               tor_control: list[str] | None = None, backend: dict[str, Any] | None = None,
               progress: Callable[[str, dict[str, Any]], None] | None = None,
               overrides: dict[str, Any] | None = None) -> list[CrawlSummary]:
    """Crawl every job's site concurrently in this process, to the end or its page limit.

    Logs go to `<data_dir>/jobs/<job_id>/crawl.log` of the first job. Can run once per process.
    """
    if not jobs:
        return []
    first = jobs[0]
    log_dir = Path(data_dir) / "jobs" / (first.job_id or first.site.name)
    log_dir.mkdir(parents=True, exist_ok=True)
    base = crawl_settings(first.site, data_dir=Path(data_dir), via=first.via or first.site.via,
                          tor_socks=tor_socks, tor_control=tor_control, backend=backend,
                          overrides={"LOG_FILE": str(log_dir / "crawl.log"), **(overrides or {})})
    base.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(base)
    started = time.monotonic()
    runs = []
    for job in jobs:
        via = job.via or job.site.via
        job_id = job.job_id or job.site.name
        job_dir = Path(data_dir) / "jobs" / job_id
        job_dir.mkdir(parents=True, exist_ok=True)
        report = None if progress is None else partial(progress, job.site.name)
        settings = crawl_settings(job.site, data_dir=Path(data_dir), via=via, tor_socks=tor_socks,
                                  tor_control=tor_control, backend=backend, progress=report,
                                  overrides={"LOG_FILE": str(log_dir / "crawl.log"),
                                             **(overrides or {})})
        # Per-site limits and politeness; the first crawler installs the reactor.
        spider_cls = TelegramSpider if job.site.kind == "channel" else MarketSpider
        crawler = Crawler(spider_cls, settings, init_reactor=not runs)
        process.crawl(crawler, site=job.site, job_dir=job_dir, job_id=job_id,
                      max_pages=job.max_pages, fresh=job.fresh)
        runs.append((crawler, job, via, job_id))
    process.start()
    elapsed = time.monotonic() - started
    summaries = []
    for crawler, job, via, job_id in runs:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        summaries.append(summarise(stats, site=job.site.name, job_id=job_id, via=via,
                                   resumed=bool(getattr(crawler.spider, "resumed", False)),
                                   elapsed=elapsed))
    return summaries


def run_crawl(site: SiteConfig, *, data_dir: Path, job_id: str | None = None, via: str | None = None,
              max_pages: int | None = None, fresh: bool = False, **kwargs: Any) -> CrawlSummary:
    """Crawl one site; see `run_crawls` for the keyword arguments."""
    job = CrawlJob(site=site, job_id=job_id or "", via=via or "", max_pages=max_pages, fresh=fresh)
    return run_crawls([job], data_dir=data_dir, **kwargs)[0]


def summarise(stats: dict[str, Any], *, site: str, job_id: str, via: str, resumed: bool,
              elapsed: float) -> CrawlSummary:
    """A `CrawlSummary` from Scrapy stats (keys `component/event`)."""

    def group(prefix: str) -> dict[str, int]:
        return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}

    return CrawlSummary(
        site=site,
        job_id=job_id,
        via=via,
        resumed=resumed,
        finish_reason=str(stats.get("finish_reason", "")),
        elapsed_s=round(elapsed, 2),
        pages=int(stats.get("crawl/pages", 0)),
        listings=int(stats.get("index/listings", 0)),
        posts=int(stats.get("index/posts", 0)),
        vendors=int(stats.get("index/vendors", 0)),
        entities=group("extract/entities/"),
        errors=group("crawl/error/"),
        frontier=group("frontier/"),
        page_types=group("extract/page_type/"),
        tor=group("tor/"),
    )
