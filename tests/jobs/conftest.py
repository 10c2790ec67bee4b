"""Helpers of the job tests: the real `nachtwacht jobs` CLI against a served demo site."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

SITES = REPO / "config" / "sites"
# Paths a crawl may fetch differently from run to run: the redirect loop hits itself by design,
# and where a calendar trap is cut off depends on the order links are found in.
UNSTABLE = ("/lus/", "/agenda/")
# Frequent checkpoints: what a crash can make a resumed run fetch again is one short interval.
CHECKPOINT = {"NACHTWACHT_COMMIT_SECONDS": "0.3"}


def jobs(data: Path, *args: str, check: bool = True, timeout: float = 300):
    return run_cli("jobs", *args, "--data-dir", str(data), check=check, timeout=timeout)


def jobs_json(data: Path, *args: str, timeout: float = 300) -> dict:
    proc = jobs(data, *args, "--json", timeout=timeout)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wait_for(predicate, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def stable(paths) -> set[str]:
    return {p for p in paths if not p.startswith(UNSTABLE)}


@pytest.fixture
def manager(tmp_path):
    """The job layer over a fresh data directory (its crawl processes are real subprocesses)."""
    from nachtwacht.jobs import JobManager

    jm = JobManager(tmp_path)
    yield jm
    for job in jm.jobs():
        if job.state == "running":
            jm.stop(job.id, timeout=30)
    jm.close()


@pytest.fixture(scope="session")
def clean_noordzee_run(demo_world, tmp_path_factory):
    """Paths one uninterrupted job run fetches from the Noordzee demo market."""
    from nachtwacht.demomarket import DemoServer

    data = tmp_path_factory.mktemp("clean-run")
    with DemoServer(demo_world.sites["noordzee"]) as server:
        jobs(data, "schedule", "demo-noordzee", "--via", "direct", "--base-url", server.base_url)
        status = jobs_json(data, "run", "demo-noordzee", "--wait", timeout=600)
        hits = list(server.hits)
    assert status["state"] == "finished", status
    return {"hits": hits, "status": status, "data": data}
