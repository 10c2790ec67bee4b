"""One active scheduler per data directory: a second one (in this process or another) starts
nothing while the first holds the lock, says so, and takes over once it is gone."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import pytest

from nachtwacht.scheduler import Scheduler
from tests.conftest import run_cli

T0 = datetime(2031, 3, 14, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def managers(tmp_path):
    """Two job layers over one data directory, as `serve` and `nachtwacht scheduler` would have."""
    from nachtwacht.jobs import JobManager

    pair = (JobManager(tmp_path), JobManager(tmp_path))
    yield pair
    for job in pair[0].jobs():
        if job.state == "running":
            pair[0].stop(job.id, timeout=30)
    for jm in pair:
        jm.close()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/market"


def test_two_schedulers_start_a_due_job_once(managers):
    first_mgr, second_mgr = managers
    clock = Clock(T0)
    first = Scheduler(first_mgr, clock=clock, retention_every="off")
    second = Scheduler(second_mgr, clock=clock, retention_every="off")
    try:
        first_mgr.create(_dead_url(), job_id="due", via="direct", schedule="every 1h",
                         settings={"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "5"})
        assert first.tick() == [] and first.active
        clock.now = datetime.fromisoformat(first_mgr.get("due").next_run)
        assert second.tick() == [] and not second.active, "the second one stands by"
        assert second.holder["pid"] > 0
        assert first_mgr.store.runs("due") == [], "the standby scheduler started nothing"
        assert first.tick() == ["due"]
        assert second.tick() == []
        assert len(first_mgr.store.runs("due")) == 1
        first_mgr.wait("due", timeout=120)
    finally:
        first.close()
    assert second.tick() == [] and second.active, "it takes over once the first is gone"
    second.close()


def test_the_cli_scheduler_says_another_one_is_active(managers, tmp_path):
    holder = Scheduler(managers[0], retention_every="off")
    try:
        assert holder.tick() == [] and holder.active
        proc = run_cli("scheduler", "--once", "--json", "--data-dir", str(tmp_path))
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        assert report["active"] is False and report["started"] == []
        assert report["active_scheduler"]["pid"] == holder.lock.holder()["pid"]
        proc = run_cli("scheduler", "--once", "--data-dir", str(tmp_path))
        assert "another scheduler is active" in proc.stderr
    finally:
        holder.close()
    proc = run_cli("scheduler", "--once", "--json", "--data-dir", str(tmp_path))
    assert json.loads(proc.stdout.strip().splitlines()[-1])["active"] is True
