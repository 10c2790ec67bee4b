"""Chain-of-custody log: append-only JSON lines, each entry hash-chained to the one before.

Every entry carries `seq`, `time` (UTC), `event`, `prev` (the previous entry's hash) and `hash`
(SHA-256 of the entry's canonical JSON without `hash`). Editing, removing or reordering any line
breaks the chain, and `verify_chain` says where.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from crawlers.evidence.exceptions import EvidenceError

__all__ = ["CustodyLog", "entry_hash", "fsync_path", "read_entries", "utc_iso", "verify_chain"]

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


def utc_iso(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with microseconds and a Z, the form used in every evidence record."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # = json.dumps's


def fsync_path(path: Path) -> None:
    """fsync a file or directory by path (a directory: so that files created in it survive a crash).

    Raises OSError as `os.open`/`os.fsync` do; callers word it as their EvidenceError.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def canonical(data: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: sorted keys, no spaces, UTF-8."""
    return _ENCODER.encode(data).encode()


def _hashed_line(entry: dict[str, Any]) -> tuple[str, bytes]:
    """(`entry_hash(entry)`, `canonical` of the entry with that hash + newline), encoding once.

    With sorted keys, "hash" sits between the keys below it and those above it, so the two
    halves are encoded once and joined with and without it. An entry always has keys on both
    sides ("event"; "prev", "seq", "time")."""
    low = _ENCODER.encode({k: v for k, v in entry.items() if k < "hash"})
    high = _ENCODER.encode({k: v for k, v in entry.items() if k > "hash"})
    digest = hashlib.sha256(f"{low[:-1]},{high[1:]}".encode()).hexdigest()
    return digest, f'{low[:-1]},"hash":"{digest}",{high[1:]}\n'.encode()


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def read_entries(path: Path) -> Iterator[dict[str, Any]]:
    """Entries of a log, in order. A torn last line (crash mid-write) is skipped with a warning."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:
                logger.warning("custody log %s: unreadable line %d skipped", path, number)


def verify_chain(entries: list[dict[str, Any]], *, start_prev: str | None = GENESIS) -> list[str]:
    """Problems of a chain of entries (empty when intact). `start_prev=None` checks a fragment."""
    problems = []
    prev = start_prev
    for entry in entries:
        seq = entry.get("seq")
        if entry.get("hash") != entry_hash(entry):
            problems.append(f"custody entry {seq}: hash does not match its content")
        if prev is not None and entry.get("prev") != prev:
            problems.append(f"custody entry {seq}: not chained to the entry before it")
        prev = entry.get("hash")
    return problems


class CustodyLog:
    """One append-only log file. Not thread-safe: one writer (the crawl's reactor thread).

    `durable=True` (default): each `append` is fsynced before it returns. `durable=False`: appends
    are written and flushed (a killed process keeps them; a power cut may not) and `sync()` makes
    them durable; the crawl calls it at each frontier checkpoint, before pages are marked done.
    """

    def __init__(self, path: Path, *, durable: bool = True):
        self.path = Path(path)
        self.durable = durable
        self._unsynced = False
        self._fh: BinaryIO | None = None  # opened by the first append, kept open (see `close`)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._seq = 0
        self._prev = GENESIS
        for entry in read_entries(self.path):
            self._seq = int(entry.get("seq", self._seq))
            self._prev = str(entry.get("hash", self._prev))
        self._end_torn_line()

    def _end_torn_line(self) -> None:
        """A line cut short by a crash is ended, so the next entry starts a line of its own (the
        torn one stays, unreadable and skipped; the chain continues from the last whole entry)."""
        try:
            with self.path.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                if fh.tell() == 0:
                    return
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) == b"\n":
                    return
            with self.path.open("ab") as fh:
                fh.write(b"\n")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise EvidenceError(f"cannot repair custody log {self.path}: {exc.strerror}") from exc
        logger.warning("custody log %s: its last line was cut short (crash); ended it", self.path)

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Write one entry (fsynced before returning it when the log is `durable`)."""
        self._seq += 1
        entry: dict[str, Any] = {"seq": self._seq, "time": utc_iso(), "event": event, **fields,
                                 "prev": self._prev}
        entry["hash"], line = _hashed_line(entry)
        try:
            fh = self._handle()
            fh.write(line)
            fh.flush()
            if self.durable:
                os.fsync(fh.fileno())
        except OSError as exc:
            self._drop_handle()  # the next append reopens the file
            raise EvidenceError(f"cannot write custody log {self.path}: {exc.strerror}") from exc
        self._unsynced = not self.durable
        self._prev = entry["hash"]
        return entry

    def _handle(self) -> BinaryIO:
        """The log opened for appending, once per CustodyLog (closed with it, or by `close`)."""
        if self._fh is None:
            fh = self.path.open("ab")
            weakref.finalize(self, fh.close)  # a log dropped without close() leaks no descriptor
            self._fh = fh
        return self._fh

    def _drop_handle(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()

    def close(self) -> None:
        """Sync pending entries and close the file. The log stays usable: an append reopens it."""
        self.sync()
        self._drop_handle()

    def sync(self) -> None:
        """Make every entry appended so far durable (fsync). Cheap when nothing is pending."""
        if not self._unsynced:
            return
        try:
            if self._fh is not None:
                os.fsync(self._fh.fileno())
            else:
                fsync_path(self.path)
        except OSError as exc:
            raise EvidenceError(f"cannot sync custody log {self.path}: {exc.strerror}") from exc
        self._unsynced = False

    def entries(self) -> list[dict[str, Any]]:
        return list(read_entries(self.path))

    def verify(self) -> list[str]:
        return verify_chain(self.entries())
