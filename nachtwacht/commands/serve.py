"""`nachtwacht serve`: the REST API and the web UI on one port (loopback by default), and the
scheduler of recurring crawl jobs in a background thread."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["serve", "start_scheduler"]

log = logging.getLogger(__name__)

SCHEDULER_JOIN_S = 10.0  # seconds serve waits for the scheduler's current pass when it exits


def start_scheduler(data_dir: Path, poll_s: float,
                    retention_every: str | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run `nachtwacht.scheduler.Scheduler` over `data_dir` in a daemon thread until the event is set.

    `retention_every` is the scheduler's retention interval (`1d`, seconds, `off`; None: the setting).
    The thread opens its own JobManager (SQLite connections belong to their thread). Crawl runs it
    starts are detached processes: they go on when serve exits, like runs started from the CLI.
    """
    stop = threading.Event()

    def loop() -> None:
        from nachtwacht.jobs import JobManager
        from nachtwacht.scheduler import Scheduler

        manager = JobManager(data_dir)
        try:
            Scheduler(manager, on_event=lambda e: log.warning("%s: %s", e["site"], e["kind"]),
                      retention_every=retention_every).run(stop, poll_s=poll_s)
        finally:
            manager.close()

    thread = threading.Thread(target=loop, name="nachtwacht-scheduler", daemon=True)
    thread.start()
    return thread, stop


def serve(
    host: Annotated[str, typer.Option(help="address to bind (keep 127.0.0.1 behind a reverse proxy)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8470,
    secure_cookies: Annotated[bool, typer.Option(help="mark session cookies Secure (behind HTTPS)")] = False,
    scheduler: Annotated[bool, typer.Option("--scheduler/--no-scheduler",
                                            help="also run scheduled crawl jobs (off when `nachtwacht "
                                                 "scheduler` runs elsewhere on this data directory)")] = True,
    scheduler_poll: Annotated[float, typer.Option(min=0.05, help="seconds between scheduler passes")] = 5.0,
    retention_every: Annotated[str | None, typer.Option(
        help="the scheduler applies retention this often (e.g. 12h, 1d) or `off`; default env "
             "NACHTWACHT_RETENTION_EVERY, else 1d")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")] = None,
) -> None:
    """Serve the REST API (/api, OpenAPI at /api/openapi.json) and the web UI; run scheduled jobs."""
    import uvicorn

    from nachtwacht.api import create_app
    from nachtwacht.app import Nachtwacht
    from nachtwacht.jobs.periodic import retention_interval

    retention_interval(retention_every)  # a bad interval is a clear error now, not a dead thread later
    nw = Nachtwacht(data_dir, backend=backend)
    app = create_app(nw, secure_cookies=secure_cookies)
    background = start_scheduler(nw.data_dir, scheduler_poll, retention_every) if scheduler else None
    typer.echo(f"nachtwacht UI on http://{host}:{port}/  (API docs: /api/docs)"
               + (f"; scheduler every {scheduler_poll:g} s" if background else "; scheduler off"), err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
    finally:
        if background is not None:
            thread, stop = background
            stop.set()
            thread.join(timeout=SCHEDULER_JOIN_S)
