"""Crawl throughput over loopback: the full pipeline vs a bare Scrapy spider on the same pages.

    .venv/bin/python benchmarks/bench_crawl.py [--site noordzee] [--sites 10] [--concurrency 8]
        [--workers 0,1,2] [--json OUT]

One demo site is ~180 pages (0.2 s of bare crawl: fixed costs would dominate), so a run crawls
``--sites`` generated copies of it (seeds 7, 8, ...; each on its own ``DemoServer`` in this
process), all at once in one crawl process, as a multi-site job does in production.
Rows (each crawl in its own process, one Twisted reactor each):
- ``full``: ``crawlers.runner.run_crawls`` via direct, one job per site: spider + frontier + WARC
  evidence + extraction + embedded index, following links as in production, with
  ``NACHTWACHT_EXTRACT_WORKERS=--extract-workers`` ("auto", the project default: 1 worker on >= 2
  cores) and the default index writer (``NACHTWACHT_INDEX_WRITER=auto``: a child process on >= 2
  cores); ``by_workers`` repeats it with each of ``--workers``.
- ``bare``: stock Scrapy (default handler, no middlewares of ours, no pipeline), one spider per
  site in one process, fetching the exact URL list the full crawl fetched from that site, at the
  same concurrency per site. Its rate is the baseline.
- ``rss32``: peak RSS (``wait4``: the largest process of the crawl, its workers included) of
  a full crawl of one site at 32 concurrent requests, next to the bare spider's at 32;
  ``full_main_mib`` is the crawl process alone.
``main_cpu_ms_per_page``: CPU of the crawl process (all its threads; not the extraction workers nor
the index writer) from the first to the last response, per response; ``main_gc_ms_per_page`` the part
of it in Python's garbage collector (the crawl freezes its startup objects: ``crawlers/gcpolicy.py``).
Prints one JSON object (``--json`` also writes it to a file).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _child  # noqa: E402  (after the path: benchmarks run as scripts)

SITES = {"noordzee": "demo-noordzee.yaml", "mercado": "demo-mercado.yaml", "forum": "demo-forum.yaml"}


# --- child processes ----------------------------------------------------------------------------
class _GcClock:
    """Seconds this process spent in the garbage collector since `start` (one per process)."""

    seconds = 0.0
    _began = 0.0
    _installed = False

    @classmethod
    def start(cls) -> None:
        import gc

        if not cls._installed:
            cls._installed = True
            gc.callbacks.append(cls._tick)

    @classmethod
    def _tick(cls, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            cls._began = time.perf_counter()
        else:
            cls.seconds += time.perf_counter() - cls._began


class CrawlClock:
    """Extension (loaded as ``__main__.CrawlClock`` in a child): times the first to the last response.

    Process start, imports and the spider opening are excluded: the steady crawl rate is what a
    long crawl sees. Writes ``{"responses", "first", "last"}`` to ``NACHTWACHT_BENCH_CLOCK``.
    """

    def __init__(self, path: str):
        self.path = path
        self.times: list[float] = []
        self.cpu = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlClock:
        from scrapy import signals

        clock = cls(crawler.settings.get("NACHTWACHT_BENCH_CLOCK"))
        crawler.signals.connect(clock.response, signal=signals.response_received)
        crawler.signals.connect(clock.closed, signal=signals.spider_closed)
        return clock

    def response(self, **_: Any) -> None:
        if not self.times:
            self.cpu = time.process_time()
            _GcClock.start()
        self.times.append(time.monotonic())

    def closed(self, spider: Any, **_: Any) -> None:
        self.times.append(time.monotonic())  # items of the last response are processed by now
        path = Path(self.path)
        per_spider = json.loads(path.read_text())["crawlers"] if path.exists() else {}  # of one process
        cpu = time.process_time()  # this process, all its threads (not the extraction workers)
        per_spider[getattr(spider, "job_id", spider.name)] = [len(self.times) - 1, self.times[0], self.times[-1],
                                                              self.cpu, cpu]
        responses = sum(v[0] for v in per_spider.values())
        first, last = min(v[1] for v in per_spider.values()), max(v[2] for v in per_spider.values())
        cpu_s = max(v[4] for v in per_spider.values()) - min(v[3] for v in per_spider.values())
        import resource

        main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB; extraction workers not counted
        path.write_text(json.dumps({"crawlers": per_spider, "responses": responses, "steady_s": last - first,
                                    "main_cpu_s": round(cpu_s, 2), "main_gc_s": round(_GcClock.seconds, 3),
                                    "main_rss_mib": round(main_rss / 1024)}))


def _clocked(settings: dict[str, Any], out: str) -> dict[str, Any]:
    extensions = dict(settings.get("EXTENSIONS", {}))
    extensions["__main__.CrawlClock"] = 0
    return {**settings, "EXTENSIONS": extensions, "NACHTWACHT_BENCH_CLOCK": out}


def _warm_extraction() -> None:
    """Load the extraction models before the clock starts (a long-running worker has them)."""
    from extractors import extract_html

    extract_html(b"<html><body><h1>Cocaine 1g</h1><p>Prix: 50 EUR, livraison rapide</p></body></html>")


def child_full(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the real crawl stack once (direct), one job per base URL; returns the summed summary."""
    from crawlers.runner import CrawlJob, run_crawls
    from crawlers.siteconfig import load_site

    site = load_site(spec["site_config"])
    jobs = [CrawlJob(site=site.with_base_url(base), job_id=f"{site.name}-{i}", via=spec.get("via", "direct"),
                     max_pages=spec.get("max_pages"), fresh=True)
            for i, base in enumerate(spec["base_urls"])]
    if spec.get("warm", False):  # ExtractPipeline.open_spider warms the models (here or in its workers)
        _warm_extraction()
    clock = spec["data_dir"] + "/clock.json"
    overrides = {"CONCURRENT_REQUESTS": spec["concurrency"],
                 "CONCURRENT_REQUESTS_PER_DOMAIN": spec["concurrency"], "LOG_LEVEL": "WARNING",
                 **spec.get("settings", {})}
    from crawlers import settings as project

    overrides = _clocked({"EXTENSIONS": project.EXTENSIONS, **overrides}, clock)
    summaries = run_crawls(jobs, data_dir=Path(spec["data_dir"]), overrides=overrides,
                           tor_socks=spec.get("tor_socks"))
    total = {key: sum(s.to_dict()[key] for s in summaries) for key in ("pages", "listings")}
    return {**total, "elapsed_s": max(s.elapsed_s for s in summaries), **json.loads(Path(clock).read_text())}


