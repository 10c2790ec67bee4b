"""Crash-safe crawl frontier in the job directory (SQLite).

Why not Scrapy's JOBDIR alone: it survives a graceful stop but loses the requests in flight when
the process is killed. Here a URL is `pending` until the page extracted from it is committed to
the index; a checkpoint commits the index first, then marks its URLs `done` in one transaction.
A killed crawl therefore loses nothing; at most the pages since the last checkpoint are fetched
again, and an idempotent upsert keeps the index free of duplicates.

Hooks added with `before_checkpoint` (the evidence store's fsync) run before every commit of the
frontier: a URL is never durably `done` before the evidence written for it is durable. A hook that
raises aborts the checkpoint (the marks stay uncommitted). A terminal failure (`skipped`, `failed`)
is committed at once: it has no evidence to wait for, and a resumed run must not fetch it again.

Runs are grouped in passes: a pass starts with a run that does not resume, and every run that
resumes it belongs to it. `pass_started_at()` is when the current pass began: the evidence captured
since then answers a resumed run's pending requests (crawlers.middlewares.replay).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from extractors.model import utcnow

__all__ = ["TERMINAL_FAILURES", "Frontier", "FrontierEntry", "url_shape"]

_DIGITS = re.compile(r"\d+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    depth INTEGER NOT NULL,
    page_type TEXT,
    parent TEXT,
    chain INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | done | skipped | trap | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    discovered_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS urls_state ON urls(state);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    reason TEXT,
    resumed INTEGER NOT NULL DEFAULT 0      -- 1: the run resumed an interrupted pass
);
"""
TERMINAL_FAILURES = frozenset({"skipped", "failed"})


def url_shape(url: str) -> str:
    """The shape of a URL: host and path with digit runs folded, sorted query keys.

    `/agenda/2031/7` and `/agenda/2032/1` share a shape; a calendar trap is a long chain of one shape.
    """
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.hostname}{_DIGITS.sub('#', parts.path)}?{'&'.join(keys)}"


@dataclass(frozen=True, slots=True)
class FrontierEntry:
    url: str
    depth: int
    page_type: str | None
    chain: int


class Frontier:
    """The URLs of one crawl job and their state. One writer: the crawl process."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
        if "resumed" not in columns:  # a frontier from before passes were recorded
            self._db.execute("ALTER TABLE runs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0")
        self._db.execute("BEGIN")
        self._hooks: list[Callable[[], None]] = []
        self._shape_counts = self._count_shapes()

    def _count_shapes(self) -> Counter[str]:
        """URLs known per shape, as the trap guard counts them."""
        return Counter(url_shape(url) for (url,) in self._db.execute("SELECT url FROM urls"))

    # --- runs ------------------------------------------------------------------------------
    def begin_run(self, *, fresh: bool = False) -> bool:
        """Start a run. Returns True when it resumes an interrupted one (pending URLs left).

        A new run after a finished one re-checks every page: states go back to pending.
        """
        pending = self.count("pending")
        resumed = pending > 0 and not fresh
        if not resumed:
            self._db.execute("UPDATE urls SET state='pending', attempts=0, error=NULL, done_at=NULL "
                             "WHERE state IN ('done', 'failed')")
            self._db.execute("DELETE FROM urls WHERE depth > 0")
            self._shape_counts = self._count_shapes()
        # microseconds: captures of a pass are told from those of a run that ended a moment before
        self._db.execute("INSERT INTO runs(started_at, resumed) VALUES (?, ?)",
                         (datetime.now(UTC).isoformat(), int(resumed)))
        self.checkpoint()
        return resumed

    def pass_started_at(self) -> datetime | None:
        """When the current pass began: the start of the latest run that did not resume (UTC).

        None before the first run. A frontier written before passes were recorded counts every run
        as a fresh one, so its pass is the latest run alone.
        """
        row = self._db.execute("SELECT started_at FROM runs WHERE resumed=0 ORDER BY id DESC LIMIT 1"
                               ).fetchone()
        if row is None:
            return None
        moment = datetime.fromisoformat(row[0])
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def end_run(self, reason: str) -> None:
        self._db.execute(
            "UPDATE runs SET finished_at=?, reason=? WHERE id=(SELECT MAX(id) FROM runs)",
            (utcnow().isoformat(), reason),
        )
        self.checkpoint()

    # --- URLs ------------------------------------------------------------------------------
    def add(self, url: str, *, depth: int, page_type: str | None = None, parent: str | None = None,
            chain: int = 0, state: str = "pending") -> bool:
        """Record a discovered URL. Returns False when it was already known."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO urls(url, depth, page_type, parent, chain, state, discovered_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (url, depth, page_type, parent, chain, state, utcnow().isoformat()),
        )
        if cur.rowcount:
            self._shape_counts[url_shape(url)] += 1
            return True
        return False

    def shape_count(self, url: str) -> int:
        return self._shape_counts.get(url_shape(url), 0)

    def get(self, url: str) -> FrontierEntry | None:
        row = self._db.execute("SELECT url, depth, page_type, chain FROM urls WHERE url=?", (url,)).fetchone()
        return FrontierEntry(*row) if row else None

    def pending(self) -> Iterator[FrontierEntry]:
        rows = self._db.execute(
            "SELECT url, depth, page_type, chain FROM urls WHERE state='pending' ORDER BY depth, rowid"
        ).fetchall()
        return (FrontierEntry(*row) for row in rows)

    def mark(self, urls: Iterable[str], state: str, error: str | None = None) -> None:
        """Set the state of `urls`. `done` waits for the next checkpoint; a terminal failure
        (`skipped`, `failed`) is checkpointed at once (hooks first, as always)."""
        now = utcnow().isoformat()
        self._db.executemany(
            "UPDATE urls SET state=?, error=?, done_at=?, attempts=attempts+1 WHERE url=?",
            [(state, error, now, url) for url in urls],
        )
        if state in TERMINAL_FAILURES:
            self.checkpoint()

    def count(self, state: str | None = None) -> int:
        if state is None:
            return self._db.execute("SELECT COUNT(*) FROM urls").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM urls WHERE state=?", (state,)).fetchone()[0]

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())

    def before_checkpoint(self, hook: Callable[[], None]) -> None:
        """Run `hook` before each checkpoint (e.g. fsync the evidence the marked pages point at)."""
        if hook not in self._hooks:
            self._hooks.append(hook)

    def run_hooks(self) -> None:
        """Run the `before_checkpoint` hooks now (the index pipeline does, before its commit)."""
        for hook in self._hooks:
            hook()

    def checkpoint(self) -> None:
        """Make everything recorded so far durable (after the `before_checkpoint` hooks)."""
        self.run_hooks()
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")

    def close(self) -> None:
        self.checkpoint()
        self._db.execute("COMMIT")
        self._db.close()
