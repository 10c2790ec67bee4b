"""Crawl throughput over loopback: the full pipeline vs a bare Scrapy spider on the same pages.

    .venv/bin/python benchmarks/bench_crawl.py [--site noordzee] [--concurrency 8] [--json OUT]

Rows (each crawl in its own process, one Twisted reactor each; the demo site is served by
``DemoServer`` in this process):
- ``full``: ``crawlers.runner.run_crawl`` via direct: spider + frontier + WARC evidence +
  extraction + embedded index, following links as in production.
- ``bare``: stock Scrapy (default handler, no middlewares of ours, no pipeline) fetching the
  exact URL list the full crawl fetched, at the same concurrency. Its rate is the baseline.
- ``rss32``: peak RSS (``wait4``) of the full crawl at 32 concurrent requests, next to the
  bare spider's at 32.
Prints one JSON object (``--json`` also writes it to a file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = {"noordzee": "demo-noordzee.yaml", "mercado": "demo-mercado.yaml", "forum": "demo-forum.yaml"}


# --- child processes ----------------------------------------------------------------------------
class CrawlClock:
    """Extension (loaded as ``__main__.CrawlClock`` in a child): times the first to the last response.

    Process start, imports and the spider opening are excluded: the steady crawl rate is what a
    long crawl sees. Writes ``{"responses", "first", "last"}`` to ``NACHTWACHT_BENCH_CLOCK``.
    """

    def __init__(self, path: str):
        self.path = path
        self.times: list[float] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlClock:
        from scrapy import signals

        clock = cls(crawler.settings.get("NACHTWACHT_BENCH_CLOCK"))
        crawler.signals.connect(clock.response, signal=signals.response_received)
        crawler.signals.connect(clock.closed, signal=signals.spider_closed)
        return clock

    def response(self, **_: Any) -> None:
        self.times.append(time.monotonic())

    def closed(self, spider: Any, **_: Any) -> None:
        self.times.append(time.monotonic())  # items of the last response are processed by now
        path = Path(self.path)
        per_spider = json.loads(path.read_text()) if path.exists() else {}  # crawlers of one process
        per_spider[getattr(spider, "job_id", spider.name)] = [len(self.times) - 1, self.times[0], self.times[-1]]
        responses = sum(v[0] for v in per_spider.values())
        first, last = min(v[1] for v in per_spider.values()), max(v[2] for v in per_spider.values())
        path.write_text(json.dumps({**per_spider, "responses": responses, "steady_s": last - first}))


def _clocked(settings: dict[str, Any], out: str) -> dict[str, Any]:
    extensions = dict(settings.get("EXTENSIONS", {}))
    extensions["__main__.CrawlClock"] = 0
    return {**settings, "EXTENSIONS": extensions, "NACHTWACHT_BENCH_CLOCK": out}


def _warm_extraction() -> None:
    """Load the extraction models before the clock starts (a long-running worker has them)."""
    from extractors import extract_html

    extract_html(b"<html><body><h1>Cocaine 1g</h1><p>Prix: 50 EUR, livraison rapide</p></body></html>")


def child_full(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the real crawl stack once (direct); returns its summary."""
    from crawlers.runner import run_crawl
    from crawlers.siteconfig import load_site

    site = load_site(spec["site_config"]).with_base_url(spec["base_url"])
    if spec.get("warm", True):
        _warm_extraction()
    clock = spec["data_dir"] + "/clock.json"
    overrides = {"CONCURRENT_REQUESTS": spec["concurrency"],
                 "CONCURRENT_REQUESTS_PER_DOMAIN": spec["concurrency"], "LOG_LEVEL": "WARNING",
                 **spec.get("settings", {})}
    from crawlers import settings as project

    overrides = _clocked({"EXTENSIONS": project.EXTENSIONS, **overrides}, clock)
    summary = run_crawl(site, data_dir=Path(spec["data_dir"]), via=spec.get("via", "direct"),
                        fresh=True, overrides=overrides,
                        tor_socks=spec.get("tor_socks"), max_pages=spec.get("max_pages"))
    return {**summary.to_dict(), **json.loads(Path(clock).read_text())}


