"""Pause/stop requests that reach a crawl worker before Scrapy has installed its signal handlers.

The supervisor spawns a worker with SIGTERM and SIGINT blocked (`blocked_in_children`): a signal
sent while the interpreter starts and imports stays pending instead of killing the process. The
worker's first act is `EarlyStop.install`, which records such a signal and only then unblocks them.
Before the crawl starts, the worker checks `requested` and ends the run as asked; once the crawl
runs with Scrapy's own handlers, `forward` re-sends the recorded signal to them (graceful stop).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["HANDLED", "EarlyStop", "blocked_in_children"]

logger = logging.getLogger(__name__)

HANDLED = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def blocked_in_children() -> Iterator[None]:
    """Block SIGTERM/SIGINT in the calling thread while a child process is spawned in the block.

    A child inherits the blocked mask through fork and exec, so the signals wait (pending) until
    it installs its handlers. This thread's own mask is restored on exit (a signal that came
    meanwhile is then delivered to it).
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class EarlyStop:
    """Records the first SIGTERM/SIGINT until the crawl's own handlers take over.

    `install` must be called from the main thread; `forward` from the main (reactor) thread too.
    """

    def __init__(self) -> None:
        self.signum = 0
        self.forwarded = False

    @property
    def requested(self) -> bool:
        """True once a pause/stop signal arrived."""
        return bool(self.signum)

    def install(self) -> None:
        """Handle SIGTERM/SIGINT by recording them, then unblock them (pending ones arrive now)."""
        for sig in HANDLED:
            signal.signal(sig, self._record)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        # no logging here: a signal handler may interrupt a write to the same stream
        if not self.signum:
            self.signum = signum

    def ours(self, sig: int) -> bool:
        """True while `sig` is still handled by this object (no crawl handler installed yet)."""
        return signal.getsignal(sig) == self._record

    def forward(self) -> bool:
        """Re-send a recorded signal once another handler (Scrapy's) is in place; True if sent."""
        if not self.signum or self.forwarded or self.ours(self.signum):
            return False
        self.forwarded = True
        logger.info("forwarding the early %s to the crawl's handler", signal.Signals(self.signum).name)
        os.kill(os.getpid(), self.signum)
        return True
