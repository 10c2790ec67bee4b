"""One index backend per process and data directory, shared by the crawlers running in it.

The embedded index allows one writer: two spiders of one `nachtwacht demo` must share it.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

__all__ = ["acquire", "index_writer", "release"]

_lock = threading.Lock()
_open: dict[str, tuple[Any, int]] = {}


def index_writer(value: Any, cores: int | None = None) -> str:
    """Where the embedded index is written, for `NACHTWACHT_INDEX_WRITER`: "inline" (the crawl
    process), "process" (a child process, `indexer._writer`) or "auto" ("process" on >= 2 cores:
    on 2 cores it took ~0.6-1.2 ms of CPU a page off the crawl process, benchmarks/bench_crawl.py)."""
    text = str(value).strip().lower()
    if text == "auto":
        cores = (os.cpu_count() or 1) if cores is None else cores
        return "process" if cores >= 2 else "inline"
    if text not in ("inline", "process"):
        raise ValueError(f"NACHTWACHT_INDEX_WRITER must be inline, process or auto, got {value!r}")
    return text


def _key(settings: dict[str, Any]) -> str:
    return json.dumps(settings, sort_keys=True, default=str)


def acquire(settings: dict[str, Any]) -> Any:
    """The backend for `settings`, opened on first use; pair every call with `release`."""
    from indexer import get_backend

    key = _key(settings)
    with _lock:
        backend, users = _open.get(key, (None, 0))
        if backend is None:
            backend = get_backend(settings)
        _open[key] = (backend, users + 1)
        return backend


def release(settings: dict[str, Any]) -> None:
    """Drop one use; the last one commits nothing by itself but closes the backend."""
    key = _key(settings)
    with _lock:
        backend, users = _open.get(key, (None, 0))
        if backend is None:
            return
        if users <= 1:
            del _open[key]
            backend.close()
        else:
            _open[key] = (backend, users - 1)
