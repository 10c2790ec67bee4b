"""The event store (SQLite under the data directory): events, workflow history, deliveries, dead letters.

One file, `<data_dir>/alerts/alerts.db`, WAL mode, shared with the detection state (`state.py`).
Deduplication: one event per rule and entity per the rule's window; a repeat bumps `count`,
`last_seen` and the document ids of the first event instead of raising a new one.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nachtwacht.alerts.events import STATUSES, TRANSITIONS, Event
from nachtwacht.alerts.exceptions import EventNotFound, WorkflowError

__all__ = ["EventStore", "connect", "now_iso"]

logger = logging.getLogger(__name__)
MAX_DOC_IDS = 100  # document ids kept on one event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL, type TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new', assignee TEXT NOT NULL DEFAULT '',
    site TEXT NOT NULL DEFAULT '', entity TEXT NOT NULL, title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '{}',
    doc_ids TEXT NOT NULL DEFAULT '[]', retro INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_seen TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1, delivery TEXT NOT NULL DEFAULT 'pending');
CREATE INDEX IF NOT EXISTS events_dedupe ON events(rule, entity, created_at);
CREATE INDEX IF NOT EXISTS events_status ON events(status, created_at);
CREATE TABLE IF NOT EXISTS history (
    event_id INTEGER NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '', to_status TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS deliveries (
    event_id INTEGER NOT NULL, channel TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL,
    ok INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT NULL, channel TEXT NOT NULL,
    at TEXT NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL, payload TEXT NOT NULL,
    redelivered INTEGER NOT NULL DEFAULT 0);
"""


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat()


def connect(data_dir: str | Path) -> sqlite3.Connection:
    """Open (and create) `<data_dir>/alerts/alerts.db`; one connection per thread."""
    folder = Path(data_dir) / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "alerts.db", timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _event(row: sqlite3.Row) -> Event:
    data = dict(row)
    data["details"] = json.loads(data["details"])
    data["doc_ids"] = json.loads(data["doc_ids"])
    data["retro"] = bool(data["retro"])
    return Event.from_dict(data)


