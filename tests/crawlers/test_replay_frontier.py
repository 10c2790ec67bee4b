"""What replay needs from the SQLite frontier: passes (which captures may answer a resumed run)
and terminal failures committed at once (a resumed run must not fetch them again)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from crawlers.frontier import Frontier


def _killed(frontier: Frontier) -> None:
    frontier._db.close()  # no commit, no end_run: what SIGKILL leaves


def test_a_pass_spans_the_runs_that_resume_it(tmp_path):
    path = tmp_path / "f.sqlite"
    frontier = Frontier(path)
    assert frontier.pass_started_at() is None
    before = datetime.now(UTC)
    frontier.begin_run()
    first = frontier.pass_started_at()
    assert first is not None and before <= first <= datetime.now(UTC)
    frontier.add("http://a/1", depth=0)
    frontier.checkpoint()
    _killed(frontier)

    resumed = Frontier(path)
    assert resumed.begin_run() is True
    assert resumed.pass_started_at() == first, "a resumed run belongs to the interrupted pass"
    resumed.mark(["http://a/1"], "done")
    resumed.end_run("finished")
    resumed.close()

    again = Frontier(path)
    assert again.begin_run() is False
    assert again.pass_started_at() > first, "a new pass starts after a finished one"
    again.close()


def test_a_frontier_from_before_passes_is_read_as_one_run_per_pass(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,"
                     " finished_at TEXT, reason TEXT);"
                     "INSERT INTO runs(started_at) VALUES ('2026-11-30T10:00:00+00:00');"
                     "INSERT INTO runs(started_at) VALUES ('2026-11-30T11:00:00+00:00');")
    db.commit()
    db.close()
    frontier = Frontier(path)
    assert frontier.pass_started_at() == datetime(2026, 11, 30, 11, tzinfo=UTC)
    frontier.close()


def test_a_terminal_failure_survives_a_kill_and_the_hooks_run_first(tmp_path):
    path = tmp_path / "f.sqlite"
    frontier = Frontier(path)
    frontier.begin_run()
    for url in ("http://a/big", "http://a/page", "http://a/later"):
        frontier.add(url, depth=0)
    frontier.checkpoint()
    synced = []
    frontier.before_checkpoint(lambda: synced.append(True))
    frontier.mark(["http://a/page"], "done")  # waits for the index commit's checkpoint
    assert synced == []
    frontier.mark(["http://a/big"], "skipped", "too_large")
    assert synced == [True], "the evidence hooks run before the commit"
    frontier.mark(["http://a/later"], "done")
    _killed(frontier)

    reopened = Frontier(path)
    states = {e.url for e in reopened.pending()}
    assert states == {"http://a/later"}, "the skip (and the done before it) are durable, the later done is not"
    reopened.close()
