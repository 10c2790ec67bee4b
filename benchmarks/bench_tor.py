"""Tor benchmark (not part of `make test`): time from nothing to the first onion page, and
pages/s crawling the demo market through the private Tor network vs direct over loopback.

    .venv/bin/python benchmarks/bench_tor.py [--pages 200] [--sites mercado,noordzee] [--runs 1]

Each crawl runs the real stack (``crawlers.runner.run_crawl``: MarketSpider, fail-closed
handler, Tor middleware, pipelines into the embedded index) in a child process. Prints a
table and writes benchmarks/results/bench_tor-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITE_FILES = {"mercado": "demo-mercado.yaml", "noordzee": "demo-noordzee.yaml", "forum": "demo-forum.yaml"}


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One crawl in this process (one reactor per process)."""
    from crawlers.runner import run_crawl
    from crawlers.siteconfig import load_site

    site = load_site(ROOT / "config" / "sites" / SITE_FILES[spec["site"]]).with_base_url(spec["base_url"])
    started = time.monotonic()
    summary = run_crawl(site, data_dir=Path(spec["data_dir"]), via=spec["via"], fresh=True,
                        max_pages=spec["pages"], tor_socks=spec.get("socks"), tor_control=spec.get("control"))
    return {"pages": summary.pages, "elapsed_s": time.monotonic() - started,
            "finish_reason": summary.finish_reason, "tor": summary.tor}


def crawl(spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True,
                          text=True, timeout=1800, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="page limit per crawl")
    parser.add_argument("--sites", default="mercado,noordzee")
    parser.add_argument("--runs", type=int, default=1, help="crawls per site and way")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(child(json.loads(args.child))) + "\n")
        return

    from crawlers.tor.testnet import PrivateTorNetwork
    from nachtwacht.demomarket import generate, serve_world

    sites = [s.strip() for s in args.sites.split(",") if s.strip()]
    servers = serve_world(generate(7))
    work = Path(tempfile.mkdtemp(prefix="bench-tor-"))
    rows: list[dict[str, Any]] = []
    try:
        t0 = time.monotonic()
        net = PrivateTorNetwork(work / "net", {name: servers[name].port for name in sites})
        net.start(timeout=300)
        startup = {k: round(v, 1) for k, v in net.timings.items()}
        startup["total"] = round(time.monotonic() - t0, 1)
        try:
            for site in sites:
                for via in ("direct", "tor"):
                    for run in range(args.runs):
                        base = (f"http://{net.onion_address(site)}" if via == "tor"
                                else f"http://127.0.0.1:{servers[site].port}")
                        result = crawl({"site": site, "via": via, "base_url": base, "pages": args.pages,
                                        "data_dir": str(work / f"{site}-{via}-{run}"),
                                        "socks": net.socks_endpoints, "control": net.control_endpoints})
                        result.update(site=site, via=via, run=run,
                                      pages_per_s=round(result["pages"] / result["elapsed_s"], 2))
                        rows.append(result)
        finally:
            net.stop()
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"private Tor network: keys {startup['keys']}s, client bootstrap {startup['bootstrap']}s, "
          f"first onion page {startup['first_onion']}s (from nothing)")
    print(f"{'site':<10} {'via':<7} {'pages':>6} {'seconds':>8} {'pages/s':>8}")
    for site in sites:
        for via in ("direct", "tor"):
            mine = [r for r in rows if r["site"] == site and r["via"] == via]
            pages = statistics.median(r["pages"] for r in mine)
            secs = statistics.median(r["elapsed_s"] for r in mine)
            rate = statistics.median(r["pages_per_s"] for r in mine)
            print(f"{site:<10} {via:<7} {pages:>6.0f} {secs:>8.1f} {rate:>8.2f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"bench_tor-{stamp}.json").write_text(json.dumps({"startup": startup, "crawls": rows}, indent=2))


if __name__ == "__main__":
    main()
