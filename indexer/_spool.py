"""Disk spool for bulk actions a cluster could not take: appended in order, replayed in order.

One JSONL file, each line one action ``{"op": "index"|"delete", "id": ..., "body": {...}}``,
fsynced on append so a crash of the crawler loses nothing. Replaying an action twice is
harmless (index and delete are by id), so a replay cut short is simply retried.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["Spool"]

log = logging.getLogger(__name__)

Action = dict[str, Any]


class Spool:
    """Append-only queue of bulk actions on disk (single writer: the backend that owns it)."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "pending.jsonl"

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    def append(self, actions: Iterable[Action]) -> int:
        lines = [json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in actions]
        if not lines:
            return 0
        with self.path.open("a", encoding="utf-8") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
        log.warning("spooled %d actions to %s (cluster unreachable)", len(lines), self.path)
        return len(lines)

    def replay(self, send: Callable[[list[Action]], None], chunk: int = 500) -> int:
        """Send spooled actions in order, ``chunk`` at a time; keeps what was not sent.

        ``send`` raises when the cluster is still unreachable: the unsent remainder stays on disk
        and the exception propagates.
        """
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as fh:
            actions = [json.loads(line) for line in fh if line.strip()]
        done = 0
        try:
            while done < len(actions):
                send(actions[done : done + chunk])
                done = min(done + chunk, len(actions))
        finally:
            self._keep(actions[done:])
        if done:
            log.info("replayed %d spooled actions from %s", done, self.path)
        return done

    def _keep(self, rest: list[Action]) -> None:
        if not rest:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in rest)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.path)
