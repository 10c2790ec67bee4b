"""`RedisFrontier` against a real Redis: one queue for many workers, leases, requeue, states."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from crawlers.distributed.exceptions import DistributedError
from crawlers.distributed.frontier import RedisFrontier


@pytest.fixture
def job() -> str:
    return "t-" + uuid.uuid4().hex[:8]


def _pair(redis_url: str, job: str, lease: float = 30.0, **kw) -> tuple[RedisFrontier, RedisFrontier]:
    return (RedisFrontier(redis_url, job, "a", lease=lease, **kw),
            RedisFrontier(redis_url, job, "b", lease=lease, **kw))


def test_a_url_is_known_once_across_workers(redis_url, job):
    a, b = _pair(redis_url, job)
    assert a.add("http://s/1", depth=0) is True
    assert b.add("http://s/1", depth=3) is False
    assert b.get("http://s/1").depth == 0
    assert a.count("pending") == 1 and a.count() == 1


def test_claims_are_exclusive_and_lowest_depth_first(redis_url, job):
    a, b = _pair(redis_url, job)
    for i in range(20):
        a.add(f"http://s/{i}", depth=2 if i < 10 else 1)
    got_a, got_b = [], []
    barrier = threading.Barrier(2)

    def take(frontier: RedisFrontier, out: list) -> None:
        barrier.wait()
        while batch := frontier.claim(3):
            out.extend(e.url for e in batch)

    threads = [threading.Thread(target=take, args=(a, got_a)), threading.Thread(target=take, args=(b, got_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(got_a) & set(got_b)
    assert sorted(got_a + got_b) == sorted(f"http://s/{i}" for i in range(20))
    first = RedisFrontier(redis_url, job + "x", "c")
    first.add("http://s/deep", depth=5)
    first.add("http://s/shallow", depth=1)
    assert [e.url for e in first.claim(2)] == ["http://s/shallow", "http://s/deep"]


def test_done_urls_leave_the_leases_and_finish_the_job(redis_url, job):
    a, _ = _pair(redis_url, job)
    a.add("http://s/1", depth=0)
    a.add("http://s/trap", depth=1, state="trap")
    [entry] = a.claim(10)
    status = a.status()
    assert (status.queued, status.leased, status.finished) == (0, 1, False)
    a.mark([entry.url], "done")
    assert a.status().finished
    assert a.counts() == {"done": 1, "trap": 1}
    assert a.held == set()


def test_a_dead_workers_lease_expires_and_another_worker_gets_the_url(redis_url, job):
    a, b = _pair(redis_url, job, lease=0.3)
    a.add("http://s/1", depth=0)
    assert [e.url for e in a.claim(1)] == ["http://s/1"]
    assert b.claim(1) == []  # leased by a
    time.sleep(0.45)  # a died: no heartbeat
    assert [e.url for e in b.claim(1)] == ["http://s/1"]
    assert b.requeued == 1
    b.mark(["http://s/1"], "done")
    assert b.counts() == {"done": 1}


def test_heartbeat_keeps_a_live_workers_lease(redis_url, job):
    a, b = _pair(redis_url, job, lease=0.4)
    a.add("http://s/1", depth=0)
    a.claim(1)
    for _ in range(4):
        time.sleep(0.2)
        assert a.heartbeat() == 1
        assert b.claim(1) == []
    assert "a" in a.status().live


def test_transient_failures_retry_then_fail(redis_url, job):
    a, b = _pair(redis_url, job, max_attempts=2)
    a.add("http://s/1", depth=0)
    a.claim(1)
    assert a.release(["http://s/1"]) == 1  # back in the queue
    assert [e.url for e in b.claim(1)] == ["http://s/1"]
    assert b.release(["http://s/1"]) == 0  # second attempt: failed, not requeued
    assert b.counts() == {"failed": 1} and b.status().finished


def test_leaving_gives_uncommitted_urls_back_at_once(redis_url, job):
    a, b = _pair(redis_url, job)
    a.add("http://s/1", depth=0)
    a.begin_run()
    a.claim(1)
    a.end_run("shutdown")
    assert [e.url for e in b.claim(1)] == ["http://s/1"]
    assert "a" not in b.status().workers


def test_shape_counts_are_shared(redis_url, job):
    a, b = _pair(redis_url, job)
    a.add("http://s/agenda/2031/7", depth=1)
    b.add("http://s/agenda/2032/1", depth=1)
    assert a.shape_count("http://s/agenda/1999/1") == 2


def test_unreachable_redis_is_one_clear_error(job):
    frontier = RedisFrontier("redis://127.0.0.1:1/0", job, "a")
    with pytest.raises(DistributedError, match=r"frontier add failed.*127\.0\.0\.1:1"):
        frontier.add("http://s/1", depth=0)
