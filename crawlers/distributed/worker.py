"""Run one crawler worker of a Redis-shared job in this process (one Twisted reactor)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawlers.distributed.pipeline import STREAM_BACKEND
from crawlers.distributed.spider import DistributedMarketSpider, default_worker_id
from crawlers.runner import CrawlSummary, crawl_settings, summarise
from crawlers.siteconfig import SiteConfig

__all__ = ["run_worker", "worker_settings"]

PIPELINES = {
    "crawlers.pipelines.ExtractPipeline": 300,
    "crawlers.distributed.pipeline.DistributedIndexPipeline": 500,
}


def worker_settings(site: SiteConfig, *, redis_url: str, data_dir: Path, via: str, worker: str,
                    tor_socks: list[str] | None = None, tor_control: list[str] | None = None,
                    backend: dict[str, Any] | None = None, lease: float | None = None,
                    overrides: dict[str, Any] | None = None) -> Any:
    """`crawl_settings` of one worker: its own tor clients and data dir, the job's Redis.

    `backend` None sends documents to the job's stream for `StreamWriter`; a cluster backend's
    settings make the worker write to it directly.
    """
    values: dict[str, Any] = {
        "NACHTWACHT_REDIS_URL": redis_url,
        "NACHTWACHT_WORKER_ID": worker,
        "ITEM_PIPELINES": PIPELINES,
        "LOG_FILE": str(Path(data_dir) / f"worker-{worker}.log"),
    }
    if lease is not None:
        values["NACHTWACHT_LEASE_SECONDS"] = lease
    return crawl_settings(site, data_dir=Path(data_dir), via=via, tor_socks=tor_socks, tor_control=tor_control,
                          backend=backend or {"backend": STREAM_BACKEND},
                          overrides={**values, **(overrides or {})})


def run_worker(site: SiteConfig, *, redis_url: str, data_dir: Path, job_id: str | None = None,
               via: str | None = None, worker: str | None = None, fresh: bool = False,
               max_pages: int | None = None, **kwargs: Any) -> CrawlSummary:
    """Work on job `job_id` (default: the site's name) until it is finished, then summarise.

    Several workers (processes, machines) may run this at once with the same job and Redis;
    each keeps its evidence and logs under its own `data_dir`. Keyword arguments: those of
    `worker_settings`. Can run once per process.
    """
    job = job_id or site.name
    worker = worker or default_worker_id()
    via = via or site.via
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    settings = worker_settings(site, redis_url=redis_url, data_dir=Path(data_dir), via=via, worker=worker,
                               **kwargs)
    process = CrawlerProcess(settings)
    crawler = Crawler(DistributedMarketSpider, settings, init_reactor=True)
    job_dir = Path(data_dir) / "jobs" / job
    job_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    process.crawl(crawler, site=site, job_dir=job_dir, job_id=job, max_pages=max_pages, fresh=fresh)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return summarise(stats, site=site.name, job_id=job, via=via,
                     resumed=bool(getattr(crawler.spider, "resumed", False)),
                     elapsed=time.monotonic() - started)
