"""Onion discovery: record every valid v3 onion a crawl sees, where and when, for review or follow.

Only addresses whose v3 checksum holds reach here (`extractors` validates them). Each address
gets a status: `queued` (waits for an analyst), `follow` (inside the declaring job's scope: the
job layer creates a crawl job for it), `followed` (that job exists), or `ignored`. The store is
`<data_dir>/discovery.sqlite`, shared by every job; the crawl process writes, the CLI reads.
"""

from __future__ import annotations

import fnmatch
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from extractors.model import utcnow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["DISCOVERY_FILE", "DiscoveryPipeline", "DiscoveryStore", "in_scope"]

DISCOVERY_FILE = "discovery.sqlite"
STATUSES = ("queued", "follow", "followed", "ignored")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS onions (
    address TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    sightings INTEGER NOT NULL DEFAULT 0,
    first_url TEXT NOT NULL,
    first_site TEXT NOT NULL,
    first_job TEXT NOT NULL,
    job TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sightings (
    address TEXT NOT NULL,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    job_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (address, url)
);
"""


def in_scope(address: str, patterns: Iterable[str]) -> bool:
    """True when the onion host matches one of the fnmatch patterns (`*.onion`, an address)."""
    host = address.lower()
    return any(fnmatch.fnmatchcase(host, p.lower()) or fnmatch.fnmatchcase(host, p.lower() + ".onion")
               for p in patterns)


class DiscoveryStore:
    """The discovered onions of one data directory."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / DISCOVERY_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def record(self, addresses: Iterable[str], *, url: str, site: str, job_id: str,
               mode: str = "review", scope: Iterable[str] = ()) -> list[str]:
        """Record onions seen on `url`; returns the ones never seen before.

        `mode` is the job's discovery mode: `off` records nothing, `follow` marks new in-scope
        addresses `follow`, anything else queues them for review.
        """
        if mode == "off":
            return []
        scope = list(scope)
        now = utcnow().isoformat()
        new = []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for address in dict.fromkeys(a.lower() for a in addresses):
                status = "follow" if mode == "follow" and in_scope(address, scope) else "queued"
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO onions(address, status, first_seen, last_seen, first_url, "
                    "first_site, first_job) VALUES (?,?,?,?,?,?,?)",
                    (address, status, now, now, url, site, job_id))
                if cur.rowcount:
                    new.append(address)
                seen = self._db.execute("INSERT OR IGNORE INTO sightings(address, url, site, job_id, "
                                        "seen_at) VALUES (?,?,?,?,?)", (address, url, site, job_id, now))
                if seen.rowcount:
                    self._db.execute("UPDATE onions SET last_seen=?, sightings=sightings+1 WHERE address=?",
                                     (now, address))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return new

    def onions(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM onions" + (" WHERE status=?" if status else "") + " ORDER BY first_seen, address"
        return [dict(r) for r in self._db.execute(sql, (status,) if status else ())]

    def sightings(self, address: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT url, site, job_id, seen_at FROM sightings WHERE address=? "
                                "ORDER BY seen_at, url", (address.lower(),))
        return [dict(r) for r in rows]

    def set_status(self, address: str, status: str, job: str = "") -> bool:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        cur = self._db.execute("UPDATE onions SET status=?, job=? WHERE address=?",
                               (status, job, address.lower()))
        return bool(cur.rowcount)


class DiscoveryPipeline:
    """Item pipeline (after extraction, before indexing): record the onions each page or message
    mentions, other than the page's own host. Settings: `NACHTWACHT_DISCOVERY` (review | follow
    | off) and `NACHTWACHT_DISCOVERY_SCOPE` (host patterns for `follow`)."""

    def __init__(self, crawler: Crawler, data_dir: Path, mode: str, scope: list[str]):
        self.crawler = crawler
        self.data_dir = data_dir
        self.mode = mode
        self.scope = scope
        self.store: DiscoveryStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryPipeline:
        mode = crawler.settings.get("NACHTWACHT_DISCOVERY", "review")
        if mode == "off":
            raise NotConfigured("NACHTWACHT_DISCOVERY=off")
        data_dir = crawler.settings.getdict("NACHTWACHT_BACKEND").get("data_dir")
        if not data_dir:
            raise NotConfigured("no data directory to keep discovered onions in")
        return cls(crawler, Path(data_dir), mode, crawler.settings.getlist("NACHTWACHT_DISCOVERY_SCOPE"))

    def open_spider(self) -> None:
        self.store = DiscoveryStore(self.data_dir)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        onions, url, site = _onions_of(item)
        own = urlsplit(url).hostname or ""
        found = [o for o in onions if o != own]
        if found and self.store is not None:
            spider = self.crawler.spider
            new = self.store.record(found, url=url, site=site, job_id=getattr(spider, "job_id", ""),
                                    mode=self.mode, scope=self.scope)
            self.crawler.stats.inc_value("discovery/onions_seen", len(found))
            self.crawler.stats.inc_value("discovery/onions_new", len(new))
        return item


def _onions_of(item: Any) -> tuple[list[str], str, str]:
    """(onion hosts, url, site) of a crawled page (after extraction) or of a channel message."""
    from crawlers.items import CrawledPage
    from extractors.model import Post

    if isinstance(item, CrawledPage) and item.extraction is not None:
        return [m.value for m in item.extraction.entities.onions], item.page.url, item.page.site
    if isinstance(item, Post) and not item.deleted:
        return [m.value for m in item.entities.onions], item.url, item.site
    return [], "", ""
