"""Evidence is fsynced once per frontier checkpoint, and always before the checkpoint marks pages done."""

from __future__ import annotations

import sqlite3

import pytest

from crawlers.evidence import Exchange, WarcStore
from crawlers.evidence.custody import read_entries
from crawlers.evidence.exceptions import EvidenceError
from crawlers.frontier import Frontier

URL = "http://abc.onion/l/1"


def _exchange() -> Exchange:
    return Exchange(url=URL, method="GET", request_headers=[("Host", "abc.onion")], request_body=b"",
                    status=200, response_headers=[("Content-Type", "text/html")], body=b"<p>1g 60 EUR</p>")


def _committed_state(path, url: str) -> str | None:
    """The URL's state as another process would read it (committed transactions only)."""
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT state FROM urls WHERE url=?", (url,)).fetchone()
    return row[0] if row else None


def test_capture_is_on_disk_before_any_sync(tmp_path):
    """Written and flushed at once: a killed crawl keeps every record; only fsync waits."""
    store = WarcStore(tmp_path, "job1", operator="op")
    capture = store.record(_exchange(), url=URL, via="direct")
    warc = tmp_path / capture.warc_file
    assert warc.stat().st_size >= capture.records[-1]["offset"] + capture.records[-1]["length"]
    captures = [e for e in read_entries(store.custody.path) if e["event"] == "capture"]
    assert [e["record_id"] for e in captures] == [capture.record_id]
    store.close()
    assert [e["event"] for e in read_entries(store.custody.path)][-1] == "warc_sealed"


def test_checkpoint_syncs_evidence_before_marking_done(tmp_path):
    frontier = Frontier(tmp_path / "frontier.sqlite")
    frontier.begin_run()
    frontier.add(URL, depth=0)
    frontier.checkpoint()
    store = WarcStore(tmp_path, "job1", operator="op")
    seen_at_sync: list[str | None] = []

    def sync() -> None:
        seen_at_sync.append(_committed_state(frontier.path, URL))
        store.sync()

    frontier.before_checkpoint(sync)
    store.record(_exchange(), url=URL, via="direct")
    frontier.mark([URL], "done")
    frontier.checkpoint()
    assert seen_at_sync == ["pending"]  # the sync ran while the page was not yet durably done
    assert _committed_state(frontier.path, URL) == "done"
    store.close()
    frontier.close()


def test_failed_evidence_sync_leaves_the_page_pending(tmp_path):
    frontier = Frontier(tmp_path / "frontier.sqlite")
    frontier.begin_run()
    frontier.add(URL, depth=0)
    frontier.checkpoint()
    failures = ["disk full"]

    def sync() -> None:
        if failures:
            raise EvidenceError(failures.pop())

    frontier.before_checkpoint(sync)
    frontier.mark([URL], "done")
    with pytest.raises(EvidenceError):
        frontier.checkpoint()
    assert _committed_state(frontier.path, URL) == "pending"  # a crash now re-fetches the page
    frontier.checkpoint()  # the next checkpoint (sync succeeds) commits it
    assert _committed_state(frontier.path, URL) == "done"
    frontier.close()
