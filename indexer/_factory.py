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

    embedded: ``data_dir`` (required), ``heap_size`` (bytes, optional).
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
        return TantivyBackend(data_dir, readonly=readonly, heap_size=heap)
    if name in ("elasticsearch", "opensearch"):
        from ._cluster import ClusterBackend

        return ClusterBackend.from_settings(name, settings, readonly=readonly)
    raise IndexerError(f"unknown index backend {name!r}; expected one of {', '.join(BACKENDS)}")
