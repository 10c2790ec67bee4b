"""The crawl process of a job: spawn it detached, tell whether it still lives, signal it by PID.

A PID alone can be reused after the process died: each run records the process start time
(`/proc/<pid>/stat` field 22) and a PID counts as the run's only while both match. A zombie
(exited, not yet reaped) counts as dead.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["alive", "process_start", "signal_process", "spawn", "wait_dead"]

logger = logging.getLogger(__name__)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces
    return [text[: text.index(" ")], "comm", *text[text.rindex(")") + 2:].split()]


def process_start(pid: int) -> str:
    """The start time of `pid` in clock ticks since boot, or "" when unknown."""
    fields = _stat(pid)
    return fields[21] if fields and len(fields) > 21 else ""


def alive(pid: int, start: str = "") -> bool:
    """True while `pid` runs (not a zombie) and, when `start` is given, is the same process."""
    if pid <= 0:
        return False
    fields = _stat(pid)
    if fields is None:
        if Path("/proc/self/stat").exists():
            return False
        try:  # no procfs: fall back to a signal-0 probe
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[2] in ("Z", "X"):
        return False
    return not start or fields[21] == start


def spawn(args: list[str], *, log_path: Path, env: dict[str, str] | None = None,
          cwd: str | Path | None = None) -> subprocess.Popen[bytes]:
    """Start `python -m nachtwacht ARGS` in its own session, output appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "nachtwacht", *args], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env=env, cwd=cwd, close_fds=True)
    logger.info("spawned pid %d: nachtwacht %s", proc.pid, " ".join(args))
    return proc


def signal_process(pid: int, start: str, sig: int = signal.SIGTERM) -> bool:
    """Send `sig` to the run's process if it is still that process; False when it is gone."""
    if not alive(pid, start):
        return False
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    return True


def wait_dead(pid: int, start: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll until the process is gone (reaping it when it is our child); False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None:
            proc.poll()
        if not alive(pid, start):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
