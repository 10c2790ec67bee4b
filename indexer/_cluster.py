"""Elasticsearch and OpenSearch backend: one class, two thin client adapters (``_clients``).

Writes are buffered (last action per id wins) and sent on ``commit`` or every ``flush_every``
actions through the client's ``streaming_bulk`` helper; items refused with 429/502/503/504 are
retried with exponential backoff and jitter. When the cluster is unreachable the actions go to
a disk spool (``_spool``) and the crawl keeps going; the spool is replayed, in order, before
any newer action once the cluster answers again. Actions are by id, so nothing is doubled.

Indices are versioned: the alias ``<prefix>`` points at ``<prefix>-v<MAPPING_VERSION>``. A
mapping change creates the new index, copies every stored document through ``prepare`` and
swaps the alias atomically: readers never see a missing index.
"""

from __future__ import annotations

import logging
import random
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import _aggs
from ._base import SearchResult
from ._clients import ClientAdapter, make_client
from ._es_render import DOC_FIELD, index_body, render, render_aggs, to_body
from ._mapping import MAPPING_VERSION, prepare
from ._plan import compile_query
from ._spool import Spool
from ._tantivy import parse_sort
from .exceptions import BackendUnavailable, IndexerError, SchemaError

__all__ = ["ClusterBackend"]

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_ITEM_RETRIES = 6
FLUSH_EVERY = 1_000
SCAN_PAGE = 1_000


class _Unreachable(Exception):
    """Internal: the cluster did not take a batch; the caller spools it."""


