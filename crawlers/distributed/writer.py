"""The single index writer of a distributed job: the job's document stream into one backend.

Workers append committed batches to ``nw:job:<job>:docs``; this process reads them through a
consumer group, merges each listing with what the index holds (a detail page beats an index
card, `first_seen` is kept), builds vendor profiles from listings and profile records, upserts,
commits, and only then acknowledges and deletes the entries. A killed writer therefore loses
nothing: its unacknowledged entries are read again on restart (upserts are idempotent).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from crawlers.distributed.exceptions import DistributedError
from crawlers.distributed.frontier import RedisFrontier
from crawlers.distributed.pipeline import PROFILE_KIND, stream_key
from crawlers.documents import VendorAccumulator, merge_listing

__all__ = ["StreamWriter", "WriterReport"]

logger = logging.getLogger(__name__)

GROUP = "writers"


@dataclass
class WriterReport:
    batches: int = 0
    documents: int = 0
    listings: int = 0
    vendors: int = 0
    by_worker: dict[str, int] = field(default_factory=dict)  # stream entries per worker


class StreamWriter:
    """Read job `job`'s stream into `backend_settings` (any `indexer.get_backend` settings).

    One writer per job and index (the embedded index has one writer); `consumer` names it so a
    restarted writer reads back what it had not acknowledged.
    """

    def __init__(self, redis_url: str, job: str, backend_settings: dict[str, Any], *,
                 consumer: str = "writer", count: int = 64, block_ms: int = 200):
        import redis

        self.redis_url = redis_url
        self.job = job
        self.key = stream_key(job)
        self.backend_settings = backend_settings
        self.consumer = consumer
        self.count = count
        self.block_ms = block_ms
        self.report = WriterReport()
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=max(30, block_ms / 1000 + 5))
        self._frontier = RedisFrontier(redis_url, job, worker=f"writer:{consumer}", client=self._redis)
        try:
            self._redis.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise DistributedError(f"cannot create consumer group on {self.key}: {exc}") from exc

    def run(self, *, until_done: bool = True, stop: threading.Event | None = None,
            timeout: float | None = None) -> WriterReport:
        """Write until the job is finished and its stream drained (or `stop` is set)."""
        from indexer import get_backend

        backend = get_backend(self.backend_settings)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._drain(backend, "0")  # what this consumer read before and did not acknowledge
            while not (stop is not None and stop.is_set()):
                if deadline is not None and time.monotonic() > deadline:
                    raise DistributedError(f"writer of job {self.job}: not finished after {timeout}s")
                got = self._drain(backend, ">")
                # the second drain catches entries appended just before the check
                if not got and until_done and self._job_finished() and not self._drain(backend, ">"):
                    break
        finally:
            backend.close()
        logger.info("writer %s: job %s written: %s", self.consumer, self.job, self.report)
        return self.report

    def _job_finished(self) -> bool:
        if not self._redis.hlen(self._frontier.keys[1]):
            return False  # no worker has created the job yet
        return self._frontier.status().finished

    def _drain(self, backend: Any, start: str) -> int:
        """Process entries from `start` (`0`: own pending, `>`: new) until none. Returns how many."""
        total = 0
        while True:
            block = None if start == "0" else self.block_ms
            reply = self._redis.xreadgroup(GROUP, self.consumer, {self.key: start}, count=self.count,
                                           block=block)
            entries = reply[0][1] if reply else []
            entries = [(eid, fields) for eid, fields in entries if fields]
            if not entries:
                return total
            self._write(backend, entries)
            total += len(entries)
            if start == ">":
                return total

    def _write(self, backend: Any, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        vendors = VendorAccumulator()
        batch: dict[str, dict[str, Any]] = {}

        def stored(doc_id: str) -> dict[str, Any] | None:
            return batch.get(doc_id) or backend.get(doc_id)

        for _, fields in entries:
            worker = fields.get(b"worker", b"?").decode()
            self.report.by_worker[worker] = self.report.by_worker.get(worker, 0) + 1
            for doc in json.loads(fields[b"docs"]):
                kind = doc.get("kind")
                if kind == PROFILE_KIND:
                    vendors.add_profile(doc["vendor_id"], doc["site"], doc["handle"], doc["entities"],
                                        doc["seen"])
                    continue
                if kind == "listing":
                    doc = merge_listing(stored(doc["id"]), doc)
                    vendors.add_listing(doc)
                    self.report.listings += 1
                batch[doc["id"]] = doc
        vendor_docs = vendors.documents(stored)
        for doc in vendor_docs:
            batch[doc["id"]] = doc
        backend.upsert(list(batch.values()))
        backend.commit()
        ids = [eid for eid, _ in entries]
        self._redis.xack(self.key, GROUP, *ids)
        self._redis.xdel(self.key, *ids)
        self.report.batches += 1
        self.report.documents += len(batch)
        self.report.vendors += len(vendor_docs)

    def close(self) -> None:
        self._redis.close()
