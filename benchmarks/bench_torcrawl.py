"""Crawling through the private Tor network: the full pipeline vs curl, and 1/2/4 tor clients.

    .venv/bin/python benchmarks/bench_torcrawl.py [--pages 150] [--clients 1,2,4] [--json OUT]

Starts ``PrivateTorNetwork`` (loopback only, Debian's tor) with the demo market's sites as onion
services and 4 clients, then:
- ``full``: the real crawl stack via Tor client 0 on the Noordzee onion (``--pages`` pages);
- ``curl``: ``curl --socks5-hostname`` through the same client, the same URLs, the same
  concurrency (``--parallel-max``): the network's own rate, the baseline;
- ``clients``: the three demo sites crawled at once in one process, routed over the first
  1, 2 or 4 tor clients (stable hash of the site), pages/s of the whole run.
Both sides are warmed (circuits built) before they are timed.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crawl import CrawlClock, run_child  # noqa: E402,F401  (CrawlClock: loaded by name in children)

SITES = {"noordzee": "demo-noordzee.yaml", "mercado": "demo-mercado.yaml", "forum": "demo-forum.yaml"}


def child_multi(spec: dict[str, Any]) -> dict[str, Any]:
    """Crawl several sites at once through the given tor clients; pages/s of the whole run."""
    from bench_crawl import _clocked, _warm_extraction

    from crawlers import settings as project
    from crawlers.runner import CrawlJob, run_crawls
    from crawlers.siteconfig import load_site

    _warm_extraction()
    clock = spec["data_dir"] + "/clock.json"
    Path(spec["data_dir"]).mkdir(parents=True, exist_ok=True)
    jobs = [CrawlJob(site=load_site(ROOT / "config" / "sites" / SITES[name]).with_base_url(base),
                     via="tor", max_pages=spec["max_pages"], fresh=True)
            for name, base in spec["bases"].items()]
    started = time.monotonic()
    summaries = run_crawls(jobs, data_dir=Path(spec["data_dir"]), tor_socks=spec["tor_socks"],
                           overrides=_clocked({"LOG_LEVEL": "WARNING", "EXTENSIONS": project.EXTENSIONS},
                                              clock))
    elapsed = time.monotonic() - started
    steady = json.loads(Path(clock).read_text())
    pages = sum(s.pages for s in summaries)
    return {"pages": pages, "elapsed_s": round(elapsed, 2), "steady_s": round(steady["steady_s"], 2),
            "pages_per_s": round(steady["responses"] / steady["steady_s"], 1),
            "sites": len(jobs), "tor": [s.tor for s in summaries]}


def curl_rate(urls: list[str], socks: str, concurrency: int) -> dict[str, Any]:
    """Fetch `urls` with curl through a SOCKS5 hostname proxy, `concurrency` transfers at once."""
    with tempfile.NamedTemporaryFile("w", suffix=".curlrc", delete=False) as fh:
        for url in urls:
            fh.write(f'url = "{url}"\noutput = "/dev/null"\n')
    cmd = ["curl", "-s", "-f", "--socks5-hostname", socks, "--parallel", "--parallel-max", str(concurrency),
           "--max-time", "120", "--max-filesize", "5000000", "-w", "%{http_code}\\n", "-K", fh.name]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.monotonic() - started
    os.unlink(fh.name)
    ok = sum(1 for line in proc.stdout.split() if line.startswith(("2", "3")))  # too large: not ok
    return {"pages": len(urls), "ok": ok, "elapsed_s": round(elapsed, 2),
            "pages_per_s": round(len(urls) / elapsed, 1)}


def measure(pages: int, clients: list[int], concurrency: int) -> dict[str, Any]:
    from crawlers.tor.testnet import PrivateTorNetwork
    from nachtwacht.demomarket import generate, serve_world

    world = generate(7)
    servers = dict(serve_world(world))
    results: dict[str, Any] = {"pages": pages, "concurrency": concurrency, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="nw-bench-tor-") as tmp:
        net = PrivateTorNetwork(Path(tmp) / "net", {n: servers[n].port for n in SITES}, clients=max(clients))
        try:
            started = time.monotonic()
            net.start(timeout=300)
            results["network_start_s"] = round(time.monotonic() - started, 1)
            socks = net.socks_endpoints
            bases = {name: f"http://{net.onion_address(name)}" for name in SITES}
            home = bases["noordzee"] + "/"
            curl_rate([home] * concurrency, socks[0], concurrency)  # warm: descriptor + circuits
            noordzee = servers["noordzee"]
            noordzee.hits.clear()
            full, _ = run_child("full", {"site_config": str(ROOT / "config" / "sites" / SITES["noordzee"]),
                                         "base_url": bases["noordzee"], "data_dir": tmp + "/full",
                                         "concurrency": concurrency, "via": "tor", "tor_socks": [socks[0]],
                                         "max_pages": pages}, timeout=1200)
            urls = [bases["noordzee"] + path for path in noordzee.hits]
            results["full"] = {"pages": full["pages"], "responses": full["responses"],
                               "steady_s": round(full["steady_s"], 2),
                               "pages_per_s": round(full["responses"] / full["steady_s"], 1),
                               "tor": full["tor"]}
            results["curl"] = curl_rate(urls, socks[0], concurrency)
            results["full_vs_curl"] = round(results["full"]["pages_per_s"] / results["curl"]["pages_per_s"], 3)
            results["clients"] = {}
            for n in clients:
                res, _ = _multi({"bases": bases, "data_dir": f"{tmp}/multi{n}", "tor_socks": socks[:n],
                                 "max_pages": pages})
                results["clients"][str(n)] = res
        finally:
            net.stop()
            for server in servers.values():
                server.stop()
    return results


def _multi(spec: dict[str, Any]) -> tuple[dict[str, Any], int]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    out = fh.name + ".out"
    subprocess.run([sys.executable, __file__, "--child", "multi", fh.name, out], cwd=ROOT, check=True,
                   timeout=1200)
    result = json.loads(Path(out).read_text())
    os.unlink(fh.name)
    os.unlink(out)
    return result, 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=150, help="pages per site")
    parser.add_argument("--clients", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _, spec_path, out = args.child
        Path(out).write_text(json.dumps(child_multi(json.loads(Path(spec_path).read_text()))))
        return 0
    results = measure(args.pages, [int(c) for c in args.clients.split(",")], args.concurrency)
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).write_text(text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
