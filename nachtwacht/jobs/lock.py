"""One active scheduler per data directory: an exclusive `flock` on `<data_dir>/jobs/scheduler.lock`.

`nachtwacht serve` runs a scheduler and `nachtwacht scheduler` is another; without this both
would start the same due job. The lock belongs to an open file, so it is held per `SchedulerLock`
(two in one process exclude each other too) and the kernel drops it when its holder dies: a
standby scheduler takes over on its next pass, no stale lease to expire. Crawl workers do not
inherit it (the descriptor is close-on-exec and workers are spawned with `close_fds`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any, BinaryIO

from nachtwacht.jobs.store import now_iso

__all__ = ["LOCK_FILE", "SchedulerLock"]

logger = logging.getLogger(__name__)

LOCK_FILE = "scheduler.lock"


class SchedulerLock:
    """Non-blocking exclusive lock; `acquire` is cheap to call on every scheduler pass."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / "jobs" / LOCK_FILE
        self._file: BinaryIO | None = None  # closed (lock dropped) when this object is collected too
        self._mutex = threading.Lock()

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> bool:
        """Take the lock if free (True), or keep it if held; False while another holder has it."""
        with self._mutex:
            if self._file is not None:
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            except BaseException:
                handle.close()
                raise
            info = {"pid": os.getpid(), "host": socket.gethostname(), "since": now_iso(),
                    "thread": threading.current_thread().name}
            handle.truncate(0)
            handle.write(json.dumps(info).encode())
            handle.flush()
            self._file = handle
            logger.info("scheduler lock taken: %s", self.path)
            return True

    def holder(self) -> dict[str, Any]:
        """Who holds (or last held) the lock: pid, host, since; {} when unknown."""
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8") or "{}"))
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        with self._mutex:
            if self._file is None:
                return
            handle, self._file = self._file, None
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            finally:
                handle.close()
