"""`nachtwacht serve` runs the scheduler in a background thread (`--no-scheduler` turns it off)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from nachtwacht.users import UserStore
from tests.web.conftest import _free_port, serve_process, stop_running_jobs

pytestmark = pytest.mark.slow

POLL = "0.2"  # injected scheduler interval (seconds): the default is 5


def _scheduled_job(data_dir: Path) -> str:
    """A job due every second against a closed loopback port (exempt; each run ends fast); a token."""
    from nachtwacht.jobs import JobManager

    manager = JobManager(data_dir)
    try:
        manager.create(f"http://127.0.0.1:{_free_port()}/", job_id="tick", via="direct", schedule="every 1s")
    finally:
        manager.close()
    users = UserStore(data_dir)
    users.create_user("ops", "operator password", "operator")
    return users.create_token("ops", "tests")[0]


def _runs(url: str, token: str) -> list[dict]:
    r = httpx.get(f"{url}/api/jobs/tick/history", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_scheduled_job_fires_while_serve_runs(tmp_path):
    token = _scheduled_job(tmp_path)
    try:
        with serve_process(tmp_path, "--scheduler-poll", POLL) as url:
            deadline = time.monotonic() + 60
            while not _runs(url, token):
                assert time.monotonic() < deadline, "no scheduled run within 60 s"
                time.sleep(0.2)
            run = _runs(url, token)[-1]
            assert run["trigger"] == "schedule"
    finally:
        stop_running_jobs(tmp_path)


def test_no_scheduler_runs_nothing(tmp_path):
    token = _scheduled_job(tmp_path)
    try:
        with serve_process(tmp_path, "--no-scheduler", "--scheduler-poll", POLL) as url:
            time.sleep(3)  # with the scheduler on, the job fires within ~1.5 s (see the test above)
            assert _runs(url, token) == []
    finally:
        stop_running_jobs(tmp_path)
