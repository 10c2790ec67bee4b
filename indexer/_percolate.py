"""Saved searches as percolator queries on an OpenSearch cluster: which stored queries match a document.

The server-side twin of `indexer.compile_matcher`: each saved search is compiled by the same parser
and planner and rendered by the same DSL renderer (`_es_render.render`) as a search, and stored in a
percolator index `<prefix>-percolator-v<MAPPING_VERSION>` whose mapping is the documents' mapping plus
one `query` field of type `percolator`. Documents are percolated as the cluster would index them
(`to_body(prepare(doc))`), so the answer is the one a search would give. Needs the cluster's
percolator module (OpenSearch and Elasticsearch distributions ship it; integ-test zips do not).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ._clients import ClientAdapter, make_client
from ._es_render import index_body, render, to_body
from ._mapping import MAPPING_VERSION, prepare
from ._plan import compile_query
from .exceptions import IndexerError

__all__ = ["PERCOLATOR_FIELD", "Percolator"]

logger = logging.getLogger(__name__)

PERCOLATOR_FIELD = "query"
_BATCH = 200  # documents per percolate request


class Percolator:
    """Registered queries by name; `percolate(docs)` gives, per document id, the names that match.

    Raises IndexerError subclasses (one line, naming the backend) on cluster errors, and
    QueryError when a query does not parse.
    """

    def __init__(self, client: ClientAdapter, *, prefix: str = "nachtwacht") -> None:
        self.client = client
        self.index = f"{prefix}-percolator-v{MAPPING_VERSION}"
        if not self._call(client.index_exists, self.index):
            body = index_body()
            body["mappings"]["properties"][PERCOLATOR_FIELD] = {"type": "percolator"}
            self._call(client.create_index, self.index, body)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Percolator:
        """From the backend settings of an `opensearch` (or `elasticsearch`) backend."""
        flavour = str(settings.get("backend") or "opensearch")
        return cls(make_client(flavour, settings), prefix=str(settings.get("index") or "nachtwacht"))

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise self.client.wrap(exc) from None

    def register(self, queries: Mapping[str, tuple[str, str | None]], *, now: datetime | None = None) -> None:
        """Store `{name: (query, kind)}` (replacing same-named ones); relative dates resolve at `now`."""
        at = now or datetime.now(UTC)
        actions = [{"op": "index", "id": name,
                    "body": {PERCOLATOR_FIELD: render(compile_query(query, kind=kind, now=at))}}
                   for name, (query, kind) in queries.items()]
        if not actions:
            return
        failed = [(i, s, r) for i, s, r in self._call(self.client.bulk, self.index, actions) if s >= 300]
        if failed:
            raise IndexerError(f"{self.client.flavour}: percolator refused {len(failed)} queries: {failed[0][2]}")
        self._call(self.client.refresh, self.index)
        logger.info("%d saved searches registered in %s", len(actions), self.index)

    def remove(self, names: Iterable[str]) -> None:
        actions = [{"op": "delete", "id": name, "body": None} for name in names]
        if actions:
            self._call(self.client.bulk, self.index, actions)
            self._call(self.client.refresh, self.index)

    def names(self) -> list[str]:
        resp = self._call(self.client.search, self.index, {"query": {"match_all": {}}, "size": 10_000,
                                                             "_source": False})
        return sorted(hit["_id"] for hit in resp["hits"]["hits"])

    def percolate(self, docs: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
        """For each document (by `id`) the names of the registered queries it matches. A document the
        index would refuse (no id, unknown kind) matches nothing, as in `Matcher.matches`."""
        result: dict[str, set[str]] = {}
        ready: list[tuple[str, dict[str, Any]]] = []
        for doc in docs:
            result.setdefault(str(doc.get("id")), set())
            try:
                ready.append((str(doc["id"]), to_body(prepare(doc))))
            except (KeyError, ValueError):
                continue
        for start in range(0, len(ready), _BATCH):
            chunk = ready[start:start + _BATCH]
            body = {"query": {"percolate": {"field": PERCOLATOR_FIELD, "documents": [b for _, b in chunk]}},
                    "size": 10_000, "_source": False}
            resp = self._call(self.client.search, self.index, body)
            for hit in resp["hits"]["hits"]:
                for slot in hit.get("fields", {}).get("_percolator_document_slot", [0]):
                    result[chunk[int(slot)][0]].add(hit["_id"])
        return result

    def close(self) -> None:
        self.client.close()
