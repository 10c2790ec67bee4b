"""Fixtures for the indexer tests: backends on real tantivy dirs and real ES/OpenSearch nodes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer import SearchBackend, get_backend
from tests.indexer.corpus import corpus
from tests.servers.nodes import ELASTICSEARCH, OPENSEARCH, Node, tools_missing

BACKEND_NAMES = ("embedded", "elasticsearch", "opensearch")
_prefixes = itertools.count()


def _node(dist: Any) -> Iterator[Node]:
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    node = Node(dist)
    try:
        node.start()  # failing to start is a test failure, not a skip
        yield node
    finally:
        node.cleanup()


@pytest.fixture(scope="session")
def opensearch_node() -> Iterator[Node]:
    yield from _node(OPENSEARCH)


@pytest.fixture(scope="session")
def elasticsearch_node() -> Iterator[Node]:
    yield from _node(ELASTICSEARCH)


def backend_settings(name: str, request: pytest.FixtureRequest, tmp: Path) -> dict[str, Any]:
    """Settings for a fresh, empty index of backend ``name`` (own prefix on the shared node)."""
    if name == "embedded":
        return {"backend": "embedded", "data_dir": str(tmp / "embedded")}
    node: Node = request.getfixturevalue(f"{name}_node")
    return {
        "backend": name,
        "url": node.url,
        "index": f"nw-test-{next(_prefixes)}",
        "data_dir": str(tmp),
    }


def cluster_params() -> list[Any]:
    return [
        pytest.param(n, marks=[pytest.mark.cluster] if n != "embedded" else [], id=n)
        for n in BACKEND_NAMES
    ]


@pytest.fixture(params=cluster_params())
def any_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    """An empty backend of each kind, writable."""
    backend = get_backend(backend_settings(request.param, request, tmp_path))
    yield backend
    backend.close()


@pytest.fixture(scope="module", params=cluster_params())
def contract_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    """Each backend loaded once with the corpus (shared by the read-only contract tests)."""
    tmp = tmp_path_factory.mktemp(f"contract-{request.param}")
    backend = get_backend(backend_settings(request.param, request, tmp))
    backend.upsert(corpus())
    backend.commit()
    yield backend
    backend.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def embedded(data_dir: Path) -> Iterator[SearchBackend]:
    backend = get_backend({"backend": "embedded", "data_dir": str(data_dir)})
    yield backend
    backend.close()


@pytest.fixture
def loaded(embedded: SearchBackend) -> SearchBackend:
    embedded.upsert(corpus())
    embedded.commit()
    return embedded


@pytest.fixture
def corpus_docs() -> list[dict[str, Any]]:
    return corpus()
