"""Recurring crawls: interval or cron schedules with jitter, adaptive recrawl, liveness events.

A job's `schedule` is `every 6h` (also `every 90m`, `every 1d12h`), `@hourly`, `@daily`,
`@weekly`, or a 5-field cron expression (`m h dom mon dow`, with `*`, lists, ranges, steps).
Its next run is the schedule's next time after the last run ended, plus a uniform random delay
in `[0, jitter_s]` so that many jobs do not hit Tor at once. A site whose last `k` checks were all
down is backed off: the gap becomes `2**k` times the schedule's gap, capped at `MAX_BACKOFF_S`.
After `down_after` consecutive down checks a `market_down` event is recorded once; the first up
check after that records `market_up`. A due run without a valid legal basis is refused before any
process starts (`run_refused` event, a `refused` run in the history). Retention is applied every
`retention_every` (default daily, env NACHTWACHT_RETENTION_EVERY). Only one scheduler per data
directory is active (`nachtwacht.jobs.lock`); another stands by and takes over when it goes. The
scheduler reads time from an injected clock, so tests drive it without sleeping.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from nachtwacht.jobs.exceptions import JobError, ScheduleError
from nachtwacht.jobs.lock import SchedulerLock
from nachtwacht.jobs.periodic import PeriodicRetention, retention_interval
from nachtwacht.jobs.store import now_iso

if TYPE_CHECKING:
    from nachtwacht.jobs.manager import JobManager
    from nachtwacht.jobs.model import Job
    from nachtwacht.jobs.store import JobStore

__all__ = ["MAX_BACKOFF_S", "CronSchedule", "IntervalSchedule", "Scheduler", "backoff_factor",
           "next_run_time", "parse_duration", "parse_schedule", "record_liveness"]

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 7 * 86400.0  # a dead site is still checked at least weekly
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
            "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}


def parse_duration(text: str) -> float:
    """Seconds in `90s`, `15m`, `6h`, `1d12h`, `2w` (a bare number is seconds)."""
    given = str(text)
    text = given.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if not text or _DURATION.sub("", text):
        raise ScheduleError(f"invalid duration {given!r}: use e.g. 90s, 15m, 6h, 1d12h")
    return float(sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(text)))


@dataclass(frozen=True)
class IntervalSchedule:
    seconds: float

    def next_after(self, when: datetime) -> datetime:
        return when + timedelta(seconds=self.seconds)


def _cron_field(text: str, low: int, high: int, name: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                a, b = body.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(body)
                if step_text:
                    end = high
        except ValueError:
            raise ScheduleError(f"cron field {name}: cannot read {part!r}") from None
        if name == "weekday" and end == 7:
            values.add(0)
            end = 6 if start <= 6 else 7
        if step < 1 or start < low or end > high or start > end:
            raise ScheduleError(f"cron field {name}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(v % 7 if name == "weekday" else v for v in values)


@dataclass(frozen=True)
class CronSchedule:
    """A 5-field cron expression evaluated in UTC (Vixie semantics for day-of-month/weekday)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> CronSchedule:
        fields = _ALIASES.get(text.strip(), text).split()
        if len(fields) != 5:
            raise ScheduleError(f"cron expression {text!r} needs 5 fields: minute hour day month weekday")
        return cls(_cron_field(fields[0], 0, 59, "minute"), _cron_field(fields[1], 0, 23, "hour"),
                   _cron_field(fields[2], 1, 31, "day"), _cron_field(fields[3], 1, 12, "month"),
                   _cron_field(fields[4], 0, 7, "weekday"), fields[2] == "*", fields[4] == "*")

    def _day_ok(self, when: datetime) -> bool:
        dom = when.day in self.days
        dow = (when.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow

    def next_after(self, when: datetime) -> datetime:
        """The first matching minute strictly after `when`."""
        t = when.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = t + timedelta(days=366 * 5)
        while t < limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_ok(t):
                t = t.replace(hour=0, minute=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += timedelta(minutes=1)
            else:
                return t
        raise ScheduleError("cron expression never matches (e.g. 31 February)")


Schedule = IntervalSchedule | CronSchedule


def parse_schedule(text: str) -> Schedule:
    """An interval (`every 6h`) or a cron schedule (`*/30 * * * *`, `@daily`)."""
    text = text.strip()
    if text.lower().startswith("every "):
        seconds = parse_duration(text[6:])
        if seconds <= 0:
            raise ScheduleError(f"{text!r}: the interval must be positive")
        return IntervalSchedule(seconds)
    return CronSchedule.parse(text)


def backoff_factor(down_streak: int) -> float:
    """How many schedule gaps to wait after `down_streak` consecutive down checks."""
    return float(2 ** min(max(down_streak, 0), 30))


def next_run_time(job: Job, now: datetime, down_streak: int = 0,
                  rng: random.Random | None = None) -> datetime:
    """When `job` should run next, seen from `now`: schedule, backoff for dead sites, jitter."""
    schedule = parse_schedule(job.schedule)
    base = schedule.next_after(now)
    if down_streak > 0:
        gap = (base - now).total_seconds()
        delay = min(gap * backoff_factor(down_streak), max(MAX_BACKOFF_S, gap))
        base = now + timedelta(seconds=delay)
    jitter = (rng or random).uniform(0, job.jitter_s) if job.jitter_s > 0 else 0.0
    return base + timedelta(seconds=jitter)


def _down_streak(checks: list[dict[str, Any]]) -> int:
    streak = 0
    for check in checks:  # newest first
        if check["up"]:
            break
        streak += 1
    return streak


def record_liveness(store: JobStore, job: Job, summary: dict[str, Any],
                    now: datetime | None = None) -> dict[str, Any] | None:
    """Record whether the site answered in a finished run; returns the event it fired, if any.

    Up means at least one page was fetched. `market_down` fires once, when the down streak reaches
    the job's `down_after`; `market_up` fires on the first up check after that.
    """
    at = now_iso(now)
    up = int(summary.get("pages", 0)) > 0
    errors = summary.get("errors") or {}
    if up:
        detail = f"pages={int(summary.get('pages', 0))}"
    else:
        detail = "errors: " + ", ".join(f"{k}={v}" for k, v in sorted(errors.items())) if errors else "no page"
    before = store.liveness(job.site, limit=max(job.down_after, 1) + 1000)
    store.record_liveness(job.site, job.id, at, up, detail)
    previous_down = _down_streak(before)
    last_up = next((c["checked_at"] for c in before if c["up"]), "")
    event: dict[str, Any] | None = None
    if not up and previous_down + 1 == max(job.down_after, 1):
        event = {"kind": "market_down", "streak": previous_down + 1,
                 "detail": {"last_seen": last_up, "errors": errors, "target": job.target}}
    elif up and previous_down >= max(job.down_after, 1):
        event = {"kind": "market_up", "streak": previous_down,
                 "detail": {"down_since": before[previous_down - 1]["checked_at"], "target": job.target}}
    if event is not None:
        event["id"] = store.add_event(event["kind"], job.site, job.id, at, event["streak"], event["detail"])
        event.update(site=job.site, job_id=job.id, at=at)
        logger.warning("%s: %s (streak %d)", job.site, event["kind"], event["streak"])
    return event


class Scheduler:
    """Starts due jobs and plans their next runs. `tick()` does one pass; `run()` loops.

    `clock` returns an aware UTC datetime; `rng` draws the jitter; `on_event` receives every
    event (market_down/market_up, run_refused) recorded since the scheduler started, once each.
    `retention_every` is a duration (`1d`), seconds, `off`, or None for the setting (default daily).
    A pass first takes the data directory's scheduler lock; without it (another scheduler is
    active) it does nothing: `active` is False and `holder` says who has it. `close()` lets go.
    """

    def __init__(self, manager: JobManager, *, clock: Callable[[], datetime] | None = None,
                 rng: random.Random | None = None,
                 on_event: Callable[[dict[str, Any]], None] | None = None,
                 retention_every: str | float | None = None,
                 backend_settings: dict[str, Any] | None = None):
        self.manager = manager
        self.store = manager.store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self.on_event = on_event
        self.retention = PeriodicRetention(self.store, manager.data_dir,
                                           retention_interval(retention_every), backend_settings)
        self.lock = SchedulerLock(manager.data_dir)
        self.active = False
        self.holder: dict[str, Any] = {}
        events = self.store.events()
        self._event_cursor = events[-1]["id"] if events else 0

    def close(self) -> None:
        """Release the scheduler lock (a standby scheduler takes over on its next pass)."""
        self.lock.release()
        self.active = False

    def _take_lock(self) -> bool:
        if self.lock.acquire():
            if not self.active:
                self.active, self.holder = True, {}
            return True
        holder = self.lock.holder()
        if self.active or holder != self.holder:
            logger.warning("another scheduler is active on %s (pid %s since %s): standing by",
                           self.manager.data_dir, holder.get("pid", "?"), holder.get("since", "?"))
        self.active, self.holder = False, holder
        return False

    def tick(self) -> list[str]:
        """Reap finished runs, apply retention when due, plan next runs, start the due jobs.

        Returns the ids started; [] without doing anything while another scheduler is active.
        """
        if not self._take_lock():
            return []
        self.manager.reap()
        now = self.clock()
        self.retention.maybe_run(now)  # before starting crawls: it may need the index writer
        started = []
        for job in self.store.jobs():
            if not job.schedule or job.state == "running":
                continue
            if not job.next_run:
                self.plan(job, now)
                continue
            if datetime.fromisoformat(job.next_run) <= now:
                if self._refused(job, now):
                    self.plan(job, now)
                    continue
                try:
                    self.manager.run(job.id, trigger="schedule")
                except JobError:
                    logger.exception("scheduled run of %s could not start", job.id)
                    self.plan(job, now)
                    continue
                self.store.update(job.id, next_run="")
                started.append(job.id)
        self._dispatch_events()
        return started

    def _refused(self, job: Job, now: datetime) -> bool:
        """Check the legal basis before a start; a refusal goes to the history, events and audit."""
        from nachtwacht.jobs.legal import job_case, legal_refusal

        env = self.manager.env
        try:
            reason = legal_refusal(self.manager.data_dir, job, env)
        except JobError as exc:  # the site config no longer loads: the worker would fail too
            reason = str(exc)
        if not reason:
            return False
        at = now_iso(now)
        case = job_case(job, env)
        run = self.store.record_refused_run(job.id, "schedule", reason, at=at)
        self.store.add_event("run_refused", job.site, job.id, at, 0,
                             {"reason": reason, "case_ref": case, "run_id": run.id, "target": job.target})
        try:
            from nachtwacht.audit import AuditLog

            AuditLog(self.manager.data_dir).append(actor="scheduler", role="system",
                                                   action="job.schedule.refused", target=job.id,
                                                   case_ref=case, details={"reason": reason})
        except Exception:  # the refusal stands and is recorded above; the audit failure is logged
            logger.exception("could not audit the refused run of %s", job.id)
        logger.warning("scheduled run of %s refused: %s", job.id, reason)
        return True

    def plan(self, job: Job, now: datetime | None = None) -> datetime:
        """Set the job's next run from `now` and the site's liveness; returns it."""
        now = now or self.clock()
        streak = _down_streak(self.store.liveness(job.site, limit=64))
        when = next_run_time(job, now, down_streak=streak, rng=self.rng)
        self.store.update(job.id, next_run=now_iso(when))
        return when

    def _dispatch_events(self) -> None:
        for event in self.store.events(self._event_cursor):
            self._event_cursor = event["id"]
            if self.on_event is not None:
                try:
                    self.on_event(event)
                except Exception:
                    logger.exception("liveness event handler failed")

    def run(self, stop: threading.Event | None = None, poll_s: float = 5.0) -> None:
        """Tick every `poll_s` seconds until `stop` is set (the `nachtwacht scheduler` loop)."""
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                started_at = time.monotonic()
                try:
                    started = self.tick()
                    if started:
                        logger.info("started %s", ", ".join(started))
                except Exception:
                    logger.exception("scheduler tick failed")
                stop.wait(max(0.0, poll_s - (time.monotonic() - started_at)))
        finally:
            self.close()
