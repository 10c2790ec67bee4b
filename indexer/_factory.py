"""Build a backend from a settings dict (the ``index`` section of the Nachtwacht config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import SearchBackend
from .exceptions import IndexerError

__all__ = ["BACKENDS", "get_backend"]

BACKENDS = ("embedded", "elasticsearch", "opensearch")


def get_backend(settings: Mapping[str, Any], *, readonly: bool = False) -> SearchBackend:
    """Open the backend ``settings["backend"]`` names (default ``embedded``).

    embedded: ``data_dir`` (required), ``heap_size`` (bytes, optional), ``writer``: ``inline``
    (default) or ``process`` (the writer in a child process: ``indexer._writer``; writable only).
    elasticsearch / opensearch: ``url``, ``index`` (prefix, default ``nachtwacht``),
    ``username``/``password`` or ``api_key`` (from the environment, never the repo),
    ``verify_certs`` (default true), ``ca_certs``, ``spool_dir``, ``timeout``.
    Raises IndexerError subclasses only (IndexLockedError, BackendUnavailable, ...).
    """
    name = str(settings.get("backend") or "embedded").lower()
    if name == "embedded":
        from ._tantivy import DEFAULT_HEAP, TantivyBackend

        data_dir = settings.get("data_dir")
        if not data_dir:
            raise IndexerError("embedded backend needs 'data_dir'")
        heap = int(settings.get("heap_size") or DEFAULT_HEAP)
        writer = str(settings.get("writer") or "inline").lower()
        if writer not in ("inline", "process"):
            raise IndexerError(f"embedded backend: writer must be 'inline' or 'process', got {writer!r}")
        if writer == "process" and not readonly:
            from ._writer import ProcessWriterBackend

            return ProcessWriterBackend(data_dir, heap_size=heap)  # type: ignore[return-value]
        return TantivyBackend(data_dir, readonly=readonly, heap_size=heap)
    if name in ("elasticsearch", "opensearch"):
        from ._cluster import ClusterBackend

        return ClusterBackend.from_settings(name, settings, readonly=readonly)
    raise IndexerError(f"unknown index backend {name!r}; expected one of {', '.join(BACKENDS)}")
