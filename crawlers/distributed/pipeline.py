"""The index pipeline of a worker: documents to one writer through a Redis stream, or to a cluster.

With ``NACHTWACHT_BACKEND = {"backend": "redis-stream"}`` a worker's commit appends the batch to
the job's stream ``nw:job:<job>:docs`` (one entry per commit) and only then marks its URLs done:
the batch is in Redis before the frontier forgets the URLs. `crawlers.distributed.writer` is the
single process that reads the stream into the index (the embedded index allows one writer).
Vendor profiles are built by that writer from the listings and profile records it receives, so a
killed worker loses none. Any other backend (Elasticsearch, OpenSearch) is written directly.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from crawlers.distributed.exceptions import DistributedError
from crawlers.pipelines import IndexPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["PROFILE_KIND", "STREAM_BACKEND", "DistributedIndexPipeline", "RedisDocumentSink", "stream_key"]

logger = logging.getLogger(__name__)

STREAM_BACKEND = "redis-stream"
PROFILE_KIND = "_vendor_profile"  # a record for the writer's vendor accumulator, never indexed


def stream_key(job: str) -> str:
    return f"nw:job:{job}:docs"


class RedisDocumentSink:
    """The `SearchBackend` subset `IndexPipeline` uses, writing batches to a Redis stream.

    `get` knows nothing (the writer merges sightings); `commit` is one XADD of the batch.
    """

    def __init__(self, redis_url: str, job: str, worker: str):
        import redis

        self.redis_url = redis_url
        self.key = stream_key(job)
        self.worker = worker
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=30)
        self._buffer: list[dict[str, Any]] = []

    def upsert(self, docs: list[dict[str, Any]]) -> None:
        self._buffer.extend(docs)

    def commit(self) -> None:
        import redis

        if not self._buffer:
            return
        payload = json.dumps(self._buffer, default=str, separators=(",", ":"))
        try:
            self._redis.xadd(self.key, {"worker": self.worker, "docs": payload})
        except redis.RedisError as exc:
            raise DistributedError(f"cannot append documents to {self.key}: {exc}") from exc
        self._buffer = []

    def get(self, doc_id: str) -> dict[str, Any] | None:
        return None

    def close(self) -> None:
        self._redis.close()


class DistributedIndexPipeline(IndexPipeline):
    """`IndexPipeline` for workers: `flush` on demand, vendor data sent as records for the writer."""

    stream: RedisDocumentSink | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedIndexPipeline:
        pipeline = super().from_crawler(crawler)
        assert isinstance(pipeline, DistributedIndexPipeline)
        return pipeline

    def open_spider(self) -> None:
        if self.backend_settings.get("backend") != STREAM_BACKEND:
            super().open_spider()
            return
        settings = self.crawler.settings
        spider = self.crawler.spider
        self.stream = RedisDocumentSink(settings.get("NACHTWACHT_REDIS_URL"), spider.job_id, spider.worker)
        self.backend = self.stream

    def flush(self) -> None:
        """Commit now what was fetched (the worker is idle; others may wait on its leases)."""
        if self._uncommitted_urls or self._uncommitted_docs:
            self._checkpoint()

    def _vendor_profile(self, extraction: Any, site: str, seen: str) -> None:
        if self.stream is None:
            super()._vendor_profile(extraction, site, seen)
            return
        handles = {(lst.vendor_id, lst.vendor) for lst in extraction.listings if lst.vendor_id}
        if len(handles) == 1:
            vendor_id, handle = handles.pop()
            self.stream.upsert([{"id": f"{PROFILE_KIND}:{vendor_id}", "kind": PROFILE_KIND,
                                 "vendor_id": vendor_id, "site": site, "handle": handle,
                                 "entities": extraction.entities.to_dict(), "seen": seen}])

    def close_spider(self) -> None:
        if self.stream is None:
            super().close_spider()
            return
        try:
            self._checkpoint()  # vendor documents are the writer's job
        finally:
            self.stream.close()
