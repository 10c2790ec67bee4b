"""`nachtwacht jobs ...` and `nachtwacht scheduler`: parse, call `nachtwacht.jobs`, render."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nachtwacht import settings as app_settings
from nachtwacht.jobs import JobManager

__all__ = ["jobs_app", "scheduler"]

jobs_app = typer.Typer(help="Crawl jobs: define, schedule, run, pause, resume, stop, inspect.",
                       no_args_is_help=True)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
JobArg = Annotated[str, typer.Argument(help="job id (see `nachtwacht jobs list`)")]


def _manager(data_dir: Path | None) -> JobManager:
    return JobManager(app_settings.data_dir(data_dir))


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _settings(pairs: list[str] | None) -> dict[str, str]:
    values = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise typer.BadParameter(f"--set takes NAME=VALUE with an upper-case Scrapy setting, got {pair!r}")
        values[name] = value
    return values


def _job_line(job: dict[str, Any]) -> str:
    c = job.get("counters") or {}
    return (f"{job['id']}: {job['state']}, {c.get('pages', 0)} pages, {c.get('listings', 0)} listings, "
            f"{c.get('posts', 0)} posts, next run {job.get('next_run') or '-'}")


@jobs_app.command("schedule")
def schedule(
    target: Annotated[str, typer.Argument(help="site config (path or name), start URL, or an existing job id")],
    name: Annotated[str | None, typer.Option("--name", help="job id (default: the site's name)")] = None,
    every: Annotated[str | None, typer.Option(help="interval, e.g. 6h, 30m, 1d")] = None,
    cron: Annotated[str | None, typer.Option(help="cron expression (UTC), e.g. '0 */6 * * *' or @daily")] = None,
    jitter: Annotated[str, typer.Option(help="random delay added to each run, e.g. 10m")] = "0",
    down_after: Annotated[int, typer.Option(help="down checks in a row before a market_down event")] = 3,
    via: Annotated[str | None, typer.Option(help="tor or direct; default: the site's")] = None,
    base_url: Annotated[str | None, typer.Option(help="serve the site config from another base URL")] = None,
    max_pages: Annotated[int | None, typer.Option(help="pages per run")] = None,
    depth: Annotated[int | None, typer.Option(help="link depth limit")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="onion host pattern discovered links may be followed into")] = None,
    discovery: Annotated[str, typer.Option(help="review (queue new onions), follow (within --scope), off")] = "review",
    tor_socks: Annotated[list[str] | None, typer.Option(help="tor SOCKS endpoint host:port (repeatable)")] = None,
    setting: Annotated[list[str] | None, typer.Option("--set", help="Scrapy setting NAME=VALUE (repeatable)")] = None,
    replace: Annotated[bool, typer.Option(help="redefine an existing job")] = False,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Define a job (no --every/--cron: run by hand) or change the schedule of an existing one."""
    from nachtwacht.scheduler import parse_duration, parse_schedule

    if every and cron:
        raise typer.BadParameter("give --every or --cron, not both")
    if via not in (None, "tor", "direct"):
        raise typer.BadParameter("--via must be tor or direct")
    if discovery not in ("review", "follow", "off"):
        raise typer.BadParameter("--discovery must be review, follow or off")
    expression = f"every {every}" if every else (cron or "")
    if expression:
        parse_schedule(expression)
    jitter_s = parse_duration(jitter)
    manager = _manager(data_dir)
    try:
        if manager.store.exists(target) and not name:
            manager.store.update(target, schedule=expression, jitter_s=jitter_s, down_after=down_after,
                                 next_run="")
            job = manager.get(target)
        else:
            job = manager.create(target, job_id=name, replace=replace, via=via or "",
                                 base_url=base_url or "", max_pages=max_pages, depth=depth,
                                 settings=_settings(setting), tor_socks=list(tor_socks or []),
                                 scope=list(scope or []), discovery=discovery, schedule=expression,
                                 jitter_s=jitter_s, down_after=down_after)
        if job.schedule:
            from nachtwacht.scheduler import Scheduler

            Scheduler(manager).plan(job)
        result = manager.status(job.id)
    finally:
        manager.close()
    if json_out:
        _emit(result)
    else:
        out.print(f"job {result['id']} ({result['target']}): "
                  + (f"{result['schedule']}, next run {result['next_run']}" if result["schedule"]
                     else "manual (run with `nachtwacht jobs run`)"))