def child_bare(spec: dict[str, Any]) -> dict[str, Any]:
    """Stock Scrapy, one spider per URL list (all in one process), nothing else.

    Returns pages and elapsed seconds."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    counts = {"pages": 0, "bytes": 0}

    class Bare(scrapy.Spider):
        name = "bare"
        urls: list[str]

        async def start(self):  # type: ignore[override]
            for url in self.urls:
                yield scrapy.Request(url, dont_filter=True, callback=self.parse, errback=self.failed,
                                     meta={"dont_redirect": True, "handle_httpstatus_all": True})

        def parse(self, response: Any) -> None:
            counts["pages"] += 1
            counts["bytes"] += len(response.body)

        def failed(self, failure: Any) -> None:
            counts["pages"] += 1

    settings = {"CONCURRENT_REQUESTS": spec["concurrency"],
                "CONCURRENT_REQUESTS_PER_DOMAIN": spec["concurrency"], "LOG_LEVEL": "WARNING",
                "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False,
                "DOWNLOAD_MAXSIZE": 5_000_000, "COOKIES_ENABLED": False,
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                **spec.get("settings", {})}
    clock = tempfile.mktemp(suffix=".json")
    process = CrawlerProcess(_clocked({**settings, "LOG_INSTALL_ROOT_HANDLER": False}, clock))
    for i, urls in enumerate(spec["url_lists"]):
        process.crawl(Bare, urls=urls, job_id=f"bare-{i}")
    started = time.monotonic()
    process.start()
    steady = json.loads(Path(clock).read_text())
    os.unlink(clock)
    return {"pages": counts["pages"], "bytes": counts["bytes"], "elapsed_s": time.monotonic() - started,
            **steady}


def run_child(mode: str, spec: dict[str, Any], timeout: float = 900) -> tuple[dict[str, Any], int]:
    """Run `mode` in a fresh interpreter; returns (its JSON result, its peak RSS in KiB)."""
    result, usage = _child.run_child(__file__, mode, spec, cwd=ROOT, timeout=timeout)
    return result, usage.ru_maxrss


# --- the benchmark -----------------------------------------------------------------------------
def _full(config: str, servers: list[Any], data: str, concurrency: int,
          settings: dict[str, Any] | None = None) -> tuple[dict[str, Any], int, list[list[str]]]:
    """One full crawl of every server's site; (summary, peak RSS KiB, URL list fetched per site)."""
    for server in servers:
        server.hits.clear()
    summary, rss = run_child("full", {"site_config": config, "base_urls": [s.base_url for s in servers],
                                      "data_dir": data, "concurrency": concurrency, "settings": settings or {}})
    return summary, rss, [[server.base_url + path for path in server.hits] for server in servers]


