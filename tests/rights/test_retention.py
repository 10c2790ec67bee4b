"""Retention on a backdated index: exactly the expired records go, held cases stay, the audit log
says how many (never which); evidence WARC files, alerts and pseudonyms follow their own periods."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from indexer import get_backend
from nachtwacht.audit import AuditLog
from nachtwacht.rights import CaseRegistry, apply_retention
from nachtwacht.rights.policy import RetentionPolicy
from tests.conftest import cli_json
from tests.rights.conftest import HELD_CASE, NOW, OTHER_CASE, backdated_corpus, basis

POLICY = RetentionPolicy.model_validate({"retention": {"documents": "365d", "captures": "365d",
                                                       "alerts": "365d", "personal_data": "180d"}})


def _load(settings: dict[str, Any]) -> tuple[set[str], set[str]]:
    docs, expired = backdated_corpus()
    backend = get_backend(settings)
    try:
        backend.upsert(docs)
        backend.commit()
    finally:
        backend.close()
    return {d["id"] for d in docs}, expired


def _ids(settings: dict[str, Any]) -> set[str]:
    backend = get_backend(settings, readonly=True)
    try:
        return {d["id"] for d in backend.scan("*")}
    finally:
        backend.close()


def _check_retention(data, settings):
    all_ids, expired = _load(settings)
    CaseRegistry(data).add_hold(HELD_CASE, reason="trial pending", by="test")
    preview = apply_retention(data, settings, policy=POLICY, dry_run=True, actor="test")
    assert preview.documents["deleted"] == len(expired)
    assert _ids(settings) == all_ids  # a dry run deletes nothing
    report = apply_retention(data, settings, policy=POLICY, actor="test")
    assert _ids(settings) == all_ids - expired
    assert report.documents["deleted"] == len(expired)
    assert report.documents["held"] == 4  # held listing, its observation and page, the vendor of it
    assert report.held_cases == [HELD_CASE]
    records = AuditLog(data).records(action="retention.apply")
    assert len(records) == 1 and records[0]["details"]["documents"]["deleted"] == len(expired)
    text = json.dumps(records[0])
    assert not any(doc_id in text for doc_id in expired)  # counts, never contents
    assert AuditLog(data).verify().ok
    again = apply_retention(data, settings, policy=POLICY, actor="test")
    assert again.documents["deleted"] == 0  # idempotent


def test_embedded_index_loses_exactly_the_expired_records(tmp_path):
    _check_retention(tmp_path, {"backend": "embedded", "data_dir": str(tmp_path)})


@pytest.mark.cluster
def test_opensearch_index_loses_exactly_the_expired_records(tmp_path, rights_opensearch):
    _check_retention(tmp_path, {"backend": "opensearch", "url": rights_opensearch.url,
                                "index": "nw-rights-retention", "data_dir": str(tmp_path)})


def test_releasing_the_hold_lets_the_held_data_go(tmp_path):
    settings = {"backend": "embedded", "data_dir": str(tmp_path)}
    _load(settings)
    registry = CaseRegistry(tmp_path)
    registry.add_hold(HELD_CASE, reason="trial pending", by="test")
    apply_retention(tmp_path, settings, policy=POLICY, actor="test")
    assert "listing-2" in _ids(settings)
    assert registry.release_hold(HELD_CASE, by="test") == 1
    apply_retention(tmp_path, settings, policy=POLICY, actor="test")
    assert "listing-2" not in _ids(settings) and "vendor:kept" not in _ids(settings)


def test_policy_file_holds_count_too(tmp_path):
    settings = {"backend": "embedded", "data_dir": str(tmp_path)}
    _load(settings)
    policy = RetentionPolicy.model_validate({**POLICY.model_dump(), "holds": [
        {"case": OTHER_CASE, "reason": "appeal", "until": (NOW + timedelta(days=3)).date().isoformat()}]})
    report = apply_retention(tmp_path, settings, policy=policy, actor="test")
    assert "listing-0" in _ids(settings) and "post-old" in _ids(settings)
    assert "listing-2" not in _ids(settings)  # HELD_CASE is not held here
    assert report.held_cases == [OTHER_CASE]


def _warc(data, job: str, case: str | None) -> str:
    from crawlers.evidence.warc import Exchange, WarcStore

    store = WarcStore(data, job, operator="test")
    store.custody.append("run_start", job=job, operator="test", legal_basis=basis(case) if case else None)
    capture = store.record(Exchange(url="http://x.onion/", method="GET", request_headers=[], request_body=b"",
                                    status=200, response_headers=[("Content-Type", "text/html")],
                                    body=b"<html>hi</html>"), url="http://x.onion/")
    store.close()
    return capture.warc_file


def test_captures_alerts_and_pseudonyms_expire_and_the_custody_log_says_so(tmp_path):
    from crawlers.evidence.custody import CustodyLog
    from nachtwacht.alerts.events import Event
    from nachtwacht.alerts.store import EventStore
    from nachtwacht.rights import Pseudonymiser, PseudonymVault

    held = _warc(tmp_path, "held-job", HELD_CASE)
    gone = _warc(tmp_path, "other-job", OTHER_CASE)
    CaseRegistry(tmp_path).add_hold(HELD_CASE, reason="trial pending", by="test")
    store = EventStore(tmp_path)
    store.add(Event(rule="r", type="watchlist", severity="high", entity="x", title="t"), window=0)
    store.close()
    Pseudonymiser(b"k" * 32, PseudonymVault(tmp_path)).pseudonym("handle", "someone")
    settings = {"backend": "embedded", "data_dir": str(tmp_path)}
    later = NOW + timedelta(days=400)  # everything written now is 400 days old then
    report = apply_retention(tmp_path, settings, policy=POLICY, now=later, actor="test")
    assert report.captures["deleted"] == 1 and report.captures["held"] == 1
    assert (tmp_path / held).exists() and not (tmp_path / gone).exists()
    log = CustodyLog(tmp_path / "evidence" / "other-job" / "custody.jsonl")
    assert log.verify() == []
    deletion = log.entries()[-1]
    assert deletion["event"] == "retention_delete" and deletion["warc_file"] == gone and deletion["sha256"]
    assert report.alerts["deleted"] == 1 and EventStore(tmp_path).list() == []
    assert report.personal_data["deleted"] == 1 and PseudonymVault(tmp_path).count() == 0


def test_cli_applies_the_policy_file(tmp_path):
    settings = {"backend": "embedded", "data_dir": str(tmp_path)}
    _, expired = _load(settings)
    policy = tmp_path / "retention.yaml"
    policy.write_text("retention:\n  documents: 1y\n")
    out = cli_json("retention", "apply", "--policy", str(policy), data_dir=tmp_path)
    # no hold: the held case's documents go too
    assert out["documents"]["deleted"] == len(expired) + 4
    assert AuditLog(tmp_path).records(action="retention.apply")[0]["actor"].startswith("cli:")