@jobs_app.command("list")
def list_jobs(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Every job with its state, counters, liveness and next run."""
    manager = _manager(data_dir)
    try:
        jobs = [manager.describe(job) for job in manager.jobs()]
    finally:
        manager.close()
    if json_out:
        _emit({"jobs": jobs})
        return
    table = Table(title=f"{len(jobs)} job(s)")
    for column in ("job", "site", "state", "pages", "listings", "posts", "errors", "pending",
                   "liveness", "schedule", "next run"):
        table.add_column(column)
    for job in jobs:
        c = job["counters"]
        errors = sum((c.get("errors") or {}).values())
        live = job["liveness"]
        table.add_row(job["id"], job["site"], job["state"], str(c.get("pages", 0)),
                      str(c.get("listings", 0)), str(c.get("posts", 0)), str(errors),
                      str(job["frontier"].get("pending", 0)), f"{live['state']} x{live['streak']}",
                      job["schedule"] or "manual", job["next_run"] or "-")
    out.print(table)


@jobs_app.command("status")
def status(job_id: JobArg, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """One job: state, live counters, frontier, last run, liveness."""
    manager = _manager(data_dir)
    try:
        result = manager.status(job_id)
    finally:
        manager.close()
    if json_out:
        _emit(result)
    else:
        out.print(_job_line(result))
        out.print_json(data=result)


@jobs_app.command("run")
def run(job_id: JobArg,
        fresh: Annotated[bool, typer.Option(help="start over instead of resuming pending pages")] = False,
        wait: Annotated[bool, typer.Option(help="wait for the run to end")] = False,
        data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Start a run in the background (a paused or crashed job resumes; --fresh starts over)."""
    _start(job_id, data_dir, json_out, wait, resume=False, fresh=fresh or None)


@jobs_app.command("resume")
def resume(job_id: JobArg,
           wait: Annotated[bool, typer.Option(help="wait for the run to end")] = False,
           data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Resume a paused, stopped or crashed job where it left off."""
    _start(job_id, data_dir, json_out, wait, resume=True, fresh=None)


def _start(job_id: str, data_dir: Path | None, json_out: bool, wait: bool, *, resume: bool,
           fresh: bool | None) -> None:
    manager = _manager(data_dir)
    try:
        manager.resume(job_id) if resume else manager.run(job_id, fresh=fresh)
        if wait:
            manager.wait(job_id)
        result = manager.status(job_id)
    finally:
        manager.close()
    _show(result, json_out)


@jobs_app.command("pause")
def pause(job_id: JobArg, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Stop the crawl gracefully and keep its pending pages for `jobs resume`."""
    _interrupt(job_id, data_dir, json_out, "pause")


@jobs_app.command("stop")
def stop(job_id: JobArg, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """End the crawl; the next `jobs run` starts over."""
    _interrupt(job_id, data_dir, json_out, "stop")


def _interrupt(job_id: str, data_dir: Path | None, json_out: bool, action: str) -> None:
    """`action` is "pause" or "stop", the `JobManager` method of that name."""
    manager = _manager(data_dir)
    try:
        getattr(manager, action)(job_id)
        result = manager.status(job_id)
    finally:
        manager.close()
    _show(result, json_out)


def _show(result: dict[str, Any], json_out: bool) -> None:
    """One job's status: JSON, or one human line."""
    if json_out:
        _emit(result)
    else:
        out.print(_job_line(result))


@jobs_app.command("log")
def log(job_id: JobArg,
        lines: Annotated[int, typer.Option("--lines", "-n", help="last lines to show")] = 50,
        worker: Annotated[bool, typer.Option(help="the supervisor's worker.log instead of crawl.log")] = False,
        history: Annotated[bool, typer.Option(help="the run history instead of the log")] = False,
        data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """The job's crawl log (or its worker log, or its run history)."""
    manager = _manager(data_dir)
    try:
        if history:
            runs = manager.history(job_id, limit=lines)
            if json_out:
                _emit({"job": job_id, "runs": runs})
            else:
                for r in runs:
                    out.print(f"run {r['id']} {r['trigger']}: {r['started_at']} -> "
                              f"{r['ended_at'] or '...'} {r['outcome'] or 'running'} {r['error']}")
            return
        text = manager.log(job_id, lines=lines, which="worker" if worker else "crawl")
    finally:
        manager.close()
    if json_out:
        _emit({"job": job_id, "lines": text})
    else:
        for line in text:
            out.print(line, markup=False, highlight=False)


@jobs_app.command("events")
def events(since: Annotated[int, typer.Option(help="only events after this id")] = 0,
           data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Liveness events (market_down, market_up), oldest first."""
    manager = _manager(data_dir)
    try:
        found = manager.store.events(since)
    finally:
        manager.close()
    if json_out:
        _emit({"events": found})
    else:
        for e in found:
            out.print(f"{e['id']} {e['at']} {e['kind']} {e['site']} (job {e['job_id']}, streak {e['streak']})")


@jobs_app.command("onions")
def onions(status: Annotated[str | None, typer.Option(help="queued, follow, followed or ignored")] = None,
           follow: Annotated[str | None, typer.Option(help="approve this onion: create its crawl job")] = None,
           ignore: Annotated[str | None, typer.Option(help="mark this onion ignored")] = None,
           data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Onions discovered in crawled pages (valid v3 only), with where they were seen."""
    from crawlers.discovery import DiscoveryStore

    manager = _manager(data_dir)
    store = DiscoveryStore(manager.data_dir)
    try:
        if follow:
            job = manager.approve_onion(follow)
            err.print(f"job {job.id} created for {follow} (run it with `nachtwacht jobs run {job.id}`)")
        if ignore and not store.set_status(ignore, "ignored"):
            raise typer.BadParameter(f"{ignore} was never discovered")
        found = [{**o, "seen_on": store.sightings(o["address"])} for o in store.onions(status)]
    finally:
        store.close()
        manager.close()
    if json_out:
        _emit({"onions": found})
        return
    table = Table(title=f"{len(found)} discovered onion(s)")
    for column in ("address", "status", "sightings", "first seen on", "job"):
        table.add_column(column, overflow="fold")
    for o in found:
        table.add_row(o["address"], o["status"], str(o["sightings"]), o["first_url"], o["job"])
    out.print(table)


@jobs_app.command("exec", hidden=True)
def exec_(job_id: JobArg, run_id: Annotated[int, typer.Option("--run")],
          fresh: Annotated[bool, typer.Option()] = False, data_dir: DataDir = None) -> None:
    """Internal: the crawl process of one run (started by `jobs run`)."""
    from nachtwacht.jobs.worker import execute

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    summary = execute(app_settings.data_dir(data_dir), job_id, run_id, fresh=fresh)
    _emit(summary)


def scheduler(
    poll: Annotated[float, typer.Option(help="seconds between passes")] = 5.0,
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    retention_every: Annotated[str | None, typer.Option(
        help="apply retention this often (e.g. 12h, 1d) or `off`; default env "
             "NACHTWACHT_RETENTION_EVERY, else 1d")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Run scheduled jobs on time until interrupted (SIGINT/SIGTERM); one pass with --once.

    One scheduler is active per data directory (`serve` runs one too): another stands by.
    """
    from nachtwacht.scheduler import Scheduler

    manager = _manager(data_dir)
    stop_flag = threading.Event()

    def on_event(event: dict[str, Any]) -> None:
        if json_out:
            _emit({"event": event})
        else:
            err.print(f"[bold red]{event['kind']}[/] {event['site']} (streak {event['streak']})")

    try:
        sched = Scheduler(manager, on_event=on_event, retention_every=retention_every)
        if once:
            try:
                started = sched.tick()
            finally:
                sched.close()
            standby = _standby(sched, manager.data_dir)
            if json_out:
                _emit({"started": started, "active": not standby, "active_scheduler": sched.holder,
                       "retention": sched.retention.state(),
                       "jobs": [manager.describe(j) for j in manager.jobs()]})
            elif standby:
                err.print(standby)
            else:
                out.print(f"started: {', '.join(started) or 'nothing due'}")
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop_flag.set())
        err.print(f"scheduler running on {manager.data_dir} (every {poll}s); Ctrl-C stops it")
        if not sched.lock.acquire():
            err.print(_standby(sched, manager.data_dir, waiting=True))
        sched.run(stop_flag, poll_s=poll)
    finally:
        manager.close()


def _standby(sched: Any, data_dir: Path, waiting: bool = False) -> str:
    """The line saying another scheduler is active on `data_dir` ("" when this one was)."""
    holder = sched.holder if not waiting else sched.lock.holder()
    if not holder:
        return ""
    what = "standing by until it stops" if waiting else "nothing started"
    return (f"another scheduler is active on {data_dir} (pid {holder.get('pid', '?')} since "
            f"{holder.get('since', '?')}): {what}")