def measure(site_name: str, concurrency: int, repeat: int = 1, sites: int = 10,
            workers: list[str] | None = None, extract_workers: str = "auto") -> dict[str, Any]:
    from nachtwacht.demomarket import DemoServer, generate

    config = str(ROOT / "config" / "sites" / SITES[site_name])
    results: dict[str, Any] = {"site": site_name, "sites": sites, "concurrency": concurrency,
                               "cores": os.cpu_count(), "extract_workers": extract_workers,
                               "index_writer": "auto"}  # the project default (crawlers/settings.py)
    full_settings = {"NACHTWACHT_EXTRACT_WORKERS": extract_workers}
    servers = [DemoServer(generate(7 + i).sites[site_name]) for i in range(sites)]
    for server in servers:
        server.start()
    try:
        full_rates, bare_rates = [], []
        url_lists: list[list[str]] = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="nw-bench-crawl-") as data:
                summary, rss_full, url_lists = _full(config, servers, data, concurrency, full_settings)
                full_rates.append(summary["responses"] / summary["steady_s"])
            bare, rss_bare = run_child("bare", {"url_lists": url_lists, "concurrency": concurrency})
            bare_rates.append(bare["responses"] / bare["steady_s"])
        fetched = sum(len(urls) for urls in url_lists)
        results["full"] = {"pages": summary["pages"], "fetched": fetched, "elapsed_s": summary["elapsed_s"],
                           "steady_s": round(summary["steady_s"], 2),
                           "pages_per_s": round(max(full_rates), 1), "listings": summary["listings"],
                           "rss_mib": round(rss_full / 1024), "main_rss_mib": summary["main_rss_mib"],
                           "main_cpu_ms_per_page": round(1000 * summary["main_cpu_s"] / summary["responses"], 2),
                           "main_gc_ms_per_page": round(1000 * summary["main_gc_s"] / summary["responses"], 3)}
        results["bare"] = {"pages": bare["pages"], "elapsed_s": round(bare["elapsed_s"], 2),
                           "steady_s": round(bare["steady_s"], 2),
                           "pages_per_s": round(max(bare_rates), 1), "rss_mib": round(rss_bare / 1024),
                           "main_cpu_ms_per_page": round(1000 * bare["main_cpu_s"] / bare["responses"], 2),
                           "main_gc_ms_per_page": round(1000 * bare["main_gc_s"] / bare["responses"], 3)}
        # Each full run is paired with the bare run right after it: the machine's speed drifts by
        # up to 1.8x between minutes here, and a pair sees (nearly) the same machine. The median
        # of the pairs is the figure; best-of-each is kept for comparison.
        pairs = [full / bare for full, bare in zip(full_rates, bare_rates, strict=True)]
        results["full_vs_bare"] = round(statistics.median(pairs), 3)
        results["full_vs_bare_runs"] = [round(r, 3) for r in pairs]
        results["full_vs_bare_best"] = round(max(full_rates) / max(bare_rates), 3)
        for count in workers or []:
            rates = []
            for _ in range(repeat):
                with tempfile.TemporaryDirectory(prefix="nw-bench-crawl-") as data:
                    run, rss, _ = _full(config, servers, data, concurrency,
                                        {"NACHTWACHT_EXTRACT_WORKERS": count})
                rates.append(run["responses"] / run["steady_s"])
            results.setdefault("by_workers", {})[str(count)] = {
                "pages_per_s": round(max(rates), 1), "vs_bare": round(max(rates) / max(bare_rates), 3),
                "listings": run["listings"], "pages": run["pages"], "rss_mib": round(rss / 1024),
                "main_rss_mib": run["main_rss_mib"],
                "main_cpu_ms_per_page": round(1000 * run["main_cpu_s"] / run["responses"], 2)}
        with tempfile.TemporaryDirectory(prefix="nw-bench-crawl-") as data:
            summary32, rss32, urls32 = _full(config, servers[:1], data, 32, full_settings)
        _, rss_bare32 = run_child("bare", {"url_lists": urls32, "concurrency": 32})
        results["rss32"] = {"full_mib": round(rss32 / 1024), "bare_mib": round(rss_bare32 / 1024),
                            "full_main_mib": summary32["main_rss_mib"],
                            "pages": summary32["pages"],
                            "pages_per_s": round(summary32["responses"] / summary32["steady_s"], 1)}
    finally:
        for server in servers:
            server.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="noordzee", choices=sorted(SITES))
    parser.add_argument("--sites", type=int, default=10, help="generated copies of the site crawled at once")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests per site")
    parser.add_argument("--extract-workers", default="auto",
                        help="NACHTWACHT_EXTRACT_WORKERS of the full and rss32 rows (a production setting)")
    parser.add_argument("--workers", default="", help="also measure these extraction worker counts, e.g. 0,1,2")
    parser.add_argument("--repeat", type=int, default=1,
                        help="N interleaved full/bare pairs: rates are the best of N, the ratio the median pair")
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, spec_path, out = args.child
        spec = json.loads(Path(spec_path).read_text())
        profile = os.environ.get("NACHTWACHT_BENCH_PROFILE")  # cProfile of the child, to this file
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            result = profiler.runcall({"full": child_full, "bare": child_bare}[mode], spec)
            profiler.dump_stats(f"{profile}.{mode}")
        else:
            result = {"full": child_full, "bare": child_bare}[mode](spec)
        Path(out).write_text(json.dumps(result))
        return 0
    workers = [w.strip() for w in args.workers.split(",") if w.strip()]
    results = measure(args.site, args.concurrency, args.repeat, args.sites, workers, args.extract_workers)
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).write_text(text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
