"""Retention applied by the scheduler at a fixed interval (default daily), kept across restarts.

The next pass time lives in the jobs database (`meta` table), so restarting `serve` or
`nachtwacht scheduler` neither skips a pass nor runs one at every start. The first pass comes one
interval after a scheduler first ran on the data directory. A pass that fails (e.g. a crawl holds
the embedded index's writer) is retried after `RETRY_S` seconds.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nachtwacht.jobs.exceptions import ScheduleError
from nachtwacht.jobs.store import now_iso

if TYPE_CHECKING:
    from nachtwacht.jobs.store import JobStore
    from nachtwacht.rights import RetentionReport

__all__ = ["DEFAULT_RETENTION_EVERY", "RETENTION_EVERY_ENV", "RETRY_S", "PeriodicRetention",
           "retention_interval"]

logger = logging.getLogger(__name__)

RETENTION_EVERY_ENV = "NACHTWACHT_RETENTION_EVERY"  # e.g. 12h, 1d, 1w; `off` disables the passes
DEFAULT_RETENTION_EVERY = "1d"
RETRY_S = 900.0  # seconds before a failed pass is tried again (capped at the interval)
NEXT_KEY, LAST_KEY, ERROR_KEY = "retention_next", "retention_last", "retention_error"
_OFF = ("0", "off", "never", "no", "false")


def retention_interval(value: str | float | None = None) -> float | None:
    """Seconds between retention passes: `value` (a duration such as `1d`, or seconds), else env
    NACHTWACHT_RETENTION_EVERY, else daily. None when off (`off`, `never`, `0`)."""
    from nachtwacht.scheduler import parse_duration

    if value is None:
        value = os.environ.get(RETENTION_EVERY_ENV) or DEFAULT_RETENTION_EVERY
    if isinstance(value, str) and value.strip().lower() in _OFF:
        return None
    seconds = float(value) if isinstance(value, int | float) else parse_duration(value)
    if seconds < 0:
        raise ScheduleError(f"retention interval {value!r} must not be negative")
    return seconds or None


class PeriodicRetention:
    """`apply_retention` on the data directory whenever its time has come (see `maybe_run`)."""

    def __init__(self, store: JobStore, data_dir: str | Path, every_s: float | None,
                 backend_settings: dict[str, Any] | None = None):
        self.store = store
        self.data_dir = Path(data_dir)
        self.every_s = every_s
        self._backend_settings = backend_settings

    def state(self) -> dict[str, Any]:
        """Interval, next and last pass, last error (for status output)."""
        return {"every_s": self.every_s, "next": self.store.get_meta(NEXT_KEY),
                "last": self.store.get_meta(LAST_KEY), "error": self.store.get_meta(ERROR_KEY)}

    def maybe_run(self, now: datetime) -> RetentionReport | None:
        """Apply retention if due at `now` (the injected clock's time); returns its report."""
        if not self.every_s:
            return None
        planned = self.store.get_meta(NEXT_KEY)
        if not planned:
            self._plan(now, self.every_s)
            return None
        if datetime.fromisoformat(planned) > now:
            return None
        return self.run(now)

    def run(self, now: datetime) -> RetentionReport | None:
        """One pass now; a failure is logged and recorded, and the pass retried later."""
        from nachtwacht import settings as app_settings
        from nachtwacht.rights import apply_retention

        every = self.every_s or 86400.0
        backend = self._backend_settings or app_settings.backend_settings(self.data_dir)
        try:
            report = apply_retention(self.data_dir, backend, now=now, actor="scheduler")
        except Exception as exc:  # IndexerError (writer busy), PolicyError, ...: try again later
            logger.warning("retention pass failed, retrying in %ss: %s", min(RETRY_S, every), exc)
            self.store.set_meta(ERROR_KEY, f"{now_iso(now)} {type(exc).__name__}: {exc}")
            self._plan(now, min(RETRY_S, every))
            return None
        self.store.set_meta(LAST_KEY, now_iso(now))
        self.store.set_meta(ERROR_KEY, "")
        self._plan(now, every)
        return report

    def _plan(self, now: datetime, seconds: float) -> None:
        self.store.set_meta(NEXT_KEY, now_iso(now + timedelta(seconds=seconds)))
