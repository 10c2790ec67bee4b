"""Plain data of the job layer: a job (what to crawl, how, when) and one run of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ACTIVE_STATES", "JOB_STATES", "RUN_OUTCOMES", "Job", "Run"]

# idle: never run; running: a crawl process is alive; the rest: how the last run ended.
JOB_STATES = ("idle", "running", "paused", "stopped", "crashed", "finished", "failed")
# refused: never started (no legal basis); recorded in the history, the job's state is unchanged.
RUN_OUTCOMES = ("finished", "paused", "stopped", "crashed", "failed", "refused")
ACTIVE_STATES = ("running",)


@dataclass
class Job:
    """A crawl job. `target` is a site config path or a start URL; the rest are its options.

    `scope` lists host patterns (fnmatch, e.g. `*.onion` or one address) that discovered onions
    may be followed into; `discovery` is `review` (queue them), `follow` (new jobs within scope)
    or `off`. `schedule` is `every 6h` / `@daily` / a 5-field cron expression, or empty (manual).
    """

    id: str
    target: str
    site: str = ""
    kind: str = "market"
    via: str = ""
    base_url: str = ""
    max_pages: int | None = None
    depth: int | None = None
    settings: dict[str, str] = field(default_factory=dict)
    tor_socks: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    discovery: str = "review"
    schedule: str = ""
    jitter_s: float = 0.0
    down_after: int = 3
    state: str = "idle"
    requested: str = ""
    next_run: str = ""
    created_at: str = ""
    updated_at: str = ""
    parent: str = ""

    SPEC_FIELDS = ("via", "base_url", "max_pages", "depth", "settings", "tor_socks", "scope",
                   "discovery", "parent")

    def spec(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.SPEC_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Run:
    """One crawl process of a job, from start to its outcome (empty while it runs)."""

    id: int
    job_id: str
    started_at: str
    trigger: str = "manual"
    ended_at: str = ""
    outcome: str = ""
    pid: int = 0
    pid_start: str = ""
    exit_code: int | None = None
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