class EventStore:
    """Events with their workflow. Every write is its own transaction; safe across processes."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.conn = connect(data_dir)
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # --- raising ------------------------------------------------------------------------------
    def add(self, event: Event, *, window: float, now: datetime | None = None) -> Event | None:
        """Store `event` unless the same rule and entity raised one within `window` seconds.

        Returns the stored event (with its id), or None when it was folded into an earlier one.
        """
        at = now or datetime.now(UTC)
        stamp = now_iso(at)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            if window > 0:
                since = now_iso(at - timedelta(seconds=window))
                row = self.conn.execute(
                    "SELECT id, doc_ids FROM events WHERE rule = ? AND entity = ? AND created_at >= ? "
                    "ORDER BY id DESC LIMIT 1", (event.rule, event.entity, since)).fetchone()
                if row is not None:
                    ids = json.loads(row["doc_ids"])
                    ids += [d for d in event.doc_ids if d not in ids]
                    self.conn.execute("UPDATE events SET count = count + 1, last_seen = ?, doc_ids = ? "
                                      "WHERE id = ?", (stamp, json.dumps(ids[:MAX_DOC_IDS]), row["id"]))
                    return None
            cur = self.conn.execute(
                "INSERT INTO events (rule, type, severity, status, site, entity, title, summary, details, "
                "doc_ids, retro, created_at, updated_at, last_seen, delivery) "
                "VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.rule, event.type, event.severity, event.site, event.entity, event.title,
                 event.summary, json.dumps(event.details, default=str), json.dumps(event.doc_ids[:MAX_DOC_IDS]),
                 int(event.retro), stamp, stamp, stamp, event.delivery))
            event_id = int(cur.lastrowid or 0)
            self.conn.execute("INSERT INTO history (event_id, at, actor, action, to_status) "
                              "VALUES (?, ?, 'nachtwacht', 'raised', 'new')", (event_id, stamp))
        return self.get(event_id)

    def recent_count(self, rule: str, seconds: float, *, delivered_only: bool = True) -> int:
        since = now_iso(datetime.now(UTC) - timedelta(seconds=seconds))
        extra = " AND delivery != 'rate_limited'" if delivered_only else ""
        return int(self.conn.execute(f"SELECT COUNT(*) FROM events WHERE rule = ? AND created_at >= ?{extra}",
                                     (rule, since)).fetchone()[0])

    def set_delivery(self, event_id: int, state: str) -> None:
        self.conn.execute("UPDATE events SET delivery = ? WHERE id = ?", (state, event_id))

    # --- reading ------------------------------------------------------------------------------
    def get(self, event_id: int) -> Event:
        row = self.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            raise EventNotFound(f"no alert with id {event_id}")
        return _event(row)

    def list(self, *, status: str | None = None, rule: str | None = None, type: str | None = None,
             site: str | None = None, severity: str | None = None, limit: int = 100,
             open_only: bool = False) -> list[Event]:
        """Newest first, filtered."""
        where, args = [], []
        for column, value in (("status", status), ("rule", rule), ("type", type), ("site", site),
                              ("severity", severity)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if open_only:
            where.append("status NOT IN ('closed', 'false_positive')")
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_event(r) for r in rows]

    def history(self, event_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM history WHERE event_id = ? ORDER BY rowid", (event_id,))
        return [dict(r) for r in rows]

    def deliveries(self, event_id: int | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM deliveries", ()
        if event_id is not None:
            sql, args = sql + " WHERE event_id = ?", (event_id,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY rowid", args)]

    def dead_letters(self, *, pending_only: bool = True) -> list[dict[str, Any]]:
        sql = "SELECT * FROM dead_letters" + (" WHERE redelivered = 0" if pending_only else "")
        out = []
        for row in self.conn.execute(sql + " ORDER BY id"):
            item = dict(row)
            item["payload"] = json.loads(item["payload"])
            out.append(item)
        return out

    # --- delivery records (written by the dispatcher thread, on its own store) -----------------
    def record_attempt(self, event_id: int, channel: str, attempt: int, ok: bool, error: str = "") -> None:
        self.conn.execute("INSERT INTO deliveries (event_id, channel, attempt, at, ok, error) VALUES "
                          "(?, ?, ?, ?, ?, ?)", (event_id, channel, attempt, now_iso(), int(ok), error[:2000]))

    def dead_letter(self, event_id: int, channel: str, attempts: int, error: str,
                    payload: dict[str, Any]) -> None:
        self.conn.execute("INSERT INTO dead_letters (event_id, channel, at, attempts, error, payload) VALUES "
                          "(?, ?, ?, ?, ?, ?)", (event_id, channel, now_iso(), attempts, error[:2000],
                                                  json.dumps(payload, default=str)))

    def mark_redelivered(self, dead_letter_id: int) -> None:
        self.conn.execute("UPDATE dead_letters SET redelivered = 1 WHERE id = ?", (dead_letter_id,))

    # --- workflow -----------------------------------------------------------------------------
    def transition(self, event_id: int, to_status: str, *, actor: str, note: str = "") -> Event:
        """Move an event along the workflow; raises WorkflowError when the step is not allowed."""
        if to_status not in STATUSES:
            raise WorkflowError(f"unknown status {to_status!r}; known: {', '.join(STATUSES)}")
        event = self.get(event_id)
        if to_status == event.status:
            return event
        if to_status not in TRANSITIONS[event.status]:
            raise WorkflowError(f"alert {event_id} is {event.status}; it can go to "
                                f"{', '.join(TRANSITIONS[event.status])}, not {to_status}")
        stamp = now_iso()
        with self.conn:
            self.conn.execute("UPDATE events SET status = ?, updated_at = ? WHERE id = ?",
                              (to_status, stamp, event_id))
            self.conn.execute("INSERT INTO history (event_id, at, actor, action, from_status, to_status, note) "
                              "VALUES (?, ?, ?, 'status', ?, ?, ?)",
                              (event_id, stamp, actor, event.status, to_status, note))
        return self.get(event_id)

    def assign(self, event_id: int, assignee: str, *, actor: str, note: str = "") -> Event:
        """Give the event to someone; a new or acknowledged event becomes `investigating`."""
        event = self.get(event_id)
        stamp = now_iso()
        with self.conn:
            self.conn.execute("UPDATE events SET assignee = ?, updated_at = ? WHERE id = ?",
                              (assignee, stamp, event_id))
            self.conn.execute("INSERT INTO history (event_id, at, actor, action, note) VALUES "
                              "(?, ?, ?, 'assign', ?)", (event_id, stamp, actor, f"{assignee} {note}".strip()))
        if event.status in ("new", "acknowledged"):
            return self.transition(event_id, "investigating", actor=actor)
        return self.get(event_id)

    def comment(self, event_id: int, note: str, *, actor: str) -> Event:
        self.get(event_id)
        stamp = now_iso()
        with self.conn:
            self.conn.execute("INSERT INTO history (event_id, at, actor, action, note) VALUES "
                              "(?, ?, ?, 'comment', ?)", (event_id, stamp, actor, note))
            self.conn.execute("UPDATE events SET updated_at = ? WHERE id = ?", (stamp, event_id))
        return self.get(event_id)
