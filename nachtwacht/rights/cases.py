"""Registered legal bases (cases/authorisations) and legal holds of one data directory.

State lives in `<data_dir>/state/rights.sqlite`. A case is the authorisation a crawl runs under:
its reference, the authority that granted it, the purpose, the requesting officer and its
expiry. A hold keeps everything captured under a case past its retention until it is released
(or its `until` date passes). Registering and releasing are written to the audit log by callers.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from nachtwacht.rights.exceptions import CaseError

__all__ = ["CASE_RE", "CaseRegistry", "Hold", "LegalBasis", "today"]

CASE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/:#-]{0,63}$")
MIN_PURPOSE = 10  # characters: "investigation" alone says nothing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_ref TEXT PRIMARY KEY, authority TEXT NOT NULL, purpose TEXT NOT NULL, officer TEXT NOT NULL,
    expires TEXT NOT NULL, registered_at TEXT NOT NULL, registered_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT, case_ref TEXT NOT NULL, reason TEXT NOT NULL,
    until TEXT NOT NULL DEFAULT '', placed_at TEXT NOT NULL, placed_by TEXT NOT NULL,
    released_at TEXT NOT NULL DEFAULT '', released_by TEXT NOT NULL DEFAULT '');
"""


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class LegalBasis:
    """The authorisation a crawl runs under; `to_dict` is what every capture and document carries."""

    case_ref: str
    authority: str  # who authorised it, and the reference of the order/authorisation
    purpose: str
    officer: str  # requesting officer
    expires: str  # ISO date; the last day the authorisation covers
    registered_at: str = ""
    registered_by: str = ""

    def expired(self, on: date | None = None) -> bool:
        return date.fromisoformat(self.expires) < (on or today())

    def to_dict(self) -> dict[str, Any]:
        return {"case_ref": self.case_ref, "authority": self.authority, "purpose": self.purpose,
                "officer": self.officer, "expires": self.expires}

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hold:
    id: int
    case_ref: str
    reason: str
    until: str
    placed_at: str
    placed_by: str
    released_at: str = ""
    released_by: str = ""

    def active(self, on: date | None = None) -> bool:
        if self.released_at:
            return False
        return not self.until or date.fromisoformat(self.until) >= (on or today())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_case_ref(value: str) -> str:
    value = (value or "").strip()
    if not CASE_RE.match(value):
        raise CaseError(f"invalid case reference {value!r}: 1-64 characters, letters, digits, "
                        "space and . _ / : # -, starting with a letter or digit")
    return value


class CaseRegistry:
    """Cases and holds of one data directory; every call is its own short transaction."""

    def __init__(self, data_dir: str | Path):
        folder = Path(data_dir) / "state"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "rights.sqlite"
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    # --- cases ---------------------------------------------------------------------------------
    def add_case(self, case_ref: str, *, authority: str, purpose: str, officer: str, expires: str | date,
                 by: str, max_validity_days: int = 730, replace: bool = False) -> LegalBasis:
        """Register (or with `replace`, amend) a case. Raises CaseError naming what is wrong."""
        case_ref = check_case_ref(case_ref)
        problems = []
        if len(authority.strip()) < 3:
            problems.append("authority: who authorised it and the order's reference")
        if len(purpose.strip()) < MIN_PURPOSE:
            problems.append(f"purpose: at least {MIN_PURPOSE} characters saying what the crawl is for")
        if len(officer.strip()) < 2:
            problems.append("officer: the requesting officer")
        try:
            end = expires if isinstance(expires, date) else date.fromisoformat(str(expires).strip())
        except ValueError:
            end = None
            problems.append(f"expires: an ISO date (YYYY-MM-DD), got {expires!r}")
        if end is not None and end < today():
            problems.append(f"expires: {end.isoformat()} is in the past")
        if end is not None and end > today() + timedelta(days=max_validity_days):
            problems.append(f"expires: at most {max_validity_days} days ahead (policy legal_basis."
                            "max_validity_days)")
        if problems:
            raise CaseError(f"case {case_ref}: " + "; ".join(problems))
        assert end is not None
        basis = LegalBasis(case_ref, authority.strip(), purpose.strip(), officer.strip(), end.isoformat(),
                           datetime.now(UTC).isoformat(timespec="seconds"), by)
        with self._connect() as conn:
            exists = conn.execute("SELECT 1 FROM cases WHERE case_ref=?", (case_ref,)).fetchone()
            if exists and not replace:
                raise CaseError(f"case {case_ref} is already registered (amend it with --replace)")
            conn.execute("INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?)",
                         (basis.case_ref, basis.authority, basis.purpose, basis.officer, basis.expires,
                          basis.registered_at, basis.registered_by))
        return basis

    def get_case(self, case_ref: str) -> LegalBasis:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM cases WHERE case_ref=?", (case_ref.strip(),)).fetchone()
        if row is None:
            raise CaseError(f"no registered case {case_ref!r} (register it: nachtwacht cases add)")
        return LegalBasis(**dict(row))

    def cases(self) -> list[LegalBasis]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM cases ORDER BY case_ref").fetchall()
        return [LegalBasis(**dict(r)) for r in rows]

    # --- holds ---------------------------------------------------------------------------------
    def add_hold(self, case_ref: str, *, reason: str, by: str, until: str | date | None = None) -> Hold:
        case_ref = check_case_ref(case_ref)
        if len(reason.strip()) < 3:
            raise CaseError("a legal hold needs a reason")
        until_text = ""
        if until:
            try:
                until_text = (until if isinstance(until, date) else date.fromisoformat(str(until))).isoformat()
            except ValueError:
                raise CaseError(f"until: an ISO date (YYYY-MM-DD), got {until!r}") from None
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute("INSERT INTO holds (case_ref, reason, until, placed_at, placed_by) "
                               "VALUES (?,?,?,?,?)", (case_ref, reason.strip(), until_text, now, by))
            hold_id = int(cur.lastrowid or 0)
        return self._hold(hold_id)

    def release_hold(self, case_ref: str, *, by: str) -> int:
        """Release every active hold of a case; returns how many were released."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute("UPDATE holds SET released_at=?, released_by=? WHERE case_ref=? AND "
                               "released_at=''", (now, by, case_ref.strip()))
        return cur.rowcount

    def _hold(self, hold_id: int) -> Hold:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM holds WHERE id=?", (hold_id,)).fetchone()
        return Hold(**dict(row))

    def holds(self, *, active_on: date | None = None) -> list[Hold]:
        """Every hold, or with `active_on` only those active on that day."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM holds ORDER BY id").fetchall()
        holds = [Hold(**dict(r)) for r in rows]
        return [h for h in holds if h.active(active_on)] if active_on else holds
