"""The SearchBackend protocol every backend implements, and the search result type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["KINDS", "SearchBackend", "SearchResult"]

#: The document kinds the index accepts (the "kind" key of every document).
KINDS = frozenset({"listing", "post", "observation", "vendor", "page"})


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits: ``total`` counts every match, ``hits`` are the stored documents."""

    total: int
    hits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [str(h["id"]) for h in self.hits]


@runtime_checkable
class SearchBackend(Protocol):
    """What the pipeline, the CLI and the API need from an index.

    Contract shared by all backends (tests/indexer/test_contract.py proves it):
    - ``upsert`` is idempotent by ``id``; documents become visible after ``commit``.
    - ``search``/``aggregate``/``scan`` take the analyst query language (indexer._query);
      the same query returns the same ids on every backend.
    - Errors are ``IndexerError`` subclasses; nothing else escapes.
    """

    name: str

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        """Add or replace documents by id; returns how many were accepted."""
        ...

    def commit(self) -> None:
        """Make every upsert and delete so far visible to searches."""
        ...

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored document with this id, or None."""
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Delete by id (visible after ``commit``); returns how many ids were given."""
        ...

    def search(
        self,
        query: str,
        *,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
        sort: str | None = None,
    ) -> SearchResult:
        """Run an analyst query; ``sort`` is ``field`` / ``-field`` / ``field:desc``."""
        ...

    def aggregate(
        self, request: dict[str, Any], *, query: str = "*", kind: str | None = None
    ) -> dict[str, Any]:
        """ES-style aggregation request in, normalised ES-style buckets out."""
        ...

    def scan(self, query: str = "*", *, kind: str | None = None) -> Iterator[dict[str, Any]]:
        """Every matching stored document, for exports."""
        ...

    def health(self) -> dict[str, Any]:
        """Backend name, status (green/yellow/red), document count and details."""
        ...

    def close(self) -> None:
        """Flush and release the backend (writer lock, connections)."""
        ...
