"""Distributed crawl throughput: 1 vs 2 worker processes sharing one Redis frontier.

    .venv/bin/python benchmarks/bench_workers.py [--sites noordzee,mercado] [--json OUT]

Per run: a fresh redis-server, the demo sites served on loopback, N ``python -m
crawlers.distributed worker`` processes per site-job plus one ``writer`` per job. Timed from
the first page served to the last worker's exit (process start and model loading before the
first fetch are excluded); pages/s of all sites together.
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


def run(n_workers: int, sites: list[str]) -> dict[str, Any]:
    from crawlers.distributed.redisserver import RedisServer
    from nachtwacht.demomarket import DemoServer, generate

    world = generate(7)
    with tempfile.TemporaryDirectory(prefix="nw-bench-workers-") as tmp, RedisServer(Path(tmp) / "redis") as redis:
        servers = {name: DemoServer(world.sites[name]) for name in sites}
        for server in servers.values():
            server.start()
        procs = []
        try:
            for name, server in servers.items():
                base = [sys.executable, "-m", "crawlers.distributed"]
                common = ["--redis", redis.url, "--job", name]
                for i in range(n_workers):
                    procs.append(subprocess.Popen(
                        [*base, "worker", str(ROOT / "config" / "sites" / SITES[name]), *common, "--via", "direct",
                         "--base-url", server.base_url, "--data-dir", f"{tmp}/{name}-w{i}", "--worker", f"w{i}"],
                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                procs.append(subprocess.Popen([*base, "writer", *common, "--data-dir", f"{tmp}/index-{name}",
                                               "--timeout", "600"],
                                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            while not any(server.hits for server in servers.values()):
                if all(p.poll() is not None for p in procs):
                    raise RuntimeError("workers exited before fetching anything")
                time.sleep(0.01)
            first = time.monotonic()
            codes = [p.wait(timeout=900) for p in procs]
            elapsed = time.monotonic() - first
            if any(codes):
                raise RuntimeError(f"a worker or writer failed: exit codes {codes}")
            pages = sum(len(server.hits) for server in servers.values())
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
            for server in servers.values():
                server.stop()
    return {"pages": pages, "elapsed_s": round(elapsed, 2), "pages_per_s": round(pages / elapsed, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="noordzee")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args()
    sites = [s for s in args.sites.split(",") if s]
    results = {"sites": sites, "cores": os.cpu_count(),
               "workers": {n: run(int(n), sites) for n in args.workers.split(",")}}
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).write_text(text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
