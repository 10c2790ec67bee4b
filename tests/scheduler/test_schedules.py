"""Schedule expressions, jitter bounds and backoff, evaluated against fixed times (no clock)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from nachtwacht.jobs import Job, JobStore, ScheduleError
from nachtwacht.scheduler import (
    MAX_BACKOFF_S,
    backoff_factor,
    next_run_time,
    parse_duration,
    parse_schedule,
    record_liveness,
)

T0 = datetime(2031, 3, 14, 10, 7, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("6h", 21600),
                                              ("1d12h", 129600), ("2w", 1209600), ("45", 45)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "6x", "h", "1h-2m"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ScheduleError):
        parse_duration(text)


@pytest.mark.parametrize(("expr", "expected"), [
    ("every 6h", datetime(2031, 3, 14, 16, 7, 30, tzinfo=UTC)),
    ("*/15 * * * *", datetime(2031, 3, 14, 10, 15, tzinfo=UTC)),
    ("0 */6 * * *", datetime(2031, 3, 14, 12, 0, tzinfo=UTC)),
    ("30 2 * * 1", datetime(2031, 3, 17, 2, 30, tzinfo=UTC)),  # next Monday
    ("@daily", datetime(2031, 3, 15, 0, 0, tzinfo=UTC)),
    ("0 0 1 * *", datetime(2031, 4, 1, 0, 0, tzinfo=UTC)),
    ("0 9 13 * 5", datetime(2031, 3, 21, 9, 0, tzinfo=UTC)),  # day 13 OR Friday: next Friday first
    ("5 4 29 2 *", datetime(2032, 2, 29, 4, 5, tzinfo=UTC)),  # next leap day
    ("0 0 * * 7", datetime(2031, 3, 16, 0, 0, tzinfo=UTC)),  # 7 is Sunday too
])
def test_next_times(expr, expected):
    assert parse_schedule(expr).next_after(T0) == expected


@pytest.mark.parametrize(("expr", "field"), [("61 * * * *", "minute"), ("* 24 * * *", "hour"),
                                             ("* * * *", "5 fields"), ("*/0 * * * *", "minute"),
                                             ("every 0s", "positive"), ("0 0 31 2 *", "never")])
def test_bad_schedules_name_the_problem(expr, field):
    with pytest.raises(ScheduleError, match=field):
        parse_schedule(expr).next_after(T0)


def test_jitter_stays_inside_its_bounds_and_spreads():
    job = Job(id="j", target="http://x.onion/", schedule="every 1h", jitter_s=600)
    rng = random.Random(42)
    offsets = [(next_run_time(job, T0, rng=rng) - (T0 + timedelta(hours=1))).total_seconds()
               for _ in range(300)]
    assert all(0 <= offset <= 600 for offset in offsets)
    assert max(offsets) - min(offsets) > 500, "jitter spreads the runs over its window"
    assert next_run_time(Job(id="k", target="x", schedule="every 1h"), T0) == T0 + timedelta(hours=1)


def test_dead_sites_back_off_exponentially_up_to_a_cap():
    job = Job(id="j", target="http://x.onion/", schedule="every 1h")
    gaps = [(next_run_time(job, T0, down_streak=k) - T0).total_seconds() / 3600 for k in range(6)]
    assert gaps == [1, 2, 4, 8, 16, 32]
    assert (next_run_time(job, T0, down_streak=40) - T0).total_seconds() == MAX_BACKOFF_S
    assert backoff_factor(0) == 1 and backoff_factor(3) == 8


def test_liveness_events_fire_once_per_outage(tmp_path):
    store = JobStore(tmp_path)
    job = Job(id="m", target="http://m.onion/", site="m-site", down_after=3)
    store.save(job)
    down = {"pages": 0, "errors": {"tor": 3}}
    up = {"pages": 12, "errors": {}}
    fired = [record_liveness(store, job, s) for s in (up, down, down, down, down, up, down)]
    kinds = [e["kind"] if e else None for e in fired]
    assert kinds == [None, None, None, "market_down", None, "market_up", None]
    assert fired[3]["streak"] == 3 and fired[3]["detail"]["last_seen"]
    assert fired[5]["streak"] == 4
    assert [e["kind"] for e in store.events()] == ["market_down", "market_up"]
    history = store.liveness("m-site")
    assert [c["up"] for c in history] == [False, True, False, False, False, False, True]
    assert history[0]["detail"] == "errors: tor=3"
    store.close()
