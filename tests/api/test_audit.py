"""The audit log is append-only and `nachtwacht audit verify` detects edited and removed records."""

from __future__ import annotations

import itertools
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from nachtwacht.audit import AuditLog
from nachtwacht.commands.audit import audit_app
from tests.conftest import run_cli


@pytest.fixture
def audit_dir(tmp_path):
    log = AuditLog(tmp_path)
    for i in range(5):
        log.append(actor="ana", role="analyst", action="search", target=f"query {i}", case_ref="OPS-1")
    return tmp_path


def _tamper(data_dir, *sql):
    conn = sqlite3.connect(data_dir / "state" / "audit.sqlite")
    try:
        conn.execute("DROP TRIGGER audit_no_update")  # what an attacker with file access would do
        conn.execute("DROP TRIGGER audit_no_delete")
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _verify(data_dir):
    """`nachtwacht audit verify --json`, in-process (the subprocess path is tested once below)."""
    result = CliRunner().invoke(audit_app, ["verify", "--json", "--data-dir", str(data_dir)])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_records_chain_to_each_other(audit_dir):
    records = list(reversed(AuditLog(audit_dir).records()))
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(records))


def test_sqlite_refuses_updates_and_deletes(audit_dir):
    conn = sqlite3.connect(audit_dir / "state" / "audit.sqlite")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit SET target='x' WHERE seq=2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit WHERE seq=2")
    finally:
        conn.close()


def test_verify_passes_on_an_intact_log(audit_dir):
    code, report = _verify(audit_dir)
    assert code == 0 and report["ok"] and report["records"] == 5 and report["head_seq"] == 5


def test_verify_detects_an_edited_record(audit_dir):
    _tamper(audit_dir, "UPDATE audit SET case_ref='OPS-2' WHERE seq=3")
    code, report = _verify(audit_dir)
    assert code == 1 and not report["ok"]
    assert any("record 3" in p and "edited" in p for p in report["problems"])


def test_verify_detects_an_edit_with_recomputed_hash(audit_dir):
    from nachtwacht.audit import record_hash

    conn = sqlite3.connect(audit_dir / "state" / "audit.sqlite")
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM audit WHERE seq=2").fetchone())
    conn.close()
    row["target"] = "something innocent"
    _tamper(audit_dir, f"UPDATE audit SET target='something innocent', hash='{record_hash(row)}' WHERE seq=2")
    code, report = _verify(audit_dir)
    assert code == 1 and any("record 3" in p and "chain broken" in p for p in report["problems"])


def test_verify_detects_a_deleted_record(audit_dir):
    _tamper(audit_dir, "DELETE FROM audit WHERE seq=2")
    code, report = _verify(audit_dir)
    assert code == 1
    assert any("2..2 are missing" in p for p in report["problems"])


def test_verify_detects_records_cut_off_the_end(audit_dir):
    _tamper(audit_dir, "DELETE FROM audit WHERE seq>=4")
    code, report = _verify(audit_dir)
    assert code == 1 and any("removed from the end" in p for p in report["problems"])


def test_the_real_command_exits_1_and_names_the_problem(audit_dir):
    _tamper(audit_dir, "DELETE FROM audit WHERE seq=5")
    proc = run_cli("audit", "verify", "--data-dir", str(audit_dir), check=False, timeout=60)
    assert proc.returncode == 1 and "TAMPERED" in proc.stdout and "removed from the end" in proc.stdout
