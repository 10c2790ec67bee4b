"""Job state in `<data_dir>/jobs/jobs.sqlite`: jobs, their runs, site liveness and liveness events.

Several processes write here (the CLI, each crawl worker, the scheduler): every write is one short
transaction and readers wait up to `BUSY_TIMEOUT_S` for a writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nachtwacht.jobs.exceptions import JobNotFound
from nachtwacht.jobs.model import Job, Run

__all__ = ["BUSY_TIMEOUT_S", "JobStore", "now_iso"]

BUSY_TIMEOUT_S = 30.0  # seconds a writer waits for another writer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    site TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'market',
    spec TEXT NOT NULL DEFAULT '{}',
    schedule TEXT NOT NULL DEFAULT '',
    jitter_s REAL NOT NULL DEFAULT 0,
    down_after INTEGER NOT NULL DEFAULT 3,
    state TEXT NOT NULL DEFAULT 'idle',
    requested TEXT NOT NULL DEFAULT '',
    next_run TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    trigger TEXT NOT NULL DEFAULT 'manual',
    ended_at TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    pid_start TEXT NOT NULL DEFAULT '',
    exit_code INTEGER,
    error TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_job ON runs(job_id, id);
CREATE TABLE IF NOT EXISTS liveness (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    job_id TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    up INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS liveness_site ON liveness(site, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    site TEXT NOT NULL,
    job_id TEXT NOT NULL,
    at TEXT NOT NULL,
    streak INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def now_iso(when: datetime | None = None) -> str:
    """UTC ISO-8601 at second precision: sorts as text."""
    when = when or datetime.now(UTC)
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


class JobStore:
    """CRUD on the job tables. Cheap to open; open one per process or per request."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.jobs_dir = self.data_dir / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.jobs_dir / "jobs.sqlite"
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def job_dir(self, job_id: str) -> Path:
        return self.jobs_dir / job_id

    # --- jobs ----------------------------------------------------------------------------------
    def save(self, job: Job) -> Job:
        """Insert or replace a job's definition (its state and next run are kept as given)."""
        now = now_iso()
        job.created_at = job.created_at or now
        job.updated_at = now
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO jobs(id, target, site, kind, spec, schedule, jitter_s, "
                "down_after, state, requested, next_run, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (job.id, job.target, job.site, job.kind, json.dumps(job.spec()), job.schedule,
                 job.jitter_s, job.down_after, job.state, job.requested, job.next_run,
                 job.created_at, job.updated_at))
        return job

    def get(self, job_id: str) -> Job:
        row = self._db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no job {job_id!r} (see `nachtwacht jobs list`)")
        return _job(row)

    def exists(self, job_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM jobs WHERE id=?", (job_id,)).fetchone() is not None

    def jobs(self) -> list[Job]:
        return [_job(row) for row in self._db.execute("SELECT * FROM jobs ORDER BY id")]

    def update(self, job_id: str, **values: Any) -> None:
        """Set columns of one job (state, requested, next_run, schedule, ...)."""
        if not values:
            return
        values["updated_at"] = now_iso()
        names = ", ".join(f"{name}=?" for name in values)
        with self.transaction() as db:
            cur = db.execute(f"UPDATE jobs SET {names} WHERE id=?", (*values.values(), job_id))
        if not cur.rowcount:
            raise JobNotFound(f"no job {job_id!r}")

    def delete(self, job_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM jobs WHERE id=?", (job_id,))

    # --- runs ----------------------------------------------------------------------------------
    def start_run(self, job_id: str, trigger: str, started_at: str | None = None) -> Run:
        started = started_at or now_iso()
        with self.transaction() as db:
            cur = db.execute("INSERT INTO runs(job_id, started_at, trigger) VALUES (?,?,?)",
                             (job_id, started, trigger))
            db.execute("UPDATE jobs SET state='running', requested='', updated_at=? WHERE id=?",
                       (now_iso(), job_id))
        return Run(id=int(cur.lastrowid or 0), job_id=job_id, started_at=started, trigger=trigger)

    def set_run_process(self, run_id: int, pid: int, pid_start: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET pid=?, pid_start=? WHERE id=?", (pid, pid_start, run_id))

    def end_run(self, run_id: int, outcome: str, *, exit_code: int | None = None, error: str = "",
                summary: dict[str, Any] | None = None) -> bool:
        """Record how a run ended and set its job's state; False when it had already ended."""
        with self.transaction() as db:
            row = db.execute("SELECT job_id, ended_at FROM runs WHERE id=?", (run_id,)).fetchone()
            if row is None or row["ended_at"]:
                return False
            db.execute("UPDATE runs SET ended_at=?, outcome=?, exit_code=?, error=?, summary=? "
                       "WHERE id=?", (now_iso(), outcome, exit_code, error,
                                      json.dumps(summary or {}, default=str), run_id))
            db.execute("UPDATE jobs SET state=?, requested='', updated_at=? WHERE id=?",
                       (outcome, now_iso(), row["job_id"]))
        return True

    def record_refused_run(self, job_id: str, trigger: str, error: str, at: str | None = None,
                           summary: dict[str, Any] | None = None) -> Run:
        """Record a run that was refused before any process started; the job's state is kept."""
        when = at or now_iso()
        with self.transaction() as db:
            cur = db.execute("INSERT INTO runs(job_id, started_at, trigger, ended_at, outcome, error, "
                             "summary) VALUES (?,?,?,?,?,?,?)",
                             (job_id, when, trigger, when, "refused", error,
                              json.dumps(summary or {}, default=str)))
        return self.run(int(cur.lastrowid or 0))

    def run(self, run_id: int) -> Run:
        row = self._db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no run {run_id}")
        return _run(row)

    def runs(self, job_id: str, limit: int = 20) -> list[Run]:
        """The job's runs, newest first."""
        rows = self._db.execute("SELECT * FROM runs WHERE job_id=? ORDER BY id DESC LIMIT ?",
                                (job_id, limit))
        return [_run(row) for row in rows]

    def last_run(self, job_id: str) -> Run | None:
        runs = self.runs(job_id, limit=1)
        return runs[0] if runs else None

    # --- liveness ------------------------------------------------------------------------------
    def record_liveness(self, site: str, job_id: str, checked_at: str, up: bool, detail: str = "") -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO liveness(site, job_id, checked_at, up, detail) VALUES (?,?,?,?,?)",
                       (site, job_id, checked_at, int(up), detail))

    def liveness(self, site: str, limit: int = 100) -> list[dict[str, Any]]:
        """The site's checks, newest first."""
        rows = self._db.execute("SELECT checked_at, up, detail, job_id FROM liveness WHERE site=? "
                                "ORDER BY id DESC LIMIT ?", (site, limit))
        return [{"checked_at": r["checked_at"], "up": bool(r["up"]), "detail": r["detail"],
                 "job_id": r["job_id"]} for r in rows]

    def add_event(self, kind: str, site: str, job_id: str, at: str, streak: int,
                  detail: dict[str, Any]) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO events(kind, site, job_id, at, streak, detail) "
                             "VALUES (?,?,?,?,?,?)", (kind, site, job_id, at, streak, json.dumps(detail)))
        return int(cur.lastrowid or 0)

    def events(self, since_id: int = 0, kind: str | None = None) -> list[dict[str, Any]]:
        """Liveness events after `since_id`, oldest first (a consumer remembers the last id)."""
        sql = "SELECT * FROM events WHERE id>?" + (" AND kind=?" if kind else "") + " ORDER BY id"
        args: tuple[Any, ...] = (since_id, kind) if kind else (since_id,)
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in self._db.execute(sql, args)]


    # --- scheduler state ---------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        """A value the scheduler keeps across restarts (e.g. when retention runs next)."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row["value"]) if row is not None else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, value))


def _job(row: sqlite3.Row) -> Job:
    spec = json.loads(row["spec"] or "{}")
    spec = {k: v for k, v in spec.items() if k in Job.SPEC_FIELDS}
    return Job(id=row["id"], target=row["target"], site=row["site"], kind=row["kind"],
               schedule=row["schedule"], jitter_s=row["jitter_s"], down_after=row["down_after"],
               state=row["state"], requested=row["requested"], next_run=row["next_run"],
               created_at=row["created_at"], updated_at=row["updated_at"], **spec)


def _run(row: sqlite3.Row) -> Run:
    return Run(id=row["id"], job_id=row["job_id"], started_at=row["started_at"],
               trigger=row["trigger"], ended_at=row["ended_at"], outcome=row["outcome"],
               pid=row["pid"], pid_start=row["pid_start"], exit_code=row["exit_code"],
               error=row["error"], summary=json.loads(row["summary"] or "{}"))
