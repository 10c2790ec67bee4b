"""The garbage collector's policy in the crawl's long-lived processes.

A crawl process holds ~120-200 k container objects from its imports (Scrapy, Twisted, lxml
bindings, the extraction models in a worker) that live as long as it does. CPython's full
collections walk every one of them; with the cyclic garbage a crawl makes (coroutines,
Deferreds, Failures), a 2-core crawl ran 5 of them in 6 s at ~150 ms each, and the young
collections another ~0.6 s (see benchmarks/bench_crawl.py and the README).

`gc.freeze()` moves the objects alive at that moment into a permanent generation that no
collection walks, so the collections only see what the crawl made. A larger first threshold
lets most of a page's short-lived cycles die between collections instead of being promoted.
Objects frozen here are collected again after `thaw()`.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze", "thaw"]

_lock = threading.Lock()
_holders = 0
_saved_threshold: tuple[int, int, int] | None = None


def freeze(threshold0: int | None = None) -> None:
    """Collect once, then freeze every object alive now; optionally raise the young threshold.

    Nested calls (several crawls in one process) are counted; the last `thaw()` restores the
    collector as it was.
    """
    global _holders, _saved_threshold
    with _lock:
        _holders += 1
        if _holders == 1:
            _saved_threshold = gc.get_threshold()
            if threshold0:
                gc.set_threshold(threshold0, *_saved_threshold[1:])
        gc.collect()
        gc.freeze()


def thaw() -> None:
    """Undo one `freeze()`; the last one unfreezes and restores the thresholds."""
    global _holders, _saved_threshold
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders == 0:
            gc.unfreeze()
            if _saved_threshold is not None:
                gc.set_threshold(*_saved_threshold)
            _saved_threshold = None
