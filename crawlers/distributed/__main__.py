"""`python -m crawlers.distributed worker|writer|status`: the processes of a distributed job.

    worker SITE.yaml --redis URL [--job J] --data-dir D [--via tor|direct] [--base-url U]
           [--tor-socks H:P ...] [--worker NAME] [--fresh] [--lease S] [--set NAME=VALUE ...]
    writer --redis URL --job J --data-dir D      (single writer into the embedded index there)
    status --redis URL --job J

Each prints one JSON line on stdout when done; errors are one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from crawlers.exceptions import CrawlError


def _pairs(values: list[str] | None) -> dict[str, str]:
    out = {}
    for value in values or []:
        name, sep, val = value.partition("=")
        if not sep:
            raise CrawlError(f"--set expects NAME=VALUE, got {value!r}")
        out[name.strip()] = val
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawlers.distributed", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="crawl a shared job until it is finished")
    worker.add_argument("site")
    writer = sub.add_parser("writer", help="the single index writer of a job")
    status = sub.add_parser("status", help="the job's queue, leases and workers")
    for p in (worker, writer, status):
        p.add_argument("--redis", required=True)
        p.add_argument("--job", default="")
    for p in (worker, writer):
        p.add_argument("--data-dir", required=True, type=Path)
    worker.add_argument("--via", choices=("tor", "direct"))
    worker.add_argument("--base-url")
    worker.add_argument("--tor-socks", action="append")
    worker.add_argument("--worker")
    worker.add_argument("--fresh", action="store_true")
    worker.add_argument("--lease", type=float)
    worker.add_argument("--max-pages", type=int)
    worker.add_argument("--set", action="append", dest="settings")
    writer.add_argument("--timeout", type=float)
    args = parser.parse_args(argv)
    try:
        if args.command == "worker":
            from crawlers.distributed.worker import run_worker
            from crawlers.siteconfig import load_site

            site = load_site(args.site)
            if args.base_url:
                site = site.with_base_url(args.base_url)
            summary = run_worker(site, redis_url=args.redis, data_dir=args.data_dir, job_id=args.job or None,
                                 via=args.via, worker=args.worker, fresh=args.fresh, max_pages=args.max_pages,
                                 tor_socks=args.tor_socks, lease=args.lease, overrides=_pairs(args.settings))
            result = summary.to_dict()
        elif args.command == "writer":
            from crawlers.distributed.writer import StreamWriter

            if not args.job:
                raise CrawlError("writer: --job is required")
            writer_ = StreamWriter(args.redis, args.job, {"backend": "embedded", "data_dir": str(args.data_dir)})
            result = asdict(writer_.run(timeout=args.timeout))
        else:
            from crawlers.distributed.frontier import RedisFrontier

            frontier = RedisFrontier(args.redis, args.job, worker="status")
            result = {**asdict(frontier.status()), "counts": frontier.counts()}
    except CrawlError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
