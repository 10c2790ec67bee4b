"""The scheduler with an injected clock, starting real crawl processes (no sleeping for time)."""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime, timedelta

import pytest

from nachtwacht.scheduler import Scheduler

T0 = datetime(2031, 3, 14, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def manager(tmp_path):
    from nachtwacht.jobs import JobManager

    jm = JobManager(tmp_path)
    yield jm
    for job in jm.jobs():
        if job.state == "running":
            jm.stop(job.id, timeout=30)
    jm.close()


def _dead_url() -> str:
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/market"


def test_a_scheduled_job_runs_on_time(demo_world, manager):
    from nachtwacht.demomarket import DemoServer

    clock = Clock(T0)
    sched = Scheduler(manager, clock=clock, rng=random.Random(1))
    with DemoServer(demo_world.sites["noordzee"]) as server:
        manager.create(server.base_url + "/", job_id="hourly", via="direct", depth=0,
                       schedule="every 1h", jitter_s=120)
        assert sched.tick() == []
        planned = datetime.fromisoformat(manager.get("hourly").next_run)
        assert T0 + timedelta(hours=1) <= planned <= T0 + timedelta(hours=1, seconds=120)
        clock.now = planned - timedelta(seconds=1)
        assert sched.tick() == [] and server.hits == []
        clock.now = planned
        assert sched.tick() == ["hourly"]
        job = manager.wait("hourly", timeout=120)
        assert job.state == "finished" and server.hits == ["/"]
        run = manager.store.last_run("hourly")
        assert run.trigger == "schedule"
        clock.now = planned + timedelta(seconds=30)
        assert sched.tick() == []
        again = datetime.fromisoformat(manager.get("hourly").next_run)
        assert clock.now + timedelta(hours=1) <= again <= clock.now + timedelta(hours=1, seconds=120)
    assert manager.status("hourly")["liveness"]["state"] == "up"


def test_a_dead_site_backs_off_and_fires_market_down_once(manager):
    clock = Clock(T0)
    events = []
    sched = Scheduler(manager, clock=clock, on_event=events.append)
    manager.create(_dead_url(), job_id="dead", via="direct", schedule="every 1h", down_after=2,
                   settings={"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "5"})
    sched.tick()
    gaps = []
    for _ in range(3):
        due = datetime.fromisoformat(manager.get("dead").next_run)
        clock.now = due
        assert sched.tick() == ["dead"]
        assert manager.wait("dead", timeout=120).state == "finished"
        sched.tick()  # plans the next run from the outcome
        gaps.append((datetime.fromisoformat(manager.get("dead").next_run) - due) / timedelta(hours=1))
    assert gaps == [2, 4, 8]
    assert [e["kind"] for e in events] == ["market_down"]
    assert events[0]["site"] == manager.get("dead").site and events[0]["streak"] == 2
    live = manager.status("dead")["liveness"]
    assert live["state"] == "down" and live["streak"] == 3 and live["last_seen"] == ""


ONION = "http://" + "a" * 56 + ".onion/"  # a non-loopback target: needs a registered case


def _refusal_setup(manager, **settings):
    clock = Clock(T0)
    events = []
    sched = Scheduler(manager, clock=clock, on_event=events.append)
    manager.create(ONION, job_id="no-basis", schedule="every 1h", settings=settings)
    sched.tick()
    clock.now = datetime.fromisoformat(manager.get("no-basis").next_run)
    return sched, clock, events


def _audit_actions(data) -> list[str]:
    from nachtwacht.audit import AuditLog

    return [r["action"] for r in AuditLog(data).records()]


def test_a_job_without_legal_basis_is_refused_before_any_process_starts(manager):
    sched, clock, events = _refusal_setup(manager)
    assert sched.tick() == []
    job = manager.get("no-basis")
    assert job.state == "idle", "a refused run never ran"
    runs = manager.store.runs("no-basis")
    assert [(r.outcome, r.trigger, r.pid) for r in runs] == [("refused", "schedule", 0)]
    assert "no legal basis" in runs[0].error
    assert not (manager.store.job_dir("no-basis") / "worker.log").exists(), "no crawl process"
    assert [(e["kind"], e["job_id"]) for e in events] == [("run_refused", "no-basis")]
    assert events[0]["detail"]["reason"] == runs[0].error
    assert "job.schedule.refused" in _audit_actions(manager.data_dir)
    # planned again for its next time, not retried (and refused again) on every pass
    assert datetime.fromisoformat(job.next_run) >= clock.now + timedelta(hours=1)
    assert sched.tick() == [] and len(manager.store.runs("no-basis")) == 1


def test_an_unregistered_case_is_refused_too(manager):
    sched, _clock, events = _refusal_setup(manager, NACHTWACHT_CASE="BE-2031-404")
    assert sched.tick() == []
    run = manager.store.last_run("no-basis")
    assert run.outcome == "refused" and "BE-2031-404" in run.error
    assert events[0]["detail"]["case_ref"] == "BE-2031-404"
