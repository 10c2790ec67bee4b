"""`retention apply`: delete what has outlived its retention period, everywhere, except held cases.

Data classes (config/retention.yaml): `documents` in the index backend (by when they were last
seen), `captures` (sealed evidence WARC files, by when they were sealed; the deletion is written
to the job's custody log so the chain stays complete), `alerts` (events, by when they were last
raised), `personal_data` (pseudonym vault entries: after that, a pseudonym can no longer be
re-identified) and the `audit_log` (append-only: reported, never deleted here). A document is
held when it was captured under a case with an active legal hold; a vendor profile when one of
its listings is held; an alert when one of its documents is held; a WARC file when the run that
wrote it ran under a held case. What was deleted is written to the audit log as counts only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from nachtwacht.rights.cases import CaseRegistry
from nachtwacht.rights.policy import RetentionPolicy, load_retention

__all__ = ["RetentionReport", "apply_retention", "held_cases"]

logger = logging.getLogger(__name__)

_TIME_FIELDS = {"observation": ("seen_at",), "page": ("fetched_at",), "vendor": ("last_seen", "first_seen")}
_DEFAULT_TIME_FIELDS = ("last_seen", "posted_at", "first_seen")


@dataclass
class RetentionReport:
    """Counts per data class (never contents): deleted, held back, kept; and the cutoffs used."""

    dry_run: bool
    now: str
    cutoffs: dict[str, str | None] = field(default_factory=dict)
    held_cases: list[str] = field(default_factory=list)
    documents: dict[str, Any] = field(default_factory=dict)
    captures: dict[str, Any] = field(default_factory=dict)
    alerts: dict[str, Any] = field(default_factory=dict)
    personal_data: dict[str, Any] = field(default_factory=dict)
    audit_log: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def doc_time(doc: dict[str, Any]) -> datetime | None:
    """When a document was last seen (observations: seen_at; pages: fetched_at)."""
    for key in _TIME_FIELDS.get(str(doc.get("kind")), _DEFAULT_TIME_FIELDS):
        moment = _parse(doc.get(key))
        if moment is not None:
            return moment
    return None


def held_cases(data_dir: str | Path, policy: RetentionPolicy, on: date) -> set[str]:
    """Cases with an active hold: registered with `nachtwacht cases hold`, or in the policy file."""
    cases = {h.case_ref for h in CaseRegistry(data_dir).holds(active_on=on)}
    cases |= {h.case for h in policy.holds if h.until is None or h.until >= on}
    return cases


def _case_of(doc: dict[str, Any]) -> str:
    return str((doc.get("legal_basis") or {}).get("case_ref") or "")


def _documents(backend_settings: dict[str, Any], cutoff: datetime | None, held: set[str],
               dry_run: bool) -> tuple[dict[str, Any], set[str]]:
    """Delete expired, unheld documents; returns counts and the ids of every held document."""
    from indexer import get_backend

    backend = get_backend(backend_settings, readonly=dry_run)
    try:
        expired: dict[str, str] = {}  # id -> kind
        held_ids: set[str] = set()
        held_back: dict[str, int] = {}
        vendors: list[dict[str, Any]] = []
        undated = 0
        for doc in backend.scan("*"):
            kind = str(doc.get("kind"))
            if _case_of(doc) in held:
                held_ids.add(str(doc["id"]))
            if kind == "vendor":
                vendors.append(doc)
                continue
            moment = doc_time(doc)
            if moment is None:
                undated += 1
            elif cutoff is not None and moment < cutoff:
                if str(doc["id"]) in held_ids:
                    held_back[kind] = held_back.get(kind, 0) + 1
                else:
                    expired[str(doc["id"])] = kind
        for doc in vendors:
            moment = doc_time(doc)
            if cutoff is None or moment is None or moment >= cutoff:
                continue
            if str(doc["id"]) in held_ids or held_ids & set(doc.get("listing_ids") or ()):
                held_ids.add(str(doc["id"]))
                held_back["vendor"] = held_back.get("vendor", 0) + 1
            else:
                expired[str(doc["id"])] = "vendor"
        deleted: dict[str, int] = {}
        for kind in expired.values():
            deleted[kind] = deleted.get(kind, 0) + 1
        if expired and not dry_run:
            backend.delete(list(expired))
            backend.commit()
        return {"backend": backend.name, "deleted": sum(deleted.values()), "deleted_by_kind": deleted,
                "held": sum(held_back.values()), "held_by_kind": held_back, "undated_kept": undated}, held_ids
    finally:
        backend.close()


def _warc_case(entries: list[dict[str, Any]]) -> dict[str, str]:
    """warc_file -> case_ref of the run that opened it (from the custody log's run_start entries)."""
    case, out = "", {}
    for entry in entries:
        if entry.get("event") == "run_start":
            case = str((entry.get("legal_basis") or {}).get("case_ref") or "")
        elif entry.get("event") == "warc_open":
            out[str(entry.get("warc_file"))] = case
    return out


def _captures(data_dir: Path, cutoff: datetime | None, held: set[str], dry_run: bool, actor: str
              ) -> dict[str, Any]:
    from crawlers.evidence.custody import CustodyLog

    counts = {"deleted": 0, "bytes": 0, "held": 0, "jobs": 0}
    root = data_dir / "evidence"
    if cutoff is None or not root.is_dir():
        return counts
    for job_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        log_path = job_dir / "custody.jsonl"
        if not log_path.exists():
            continue
        log = CustodyLog(log_path)
        entries = log.entries()
        cases = _warc_case(entries)
        deleted_before = {str(e.get("warc_file")) for e in entries if e.get("event") == "retention_delete"}
        touched = False
        for entry in entries:
            if entry.get("event") != "warc_sealed":
                continue
            rel = str(entry.get("warc_file"))
            sealed = _parse(entry.get("time"))
            path = data_dir / rel
            if rel in deleted_before or sealed is None or sealed >= cutoff or not path.exists():
                continue
            if cases.get(rel, "") in held:
                counts["held"] += 1
                continue
            counts["deleted"] += 1
            counts["bytes"] += path.stat().st_size
            touched = True
            if not dry_run:
                path.unlink()
                log.append("retention_delete", job=job_dir.name, warc_file=rel, sha256=entry.get("sha256"),
                           operator=actor, reason=f"retention: captures older than {cutoff.date()}")
        counts["jobs"] += int(touched)
    return counts


def _alerts(data_dir: Path, cutoff: datetime | None, held_ids: set[str], dry_run: bool) -> dict[str, Any]:
    counts = {"deleted": 0, "held": 0}
    if cutoff is None or not (data_dir / "alerts" / "alerts.db").exists():
        return counts
    from nachtwacht.alerts.store import connect

    conn = connect(data_dir)
    try:
        stamp = cutoff.astimezone(UTC).replace(microsecond=0).isoformat()
        rows = conn.execute("SELECT id, doc_ids FROM events WHERE last_seen < ?", (stamp,)).fetchall()
        doomed = []
        for row in rows:
            if held_ids & set(json.loads(row["doc_ids"] or "[]")):
                counts["held"] += 1
            else:
                doomed.append(int(row["id"]))
        counts["deleted"] = len(doomed)
        if doomed and not dry_run:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for table, column in (("history", "event_id"), ("deliveries", "event_id"),
                                      ("dead_letters", "event_id"), ("events", "id")):
                    conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(i,) for i in doomed])
    finally:
        conn.close()
    return counts


