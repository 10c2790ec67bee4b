"""Errors raised by the search backends.

Tree::

    IndexerError                 root of every error this package raises
    ├── QueryError               the analyst's query or sort/aggregation request is wrong (has .position)
    ├── IndexLockedError         another writer holds the embedded index
    ├── BackendUnavailable       the backend cannot be reached or refused us (URL, auth, TLS)
    └── SchemaError              the stored index does not match our mappings and cannot be upgraded

Library errors (tantivy, elasticsearch, opensearch) are wrapped at the boundary and name the
backend, so the CLI can print one clear line.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "IndexLockedError",
    "IndexerError",
    "QueryError",
    "SchemaError",
]


class IndexerError(Exception):
    """Root of the indexer errors."""


class QueryError(IndexerError):
    """A query (or sort field, or aggregation request) that cannot be run.

    ``position`` is the 0-based character offset in the query string where the problem is,
    or ``None`` when the error is not about one place (an unknown sort field, say).
    """

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        self.message = message
        self.query = query
        self.position = position
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where}" + (f" in query {query!r}" if query else ""))

    def caret(self) -> str:
        """The query with a ``^`` line under the failing position (for terminals)."""
        if self.position is None or not self.query:
            return self.query
        return f"{self.query}\n{' ' * self.position}^"


class IndexLockedError(IndexerError):
    """Another process (or another backend object) is writing to this embedded index."""


class BackendUnavailable(IndexerError):
    """The backend cannot be reached, refused the credentials, or is not installed."""


class SchemaError(IndexerError):
    """The index on disk or in the cluster has mappings we cannot use."""