class ClusterBackend:
    """SearchBackend on an Elasticsearch or OpenSearch cluster (see the module docstring)."""

    def __init__(
        self,
        client: ClientAdapter,
        *,
        prefix: str = "nachtwacht",
        readonly: bool = False,
        spool_dir: str | Path | None = None,
        flush_every: int = FLUSH_EVERY,
        replicas: int = 0,
        backoff: float = 0.2,
    ) -> None:
        self.client = client
        self.name = client.flavour
        self.alias = prefix
        self.target = f"{prefix}-v{MAPPING_VERSION}"
        self.readonly = readonly
        self.flush_every = flush_every
        self.backoff = backoff
        self.spool = Spool(spool_dir) if spool_dir and not readonly else None
        self._buffer: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._replicas = replicas
        self._call(client.health)  # fail fast with one clear line
        if readonly:
            if not self._call(client.alias_targets, self.alias):
                raise IndexerError(f"{self.name}: no index {self.alias!r} at {client.url}")
        else:
            self._ensure_index()

    @classmethod
    def from_settings(
        cls, flavour: str, settings: Mapping[str, Any], *, readonly: bool = False
    ) -> ClusterBackend:
        spool = settings.get("spool_dir")
        if not spool and settings.get("data_dir"):
            spool = Path(str(settings["data_dir"])) / "spool" / flavour
        return cls(
            make_client(flavour, settings),
            prefix=str(settings.get("index") or "nachtwacht"),
            readonly=readonly,
            spool_dir=spool,
            flush_every=int(settings.get("flush_every") or FLUSH_EVERY),
            replicas=int(settings.get("replicas") or 0),
        )

    # -- errors ----------------------------------------------------------------------------
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call; library errors become IndexerError subclasses (one line each)."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # the adapters classify library errors
            raise self.client.wrap(exc) from None

    # -- index management ------------------------------------------------------------------
    def _ensure_index(self) -> None:
        current = self._call(self.client.alias_targets, self.alias)
        if current is None:
            raise SchemaError(
                f"{self.name}: {self.alias!r} is a concrete index, not an alias; "
                "rename it or choose another 'index' prefix"
            )
        if not self._call(self.client.index_exists, self.target):
            self._call(self.client.create_index, self.target, index_body(replicas=self._replicas))
        if self.target in current:
            return
        old = [name for name in current if name != self.target]
        if old:
            self._reindex(old[0])
        self._call(self.client.swap_alias, self.alias, old, self.target)
        for name in old:
            self._call(self.client.delete_index, name)

    def _reindex(self, source_index: str) -> None:
        log.warning("%s: upgrading %s -> %s", self.name, source_index, self.target)
        n = 0
        batch: list[dict[str, Any]] = []
        for hit in self._call(self.client.scan, source_index, {"match_all": {}}):
            doc = hit.get(DOC_FIELD)
            if isinstance(doc, dict):
                batch.append(self._action("index", prepare(doc).id, to_body(prepare(doc))))
            if len(batch) >= SCAN_PAGE:
                self._send(batch, index=self.target)
                n += len(batch)
                batch = []
        if batch:
            self._send(batch, index=self.target)
            n += len(batch)
        self._call(self.client.refresh, self.target)
        log.info("%s: reindexed %d documents into %s", self.name, n, self.target)

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _action(op: str, doc_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"op": op, "id": doc_id, "body": body}

    def _need_writable(self) -> None:
        if self.readonly:
            raise IndexerError(f"{self.name}: opened read-only")

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        self._need_writable()
        n = 0
        for doc in docs:
            try:
                prep = prepare(doc)
            except ValueError as exc:
                raise IndexerError(f"{self.name}: rejected document: {exc}") from None
            self._buffer.pop(prep.id, None)
            self._buffer[prep.id] = self._action("index", prep.id, to_body(prep))
            n += 1
            if len(self._buffer) >= self.flush_every:
                self._flush()
        return n

    def delete(self, ids: Iterable[str]) -> int:
        self._need_writable()
        n = 0
        for doc_id in ids:
            self._buffer.pop(doc_id, None)
            self._buffer[doc_id] = self._action("delete", doc_id)
            n += 1
        return n

    def commit(self) -> None:
        self._need_writable()
        if self._flush():
            try:
                self._call(self.client.refresh, self.alias)
            except BackendUnavailable as exc:
                log.warning("%s: refresh failed, will retry on next commit: %s", self.name, exc)

    @property
    def spooled(self) -> int:
        """Actions waiting on disk for the cluster to come back."""
        return len(self.spool) if self.spool is not None else 0

    def _flush(self) -> bool:
        """Send spool then buffer; returns False when the cluster was unreachable (spooled)."""
        actions = list(self._buffer.values())
        self._buffer.clear()
        if self.spool is not None and self.spooled:
            try:
                self.spool.replay(self._send)
            except _Unreachable:
                self.spool.append(actions)
                return False
        for start in range(0, len(actions), SCAN_PAGE):
            try:
                self._send(actions[start : start + SCAN_PAGE])
            except _Unreachable:
                if self.spool is None:
                    raise BackendUnavailable(
                        f"{self.name}: {self.client.url} unreachable and no spool_dir configured: "
                        f"{len(actions) - start} actions not indexed"
                    ) from None
                self.spool.append(actions[start:])
                return False
        return True

    def _send(self, actions: list[dict[str, Any]], index: str | None = None) -> None:
        """Bulk-send actions; retries 429/5xx items with jittered backoff; raises _Unreachable."""
        pending = actions
        for attempt in range(MAX_ITEM_RETRIES + 1):
            if not pending:
                return
            by_id = {a["id"]: a for a in pending}
            try:
                results = self.client.bulk(index or self.alias, pending)
            except Exception as exc:
                wrapped = self.client.wrap(exc)
                if isinstance(wrapped, BackendUnavailable):
                    raise _Unreachable(str(wrapped)) from None
                raise wrapped from None
            retry: list[dict[str, Any]] = []
            errors: list[str] = []
            for doc_id, status, error in results:
                if status in RETRY_STATUSES:
                    retry.append(by_id[doc_id])
                elif status >= 300 and not (status == 404 and by_id[doc_id]["op"] == "delete"):
                    errors.append(f"{doc_id}: {status} {error}")
            if errors:
                raise IndexerError(f"{self.name}: {len(errors)} documents refused, first: {errors[0]}")
            pending = retry
            if pending and attempt < MAX_ITEM_RETRIES:
                delay = min(10.0, self.backoff * 2**attempt) * random.uniform(0.5, 1.5)
                log.info("%s: %d items throttled, retrying in %.2fs", self.name, len(pending), delay)
                time.sleep(delay)
        if pending:
            raise _Unreachable(f"{len(pending)} items still throttled after {MAX_ITEM_RETRIES} retries")

    # -- reading ---------------------------------------------------------------------------
    def get(self, doc_id: str) -> dict[str, Any] | None:
        source = self._call(self.client.get, self.alias, doc_id)
        return None if source is None else source.get(DOC_FIELD)

    def search(
        self,
        query: str,
        *,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
        sort: str | None = None,
    ) -> SearchResult:
        dsl = render(compile_query(query, kind=kind))
        order = parse_sort(sort)
        body: dict[str, Any] = {
            "query": dsl,
            "from": offset,
            "size": max(limit, 0),
            "track_total_hits": True,
        }
        if order is not None:
            field, desc = order
            body["sort"] = [{field: {"order": "desc" if desc else "asc", "missing": "_last"}}]
        resp = self._call(self.client.search, self.alias, body)
        hits = [h["_source"][DOC_FIELD] for h in resp["hits"]["hits"]]
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits)

    def aggregate(self, request: dict[str, Any], *, query: str = "*", kind: str | None = None) -> dict[str, Any]:
        translated = _aggs.translate(request)
        body = {
            "query": render(compile_query(query, kind=kind)),
            "size": 0,
            "aggs": render_aggs(translated),
        }
        resp = self._call(self.client.search, self.alias, body)
        return _aggs.normalise(translated, resp.get("aggregations") or {})

    def scan(self, query: str = "*", *, kind: str | None = None) -> Iterator[dict[str, Any]]:
        dsl = render(compile_query(query, kind=kind))
        yield from (source[DOC_FIELD] for source in self.client.scan(self.alias, dsl))

    def health(self) -> dict[str, Any]:
        info = self._call(self.client.health)
        count = self._call(self.client.count, self.alias)
        return {
            "backend": self.name,
            "status": info.get("status"),
            "docs": count,
            "url": self.client.url,
            "index": self.target,
            "alias": self.alias,
            "mapping_version": MAPPING_VERSION,
            "writable": not self.readonly,
            "pending": len(self._buffer),
            "spooled": self.spooled,
        }

    def close(self) -> None:
        """Send what is buffered (or spool it) and close the connection pool."""
        try:
            if not self.readonly and (self._buffer or self.spooled):
                self.commit()
        finally:
            self.client.close()

    def __enter__(self) -> ClusterBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
