"""Search backends (embedded tantivy, Elasticsearch, OpenSearch), mappings and trends.

Public surface: what ``__all__`` lists. Backends work on plain dicts (``to_dict()`` of
``extractors.model`` classes plus ``kind``); this package never imports extractors.
"""

from ._base import KINDS, SearchBackend, SearchResult
from ._factory import BACKENDS, get_backend
from ._mapping import MAPPING_VERSION
from ._match import (
    Matcher,
    PreparedDocument,
    compile_matcher,
    has_phrase,
    match,
    normalise,
    prepare_document,
    terms,
)
from ._percolate import Percolator
from ._query import parse as parse_query
from ._trends import DIMENSIONS, INTERVALS, new_vendors, trend_request, trends
from .exceptions import (
    BackendUnavailable,
    IndexerError,
    IndexLockedError,
    QueryError,
    SchemaError,
)

__all__ = [
    "BACKENDS",
    "DIMENSIONS",
    "INTERVALS",
    "KINDS",
    "MAPPING_VERSION",
    "BackendUnavailable",
    "IndexLockedError",
    "IndexerError",
    "Matcher",
    "Percolator",
    "PreparedDocument",
    "QueryError",
    "SchemaError",
    "SearchBackend",
    "SearchResult",
    "compile_matcher",
    "get_backend",
    "has_phrase",
    "match",
    "new_vendors",
    "normalise",
    "parse_query",
    "prepare_document",
    "terms",
    "trend_request",
    "trends",
]
