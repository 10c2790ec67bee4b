"""Append-only, hash-chained audit log of who searched or opened what, when, for which case.

Records live in ``<data_dir>/state/audit.sqlite``; SQLite triggers refuse UPDATE and DELETE.
Each record's hash covers its content and the previous record's hash, so an edited record
breaks its own hash and a removed one breaks the chain. The last sequence number and hash
are also written to ``audit.head`` beside it, so cutting records off the end is detected too.
Someone who can rewrite both files can forge a history: operators who need more anchor the
head hash elsewhere (``nachtwacht audit verify --json`` prints it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nachtwacht.exceptions import NachtwachtError

__all__ = ["GENESIS", "AuditError", "AuditLog", "VerifyReport", "record_hash"]

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_FIELDS = ("seq", "at", "actor", "role", "action", "target", "case_ref", "details", "prev_hash")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditError(NachtwachtError):
    """The audit log cannot be written or read."""


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the record's fields (``details`` as stored text)."""
    canonical = json.dumps({k: record[k] for k in _FIELDS}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class VerifyReport:
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "problems": self.problems}


class AuditLog:
    """The audit log of one data directory. Safe to share between threads and processes."""

    def __init__(self, data_dir: str | Path):
        folder = Path(data_dir) / "state"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "audit.sqlite"
        self.head_path = folder / "audit.head"
        self._lock = threading.Lock()
        conn = self._connect()
        try:
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def append(self, *, actor: str, action: str, role: str = "", target: str = "",
               case_ref: str = "", details: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write one record chained to the last; returns it with its hash. Raises AuditError."""
        details_text = json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str)
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                record = {
                    "seq": (last["seq"] + 1) if last else 1,
                    "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                    "actor": actor, "role": role, "action": action, "target": target[:2000],
                    "case_ref": case_ref, "details": details_text,
                    "prev_hash": last["hash"] if last else GENESIS,
                }
                record["hash"] = record_hash(record)
                conn.execute(f"INSERT INTO audit ({', '.join(_FIELDS)}, hash) VALUES "
                             f"({', '.join('?' * (len(_FIELDS) + 1))})",
                             [record[k] for k in (*_FIELDS, "hash")])
                conn.execute("COMMIT")
                self._write_head(record["seq"], record["hash"])
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise AuditError(f"audit log {self.path}: {exc}") from None
            finally:
                conn.close()
        return self._public(record)

    def _write_head(self, seq: int, digest: str) -> None:
        tmp = self.head_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seq": seq, "hash": digest}))
        os.replace(tmp, self.head_path)

    @staticmethod
    def _public(record: dict[str, Any]) -> dict[str, Any]:
        out = dict(record)
        out["details"] = json.loads(out["details"]) if out["details"] else {}
        return out

    def records(self, *, actor: str | None = None, action: str | None = None,
                case_ref: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Newest first, optionally filtered."""
        where, args = [], []
        for name, value in (("actor", actor), ("action", action), ("case_ref", case_ref)):
            if value:
                where.append(f"{name}=?")
                args.append(value)
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "")
        conn = self._connect()
        try:
            rows = conn.execute(sql + " ORDER BY seq DESC LIMIT ? OFFSET ?",
                                [*args, max(0, limit), max(0, offset)]).fetchall()
        finally:
            conn.close()
        return [self._public(dict(r)) for r in rows]

    def verify(self) -> VerifyReport:
        """Recompute the chain; report edited, removed or reordered records and a cut-off tail."""
        problems: list[str] = []
        conn = self._connect()
        try:
            rows = [dict(r) for r in conn.execute("SELECT * FROM audit ORDER BY seq")]
        except sqlite3.Error as exc:
            return VerifyReport(False, 0, 0, "", [f"cannot read the audit log: {exc}"])
        finally:
            conn.close()
        prev, expected_seq = GENESIS, 1
        for row in rows:
            if row["seq"] != expected_seq:
                problems.append(f"records {expected_seq}..{row['seq'] - 1} are missing")
            if row["prev_hash"] != prev:
                problems.append(f"record {row['seq']}: chain broken (previous hash does not match)")
            if record_hash(row) != row["hash"]:
                problems.append(f"record {row['seq']}: content does not match its hash (edited)")
            prev, expected_seq = row["hash"], row["seq"] + 1
        last_seq = rows[-1]["seq"] if rows else 0
        problems += self._check_head(rows, last_seq)
        for p in problems:
            log.warning("audit verify: %s", p)
        return VerifyReport(not problems, len(rows), last_seq, prev, problems)

    def _check_head(self, rows: list[dict[str, Any]], last_seq: int) -> list[str]:
        try:
            head = json.loads(self.head_path.read_text())
        except FileNotFoundError:
            return ["the head file is missing"] if rows else []
        except (OSError, ValueError):
            return ["the head file is unreadable"]
        seq, digest = int(head.get("seq", 0)), head.get("hash", "")
        if seq > last_seq:
            return [f"records {last_seq + 1}..{seq} were removed from the end"]
        at = next((r for r in rows if r["seq"] == seq), None)
        if seq and (at is None or at["hash"] != digest):
            return [f"record {seq} does not match the recorded head"]
        return []