def child_bare(spec: dict[str, Any]) -> dict[str, Any]:
    """Stock Scrapy fetching a fixed URL list, nothing else. Returns pages and elapsed seconds."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls: list[str] = spec["urls"]
    counts = {"pages": 0, "bytes": 0}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[override]
            for url in urls:
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
    process.crawl(Bare)
    started = time.monotonic()
    process.start()
    steady = json.loads(Path(clock).read_text())
    os.unlink(clock)
    return {"pages": counts["pages"], "bytes": counts["bytes"], "elapsed_s": time.monotonic() - started,
            **steady}


def run_child(mode: str, spec: dict[str, Any], timeout: float = 900) -> tuple[dict[str, Any], int]:
    """Run `mode` in a fresh interpreter; returns (its JSON result, its peak RSS in KiB)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    out = fh.name + ".out"
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode, fh.name, out], cwd=ROOT)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{mode} crawl took longer than {timeout}s")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} child failed with {proc.returncode}")
    result = json.loads(Path(out).read_text())
    os.unlink(fh.name)
    os.unlink(out)
    return result, usage.ru_maxrss


# --- the benchmark -----------------------------------------------------------------------------
def measure(site_name: str, concurrency: int, repeat: int = 1) -> dict[str, Any]:
    from nachtwacht.demomarket import DemoServer, generate

    world = generate(7)
    config = str(ROOT / "config" / "sites" / SITES[site_name])
    results: dict[str, Any] = {"site": site_name, "concurrency": concurrency, "cores": os.cpu_count()}
    with DemoServer(world.sites[site_name]) as server:
        base = server.base_url
        full_rates, bare_rates = [], []
        urls: list[str] = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="nw-bench-crawl-") as data:
                server.hits.clear()
                summary, rss_full = run_child("full", {"site_config": config, "base_url": base,
                                                        "data_dir": data, "concurrency": concurrency})
                urls = [base + path for path in server.hits]
                full_rates.append(summary["responses"] / summary["steady_s"])
            bare, rss_bare = run_child("bare", {"urls": urls, "concurrency": concurrency})
            bare_rates.append(bare["responses"] / bare["steady_s"])
        results["full"] = {"pages": summary["pages"], "fetched": len(urls), "elapsed_s": summary["elapsed_s"],
                           "steady_s": round(summary["steady_s"], 2),
                           "pages_per_s": round(max(full_rates), 1), "listings": summary["listings"],
                           "rss_mib": round(rss_full / 1024)}
        results["bare"] = {"pages": bare["pages"], "elapsed_s": round(bare["elapsed_s"], 2),
                           "steady_s": round(bare["steady_s"], 2),
                           "pages_per_s": round(max(bare_rates), 1), "rss_mib": round(rss_bare / 1024)}
        results["full_vs_bare"] = round(max(full_rates) / max(bare_rates), 3)
        with tempfile.TemporaryDirectory(prefix="nw-bench-crawl-") as data:
            summary32, rss32 = run_child("full", {"site_config": config, "base_url": base,
                                                  "data_dir": data, "concurrency": 32})
        _, rss_bare32 = run_child("bare", {"urls": urls, "concurrency": 32})
        results["rss32"] = {"full_mib": round(rss32 / 1024), "bare_mib": round(rss_bare32 / 1024),
                            "pages": summary32["pages"],
                            "pages_per_s": round(summary32["responses"] / summary32["steady_s"], 1)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="noordzee", choices=sorted(SITES))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each")
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, spec_path, out = args.child
        spec = json.loads(Path(spec_path).read_text())
        result = {"full": child_full, "bare": child_bare}[mode](spec)
        Path(out).write_text(json.dumps(result))
        return 0
    results = measure(args.site, args.concurrency, args.repeat)
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).write_text(text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
