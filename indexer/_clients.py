"""Thin adapters over the official clients: ``elasticsearch`` 8.x and ``opensearch-py``.

elasticsearch-py refuses OpenSearch (product check), so each flavour has its own client; the
adapters expose the same small set of calls with the same request bodies, and classify
library errors into our hierarchy (``wrap``). Clients are imported lazily.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from .exceptions import BackendUnavailable, IndexerError, QueryError

__all__ = ["ClientAdapter", "make_client"]

#: Environment variables read when the settings hold no credentials (never put them in YAML).
ENV_USERNAME = "NACHTWACHT_INDEX_USERNAME"
ENV_PASSWORD = "NACHTWACHT_INDEX_PASSWORD"
ENV_API_KEY = "NACHTWACHT_INDEX_API_KEY"


class ClientAdapter:
    """The calls ClusterBackend needs; subclasses bind them to one client library."""

    flavour = ""

    def __init__(self, url: str, client: Any, helpers: Any, errors: Any) -> None:
        self.url = url
        self._client = client
        self._helpers = helpers
        self._errors = errors

    # -- calls (request bodies are shared between flavours) --------------------------------
    def health(self) -> dict[str, Any]:
        return dict(self._client.cluster.health())

    def alias_targets(self, alias: str) -> list[str] | None:
        """Indices behind ``alias``: [] when absent, None when ``alias`` is a concrete index."""
        if self._client.indices.exists_alias(name=alias):
            return sorted(self._client.indices.get_alias(name=alias).keys())
        if self._client.indices.exists(index=alias):
            return None
        return []

    def index_exists(self, index: str) -> bool:
        return bool(self._client.indices.exists(index=index))

    def create_index(self, index: str, body: dict[str, Any]) -> None:
        self._client.indices.create(index=index, body=body)

    def delete_index(self, index: str) -> None:
        self._client.indices.delete(index=index)

    def swap_alias(self, alias: str, old: list[str], new: str) -> None:
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": alias}} for o in old]
        actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
        self._client.indices.update_aliases(body={"actions": actions})

    def refresh(self, index: str) -> None:
        self._client.indices.refresh(index=index)

    def count(self, index: str) -> int:
        return int(self._client.count(index=index)["count"])

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        try:
            resp = self._client.get(index=index, id=doc_id)
        except self._errors.NotFoundError:
            return None
        return dict(resp["_source"])

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._client.search(index=index, body=body))

    def bulk(self, index: str, actions: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
        """(id, status, error) per action, via the client's streaming_bulk helper."""
        ops = []
        for a in actions:
            op = {"_op_type": a["op"], "_index": index, "_id": a["id"]}
            if a["op"] == "index":
                op["_source"] = a["body"]
            ops.append(op)
        out: list[tuple[str, int, str]] = []
        for _ok, item in self._helpers.streaming_bulk(
            self._client,
            ops,
            chunk_size=500,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=False,
            raise_on_exception=True,
            max_retries=0,
        ):
            (result,) = item.values()
            error = result.get("error")
            reason = error.get("reason", "") if isinstance(error, dict) else str(error or "")
            out.append((str(result.get("_id")), int(result.get("status", 0)), reason))
        return out

    def scan(self, index: str, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        try:
            for hit in self._helpers.scan(self._client, index=index, query={"query": query}, size=1000):
                yield hit["_source"]
        except Exception as exc:
            raise self.wrap(exc) from None

    def close(self) -> None:
        self._client.close()

    # -- errors ----------------------------------------------------------------------------
    def _status(self, exc: Exception) -> int | None:
        for attr in ("status_code", "status"):
            value = getattr(exc, attr, None)
            if isinstance(value, int):
                return value
        meta = getattr(exc, "meta", None)
        status = getattr(meta, "status", None)
        return status if isinstance(status, int) else None

    def wrap(self, exc: Exception) -> IndexerError:
        """Library error -> one clear IndexerError naming the backend and URL."""
        if isinstance(exc, IndexerError):
            return exc
        e = self._errors
        where = f"{self.flavour} at {self.url}"
        if isinstance(exc, e.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return BackendUnavailable(
                f"{where}: TLS certificate verification failed (set ca_certs, or verify_certs: false "
                "only for a test cluster)"
            )
        if isinstance(exc, e.AuthenticationException):
            return BackendUnavailable(f"{where}: credentials refused (HTTP 401); check {ENV_USERNAME}/"
                                      f"{ENV_PASSWORD} or {ENV_API_KEY}")
        if isinstance(exc, e.AuthorizationException):
            return BackendUnavailable(f"{where}: permission denied (HTTP 403) for this user")
        if isinstance(exc, e.ConnectionTimeout | e.ConnectionError):
            return BackendUnavailable(f"{where}: unreachable ({type(exc).__name__})")
        product = getattr(e, "UnsupportedProductError", None)
        if product is not None and isinstance(exc, product):
            return BackendUnavailable(f"{where}: not an Elasticsearch cluster; use backend: opensearch")
        status = self._status(exc)
        if status in (502, 503, 504):
            return BackendUnavailable(f"{where}: unavailable (HTTP {status})")
        if status == 400:
            return QueryError(f"{where} refused the request: {_reason(exc)}")
        return IndexerError(f"{where}: {type(exc).__name__}: {_reason(exc)}")


def _reason(exc: Exception) -> str:
    info = getattr(exc, "info", None) or getattr(exc, "body", None)
    if isinstance(info, dict):
        err = info.get("error")
        if isinstance(err, dict):
            root = (err.get("root_cause") or [{}])[0]
            return str(root.get("reason") or err.get("reason") or err)[:300]
    return str(exc)[:300]


class _Elastic(ClientAdapter):
    flavour = "elasticsearch"


class _OpenSearch(ClientAdapter):
    flavour = "opensearch"


def _credentials(settings: Mapping[str, Any]) -> tuple[tuple[str, str] | None, str | None]:
    user = settings.get("username") or os.environ.get(ENV_USERNAME)
    password = settings.get("password") or os.environ.get(ENV_PASSWORD)
    api_key = settings.get("api_key") or os.environ.get(ENV_API_KEY)
    return ((str(user), str(password or "")) if user else None), (str(api_key) if api_key else None)


def make_client(flavour: str, settings: Mapping[str, Any]) -> ClientAdapter:
    """Client for ``settings['url']``; TLS verification is on unless ``verify_certs`` is false."""
    url = str(settings.get("url") or "http://127.0.0.1:9200").rstrip("/")
    auth, api_key = _credentials(settings)
    verify = bool(settings.get("verify_certs", True))
    timeout = float(settings.get("timeout") or 30)
    tls: dict[str, Any] = {}
    if url.startswith("https"):
        tls["verify_certs"] = verify
        if settings.get("ca_certs"):
            tls["ca_certs"] = str(settings["ca_certs"])
        if not verify:
            tls["ssl_show_warn"] = False
    if flavour == "elasticsearch":
        import elasticsearch
        from elasticsearch import helpers

        kwargs: dict[str, Any] = {
            "request_timeout": timeout,
            "max_retries": 2,
            "retry_on_status": (502, 503, 504),
            "retry_on_timeout": True,
            **tls,
        }
        if auth:
            kwargs["basic_auth"] = auth
        if api_key:
            kwargs["api_key"] = api_key
        return _Elastic(url, elasticsearch.Elasticsearch(url, **kwargs), helpers, elasticsearch.exceptions)
    if flavour == "opensearch":
        import opensearchpy
        from opensearchpy import helpers as os_helpers

        kwargs = {
            "timeout": timeout,
            "max_retries": 2,
            "retry_on_status": (502, 503, 504),
            "retry_on_timeout": True,
            **tls,
        }
        if auth:
            kwargs["http_auth"] = auth
        if api_key:
            kwargs["headers"] = {"Authorization": f"ApiKey {api_key}"}
        return _OpenSearch(
            url, opensearchpy.OpenSearch(hosts=[url], **kwargs), os_helpers, opensearchpy.exceptions
        )
    raise IndexerError(f"unknown cluster flavour {flavour!r}")
