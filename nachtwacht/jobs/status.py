"""Live counters of a running job: the worker writes `<job_dir>/status.json` about once a second.

The file is replaced atomically, so a reader sees the previous or the next snapshot, never half
of one. Frontier counts are read from the job's `frontier.sqlite` (read-only, WAL readers do not
block the crawl).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from nachtwacht.jobs.store import now_iso

__all__ = ["StatusWriter", "counters", "frontier_counts", "read_status"]

STATUS_FILE = "status.json"


def counters(stats: dict[str, Any]) -> dict[str, Any]:
    """The job counters from a Scrapy stats snapshot (keys `component/event`)."""

    def group(prefix: str) -> dict[str, int]:
        return {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix)}

    return {
        "pages": int(stats.get("crawl/pages", 0)),
        "listings": int(stats.get("index/listings", 0)),
        "posts": int(stats.get("index/posts", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "bytes": int(stats.get("downloader/response_bytes", 0)),
        "errors": group("crawl/error/"),
        "traps": int(stats.get("crawl/trap_skipped", 0)),
        "deferred_by_page_limit": int(stats.get("crawl/deferred_by_page_limit", 0)),
        "onions_discovered": int(stats.get("discovery/onions_new", 0)),
        "channel_messages": int(stats.get("telegram/messages", 0)),
        "tor": group("tor/"),
    }


class StatusWriter:
    """Progress callback of a job's crawl: `writer(site, stats)` rewrites the status file."""

    def __init__(self, job_dir: Path, run_id: int):
        self.path = Path(job_dir) / STATUS_FILE
        self.run_id = run_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.last_stats: dict[str, Any] = {}

    def __call__(self, site: str, stats: dict[str, Any]) -> None:
        self.last_stats = stats
        self.write({"site": site, "phase": "crawling", **counters(stats)})

    def write(self, data: dict[str, Any]) -> None:
        data = {"run_id": self.run_id, "pid": os.getpid(), "updated_at": now_iso(), **data}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
        os.replace(tmp, self.path)


def read_status(job_dir: Path) -> dict[str, Any]:
    """The last snapshot written, or {} before the first one."""
    try:
        return json.loads((Path(job_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def frontier_counts(job_dir: Path) -> dict[str, int]:
    """URLs per state (pending, done, skipped, trap, failed) in the job's frontier; {} if none yet."""
    path = Path(job_dir) / "frontier.sqlite"
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return dict(db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return {}
