"""The embedded index with its writer in a child process: indexing off the crawl process's core.

`ProcessWriterBackend` is the part of `SearchBackend` a crawl's index pipeline uses:

- `upsert` queues documents and ships them to the child in batches (pickled through a pipe); the
  child maps them (`_mapping.prepare`) and adds them to tantivy, work that otherwise costs the
  crawl process's event loop ~0.5 ms a page;
- `commit` ships what is queued and returns once the child has committed all of it. A document
  the mapping rejects is logged (ERROR, with its id and the reason) and kept in `rejected`; the
  others are committed. (In process, `upsert` raises at once instead.)
- `get` reads through a read-only `TantivyBackend` of the same directory. As in process, reads see
  committed documents only.

The child is the index's one writer: it takes tantivy's writer lock when it starts (waiting up to
`lock_wait` seconds for a writer that is exiting, then the same `IndexLockedError` as in process)
and releases it on `close`. When the process that started it dies, it exits at once without
committing, as an in-process writer dies with its crawl. A child that dies makes the next call
raise `IndexerError`: what it had not committed is lost, as in a crash of an in-process writer (the
crawl's frontier marks pages done only after a commit, so they are fetched again).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .exceptions import IndexerError, IndexLockedError, SchemaError

__all__ = ["ProcessWriterBackend"]

log = logging.getLogger(__name__)

_ERRORS: dict[str, type[IndexerError]] = {
    "IndexLockedError": IndexLockedError, "SchemaError": SchemaError, "IndexerError": IndexerError}


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def _open(data_dir: str, heap_size: int, lock_wait: float) -> Any:
    """The writable index; a writer lock still held is waited for up to `lock_wait` seconds (the
    writer of a crawl that was just killed exits within moments; a live writer keeps it)."""
    from ._tantivy import TantivyBackend

    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return TantivyBackend(data_dir, heap_size=heap_size)
        except IndexLockedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def _serve(data_dir: str, heap_size: int, lock_wait: float, conn: Any, parent: int) -> None:
    """The child: open the writable index, then apply ("upsert", docs) / ("commit",) / ("close",)."""
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    try:
        backend = _open(data_dir, heap_size, lock_wait)
    except Exception as exc:  # sent to the parent, which raises it
        conn.send(("error", (type(exc).__name__, str(exc))))
        return
    conn.send(("ok", []))
    rejected: list[tuple[str, str]] = []
    while True:
        try:
            op, payload = conn.recv()
        except EOFError:  # the parent died (or dropped us) without `close`: like a crashed in-process
            os._exit(0)  # writer, commit nothing more; exiting releases the lock at once
        try:
            if op == "upsert":
                try:
                    backend.upsert(payload)
                except IndexerError:  # find the culprit(s); upsert is idempotent per id
                    for doc in payload:
                        try:
                            backend.upsert([doc])
                        except IndexerError as exc:
                            rejected.append((str(doc.get("id", "?")), str(exc)))
                continue
            if op == "commit":
                backend.commit()
            elif op == "close":
                backend.close()
            conn.send(("ok", rejected))
            rejected = []
            if op == "close":
                return
        except Exception as exc:
            conn.send(("error", (type(exc).__name__, str(exc))))


class ProcessWriterBackend:
    """Embedded backend whose writer runs in a child process (see the module docstring)."""

    name = "embedded"

    def __init__(self, data_dir: str | Path, *, heap_size: int, batch: int = 256, lock_wait: float = 5.0,
                 start_timeout: float = 60.0):
        from ._tantivy import TantivyBackend

        self.data_dir = Path(data_dir)
        self.batch = batch
        self.rejected: list[tuple[str, str]] = []
        self._queue: list[dict[str, Any]] = []
        context = multiprocessing.get_context("spawn")  # no forked sockets or threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve,
                                        args=(str(self.data_dir), heap_size, lock_wait, child, os.getpid()),
                                        name="nachtwacht-index-writer", daemon=True)
        self._process.start()
        child.close()
        try:
            self._reply(start_timeout + lock_wait)
        except BaseException:
            self._stop()
            raise
        # the child writes only when told: the reader reloads after each commit, not on every read
        self._reader: Any = TantivyBackend(self.data_dir, readonly=True, reload_on_read=False)

    # -- the pipe ----------------------------------------------------------------------------
    def _send(self, message: tuple[str, Any]) -> None:
        try:
            self._conn.send(message)
        except (OSError, ValueError) as exc:
            raise IndexerError(f"embedded: the index writer process is gone ({exc})") from None

    def _reply(self, timeout: float | None = None) -> list[tuple[str, str]]:
        try:
            if timeout is not None and not self._conn.poll(timeout):
                raise IndexerError(f"embedded: the index writer process did not answer in {timeout:.0f}s")
            status, detail = self._conn.recv()
        except (OSError, EOFError) as exc:
            raise IndexerError(f"embedded: the index writer process is gone ({exc!r})") from None
        if status == "error":
            kind, message = detail
            raise _ERRORS.get(kind, IndexerError)(message)
        return list(detail)

    def _flush(self) -> None:
        if self._queue:
            batch, self._queue = self._queue, []
            self._send(("upsert", batch))

    # -- SearchBackend (the part a crawl uses) ---------------------------------------------------
    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        """Queue `docs` for the writer; they are searchable after the next `commit`."""
        before = len(self._queue)
        self._queue.extend(docs)
        added = len(self._queue) - before
        if len(self._queue) >= self.batch:
            self._flush()
        return added

    def commit(self) -> None:
        """Everything upserted so far is durable and searchable when this returns."""
        self._flush()
        self._send(("commit", None))
        self._report(self._reply())
        self._reader.reload()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        return self._reader.get(doc_id)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self._reader.search(*args, **kwargs)

    def close(self) -> None:
        """Commit what is queued, release the writer lock and wait for the child to exit."""
        if self._process is None:
            return
        try:
            if not self._process.is_alive():  # its death was (or will be) reported by a commit
                log.error("embedded: the index writer process had died; what it had not committed is lost")
                return
            self._flush()
            self._send(("close", None))
            self._report(self._reply())
        finally:
            self._stop()
            self._reader.close()

    def _report(self, rejected: list[tuple[str, str]]) -> None:
        for doc_id, reason in rejected:
            log.error("embedded: rejected document %s: %s", doc_id, reason)
        self.rejected.extend(rejected)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self._conn.close()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()

    def __enter__(self) -> ProcessWriterBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