def apply_retention(data_dir: str | Path, backend_settings: dict[str, Any], *,
                    policy: RetentionPolicy | None = None, now: datetime | None = None,
                    dry_run: bool = False, actor: str = "nachtwacht") -> RetentionReport:
    """Apply the retention policy to the index, the evidence store, the alert store and the vault.

    Writes one audit record (`retention.apply`, or `retention.preview` for a dry run) with the
    counts. Raises IndexerError when the index cannot be opened for writing (a crawl holds it).
    """
    from nachtwacht.audit import AuditLog
    from nachtwacht.rights.pseudonym import PseudonymVault

    data_dir = Path(data_dir)
    policy = policy or load_retention()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    periods = policy.retention

    def cutoff(days: int | None) -> datetime | None:
        return None if days is None else now - timedelta(days=days)

    cuts = {name: cutoff(getattr(periods, name)) for name in
            ("documents", "captures", "personal_data", "alerts", "audit_log")}
    held = held_cases(data_dir, policy, now.date())
    report = RetentionReport(dry_run=dry_run, now=now.isoformat(timespec="seconds"),
                             cutoffs={k: v.isoformat(timespec="seconds") if v else None for k, v in cuts.items()},
                             held_cases=sorted(held))
    report.documents, held_ids = _documents(backend_settings, cuts["documents"], held, dry_run)
    report.captures = _captures(data_dir, cuts["captures"], held, dry_run, actor)
    report.alerts = _alerts(data_dir, cuts["alerts"], held_ids, dry_run)
    report.personal_data = PseudonymVault(data_dir).expire(cuts["personal_data"], dry_run=dry_run)
    report.audit_log = {"deleted": 0, "kept_at_least_days": periods.audit_log,
                        "note": "append-only and hash-chained: archived offline, never deleted here"}
    AuditLog(data_dir).append(actor=actor, role="system", action="retention.preview" if dry_run else
                              "retention.apply", target="retention", details={
                                  "documents": report.documents, "captures": report.captures,
                                  "alerts": report.alerts, "personal_data": report.personal_data,
                                  "held_cases": len(held), "cutoffs": report.cutoffs})
    logger.info("retention %s: %d documents, %d captures, %d alerts, %d pseudonyms deleted",
                "preview" if dry_run else "applied", report.documents["deleted"], report.captures["deleted"],
                report.alerts["deleted"], report.personal_data["deleted"])
    return report
