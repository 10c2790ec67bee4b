"""Jobs: pause/resume, a SIGKILLed crawl, listing, errors.

Every run is a real crawl process (`nachtwacht jobs exec`) against the served demo market over
loopback, and is compared with an uninterrupted run of the same site. Control goes through the
job layer in-process (`JobManager`) or the real CLI.
"""

from __future__ import annotations

import collections
import os
import signal
from datetime import UTC, datetime, timedelta

from extractors.model import listing_id
from tests.crawlers.test_crawl_demo import wait_until_served_is_settled
from tests.jobs.conftest import CHECKPOINT, UNSTABLE, jobs, jobs_json, stable, wait_for


def _indexed(data, base: str, paths) -> list[str]:
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        return [p for p in paths if backend.get(listing_id("demo-noordzee", base + p)) is not None]
    finally:
        backend.close()


def _repeated(hits) -> list[str]:
    return [p for p, n in collections.Counter(hits).items() if n > 1 and not p.startswith(UNSTABLE)]


def test_clean_run_fetches_every_listing_once(clean_noordzee_run, demo_world):
    hits = clean_noordzee_run["hits"]
    expected = {i["path"] for i in demo_world.truth["listings"] if i["site"] == "noordzee"}
    assert expected <= set(hits)
    assert _repeated(hits) == []
    status = clean_noordzee_run["status"]
    assert status["counters"]["pages"] > 100 and status["counters"]["listings"] > 100
    assert status["frontier"].get("pending", 0) == 0
    assert status["liveness"]["state"] == "up"


def test_pause_then_resume_loses_and_repeats_no_page(demo_world, manager, clean_noordzee_run):
    from nachtwacht.demomarket import DemoServer

    # 0.1 s per answer: the pause lands mid-crawl however fast the crawler gets
    with DemoServer(demo_world.sites["noordzee"], latency=0.1) as server:
        manager.create("demo-noordzee", via="direct", base_url=server.base_url, settings=CHECKPOINT)
        manager.run("demo-noordzee")
        wait_for(lambda: len(server.hits) >= 40, what="the crawl to get going")
        paused = manager.pause("demo-noordzee")
        assert paused.state == "paused"
        status = manager.status("demo-noordzee")
        assert status["frontier"]["pending"] > 0 and status["counters"]["pages"] > 0
        at_pause = len(server.hits)
        assert manager.get("demo-noordzee").state == "paused"
        assert len(server.hits) == at_pause, "a paused job fetches nothing"
        manager.resume("demo-noordzee")
        done = manager.wait("demo-noordzee", timeout=600)
        hits = list(server.hits)
    assert done.state == "finished"
    runs = manager.store.runs("demo-noordzee")
    assert [r.outcome for r in runs] == ["finished", "paused"]
    assert runs[0].summary["resumed"] is True
    assert _repeated(hits) == []
    assert stable(hits) == stable(clean_noordzee_run["hits"])


def test_killed_job_is_reported_crashed_and_resumes(demo_world, manager, clean_noordzee_run):
    from nachtwacht.demomarket import DemoServer

    data = manager.data_dir
    # 0.2 s per answer: the crash point (after the first live counters) comes mid-crawl on any machine
    with DemoServer(demo_world.sites["noordzee"], latency=0.2) as server:
        manager.create("demo-noordzee", via="direct", base_url=server.base_url, settings=CHECKPOINT)
        run = manager.run("demo-noordzee")
        wait_for(lambda: len(server.hits) >= 60, what="the crawl to get going")
        # live counters are written about once a second: kill after the first write
        wait_for(lambda: manager.status("demo-noordzee")["counters"].get("pages", 0) > 0,
                 what="the first live counters")
        # a controlled crash point: nothing more is served, everything served is in the evidence
        server.hold()
        wait_until_served_is_settled(server, data / "evidence" / "demo-noordzee" / "custody.jsonl",
                                     manager.store.job_dir("demo-noordzee") / "frontier.sqlite")
        os.kill(run.pid, signal.SIGKILL)
        wait_for(lambda: manager.get("demo-noordzee").state != "running", timeout=30,
                 what="the crash to be noticed")
        first_run = list(server.hits)
        crashed = jobs_json(data, "status", "demo-noordzee")  # a second process sees it too
        assert crashed["state"] == "crashed"
        assert "died" in crashed["last_run"]["error"] and "signal 9" in crashed["last_run"]["error"]
        assert crashed["counters"]["pages"] > 0, "the last live counters are kept"
        server.release()
        done = jobs_json(data, "resume", "demo-noordzee", "--wait", timeout=600)
        hits = list(server.hits)
    assert done["state"] == "finished" and done["last_run"]["summary"]["resumed"] is True
    assert stable(hits) == stable(clean_noordzee_run["hits"]), "no page missing after the crash"
    assert len(first_run) >= 60
    assert _repeated(hits) == [], "pages captured before the crash are replayed, not fetched again"
    expected = [i["path"] for i in demo_world.truth["listings"] if i["site"] == "noordzee"]
    assert _indexed(data, server.base_url, expected) == expected
    assert [r.outcome for r in manager.store.runs("demo-noordzee")] == ["finished", "crashed"]


def test_jobs_list_json_shows_state_counters_and_next_run(clean_noordzee_run):
    data = clean_noordzee_run["data"]
    before = datetime.now(UTC).replace(microsecond=0)
    jobs(data, "schedule", "http://127.0.0.1:9/market", "--name", "later", "--every", "6h",
         "--jitter", "10m")
    listed = {job["id"]: job for job in jobs_json(data, "list")["jobs"]}
    assert set(listed) == {"demo-noordzee", "later"}
    done = listed["demo-noordzee"]
    assert done["state"] == "finished" and done["counters"]["pages"] > 100
    assert done["next_run"] == "" and done["schedule"] == ""
    assert done["last_run"]["outcome"] == "finished"
    later = listed["later"]
    assert later["state"] == "idle" and later["counters"] == {}
    next_run = datetime.fromisoformat(later["next_run"])
    assert before + timedelta(hours=6) <= next_run <= before + timedelta(hours=6, minutes=10, seconds=2)


def test_job_errors_are_one_clear_line(tmp_path):
    proc = jobs(tmp_path, "resume", "nothing", check=False)
    assert proc.returncode == 2 and "no job 'nothing'" in proc.stderr and "Traceback" not in proc.stderr
    proc = jobs(tmp_path, "schedule", "http://127.0.0.1:9/", "--name", "x", "--cron", "61 * * * *",
                check=False)
    assert proc.returncode == 2 and "minute" in proc.stderr and "Traceback" not in proc.stderr


def test_state_errors(manager):
    import pytest

    from nachtwacht.jobs import JobStateError

    manager.create("http://127.0.0.1:9/", job_id="idle-job")
    with pytest.raises(JobStateError, match="not running"):
        manager.pause("idle-job")
    with pytest.raises(JobStateError, match="idle"):
        manager.resume("idle-job")
    with pytest.raises(JobStateError, match="exists"):
        manager.create("http://127.0.0.1:9/", job_id="idle-job")
