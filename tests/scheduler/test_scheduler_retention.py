"""The scheduler applies retention every interval (injected clock), remembers it across restarts,
and retries a pass that could not open the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nachtwacht.scheduler import Scheduler

T0 = datetime(2031, 3, 14, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def manager(tmp_path):
    from nachtwacht.jobs import JobManager

    jm = JobManager(tmp_path)
    yield jm
    jm.close()


def _settings(data) -> dict[str, str]:
    return {"backend": "embedded", "data_dir": str(data)}


def _load(data, ages: dict[str, int]) -> None:
    """Listings last seen `age` days before T0 (config/retention.yaml keeps documents 365 days)."""
    from indexer import get_backend

    backend = get_backend(_settings(data))
    try:
        backend.upsert([{"id": doc_id, "kind": "listing", "site": "demo-x", "url": f"http://x.onion/{doc_id}",
                         "title": doc_id, "first_seen": (T0 - (age + 1) * DAY).isoformat(),
                         "last_seen": (T0 - age * DAY).isoformat()} for doc_id, age in ages.items()])
        backend.commit()
    finally:
        backend.close()


def _ids(data) -> set[str]:
    from indexer import get_backend

    backend = get_backend(_settings(data), readonly=True)
    try:
        return {d["id"] for d in backend.scan("*")}
    finally:
        backend.close()


def _passes(data) -> list[dict]:
    from nachtwacht.audit import AuditLog

    return [r for r in AuditLog(data).records(action="retention.apply") if r["actor"] == "scheduler"]


def test_retention_runs_daily_on_the_injected_clock(manager):
    data = manager.data_dir
    _load(data, {"old": 400, "aging": 300})
    clock = Clock(T0)
    sched = Scheduler(manager, clock=clock, retention_every="1d")
    try:
        sched.tick()
        assert sched.retention.state()["next"] == (T0 + DAY).isoformat(), "first pass one interval on"
        clock.now = T0 + DAY - timedelta(seconds=1)
        sched.tick()
        assert _ids(data) == {"old", "aging"} and _passes(data) == []
        clock.now = T0 + DAY
        sched.tick()
        assert _ids(data) == {"aging"}
        assert len(_passes(data)) == 1 and _passes(data)[0]["details"]["documents"]["deleted"] == 1
        state = sched.retention.state()
        assert (state["last"], state["next"]) == ((T0 + DAY).isoformat(), (T0 + 2 * DAY).isoformat())
        clock.now = T0 + DAY + timedelta(hours=23)
        sched.tick()
        assert len(_passes(data)) == 1, "once a day, not on every pass"
    finally:
        sched.close()
    # a restarted scheduler keeps the plan: no pass at its start, the next one on time
    clock.now = T0 + DAY + timedelta(hours=12)
    again = Scheduler(manager, clock=clock, retention_every="1d")
    try:
        again.tick()
        assert len(_passes(data)) == 1
        clock.now = T0 + 2 * DAY
        again.tick()
        assert len(_passes(data)) == 2 and _ids(data) == {"aging"}, "365 days not yet over"
        clock.now = T0 + 66 * DAY
        again.tick()
        assert _ids(data) == set()
    finally:
        again.close()


def test_an_interval_of_off_never_applies_retention(manager):
    _load(manager.data_dir, {"old": 400})
    clock = Clock(T0)
    sched = Scheduler(manager, clock=clock, retention_every="off")
    try:
        for days in (0, 1, 30, 400):
            clock.now = T0 + days * DAY
            sched.tick()
    finally:
        sched.close()
    assert _ids(manager.data_dir) == {"old"} and _passes(manager.data_dir) == []


def test_a_pass_that_cannot_open_the_index_is_retried(manager):
    from indexer import get_backend

    data = manager.data_dir
    _load(data, {"old": 400})
    clock = Clock(T0)
    sched = Scheduler(manager, clock=clock, retention_every="1d")
    try:
        sched.tick()
        clock.now = T0 + DAY
        writer = get_backend(_settings(data))  # like a crawl: holds the embedded index's writer
        try:
            sched.tick()
        finally:
            writer.close()
        state = sched.retention.state()
        assert state["error"] and state["last"] == ""
        assert state["next"] == (T0 + DAY + timedelta(minutes=15)).isoformat()
        assert _ids(data) == {"old"}
        clock.now = T0 + DAY + timedelta(minutes=15)
        sched.tick()
        assert _ids(data) == set() and sched.retention.state()["error"] == ""
    finally:
        sched.close()
