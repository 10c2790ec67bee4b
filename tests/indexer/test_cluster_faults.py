"""Cluster faults on real nodes: a node killed mid-bulk, crawl continues, restart, exactly once.

The fault test starts its own node (killing the shared session node would disturb other
tests); the upgrade test uses the shared session nodes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from indexer import BackendUnavailable, get_backend
from indexer._cluster import ClusterBackend
from indexer._es_render import index_body, to_body
from indexer._mapping import MAPPING_VERSION, prepare
from tests.indexer.corpus import corpus
from tests.servers.nodes import ELASTICSEARCH, OPENSEARCH, Node, tools_missing

pytestmark = pytest.mark.cluster


def _doc(i: int, title: str = "") -> dict[str, Any]:
    return {
        "id": f"d{i:05d}", "kind": "listing", "site": "alpha", "lang": "en",
        "title": title or f"Item {i} cocaine sample", "vendor": f"v{i % 7}",
        "price_eur": {"amount": float(i % 90 + 10), "rate": 1.0, "rate_date": "2025-01-01"},
        "last_seen": "2025-03-01T00:00:00+00:00",
    }


@pytest.fixture(params=[ELASTICSEARCH, OPENSEARCH], ids=["elasticsearch", "opensearch"])
def own_node(request: pytest.FixtureRequest) -> Iterator[Node]:
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    node = Node(request.param)
    try:
        node.start()
        yield node
    finally:
        node.cleanup()


def test_node_killed_mid_bulk_then_restarted_every_document_once(own_node: Node, tmp_path):
    settings = {
        "backend": own_node.dist.flavour, "url": own_node.url, "spool_dir": str(tmp_path / "spool"),
        "flush_every": 100, "timeout": 10,
    }
    backend = get_backend(settings)
    assert isinstance(backend, ClusterBackend)
    real_bulk = backend.client.bulk
    calls = {"n": 0}
    killer: list[threading.Thread] = []

    def bulk_that_loses_the_node(index: str, actions: list[dict[str, Any]]) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:  # the node dies while this request is on its way
            killer.append(threading.Thread(target=own_node.kill))
            killer[0].start()
        return real_bulk(index, actions)

    backend.client.bulk = bulk_that_loses_the_node  # type: ignore[method-assign]
    for start in range(0, 1000, 100):  # the crawl keeps going while the node is down
        backend.upsert(_doc(i) for i in range(start, start + 100))
    killer[0].join(60)
    backend.upsert([_doc(5, title="Updated while down")])
    backend.delete(["d00007"])
    backend.commit()  # unreachable: spooled, no exception
    assert backend.spooled >= 600
    assert not own_node.healthy()
    backend.close()  # the crawler exits while the cluster is down: actions stay on disk

    own_node.start()
    again = get_backend(settings)  # a new crawler process finds the spool
    assert again.spooled >= 600
    again.upsert(_doc(i) for i in range(1000, 1100))
    again.commit()  # replays the spool in order, then the new documents
    assert again.spooled == 0
    assert again.search("*").total == 1099
    ids = [d["id"] for d in again.scan()]
    assert len(ids) == len(set(ids)) == 1099
    assert "d00007" not in ids
    assert again.get("d00005")["title"] == "Updated while down"
    again.close()


@pytest.mark.parametrize("flavour", ["elasticsearch", "opensearch"])
def test_schema_upgrade_keeps_old_documents_searchable(flavour: str, request: pytest.FixtureRequest):
    """An index at an older mapping version behind the alias is copied and swapped on open."""
    node: Node = request.getfixturevalue(f"{flavour}_node")
    prefix = "upg"
    first = get_backend({"backend": flavour, "url": node.url, "index": prefix})
    assert isinstance(first, ClusterBackend)
    client = first.client
    old = f"{prefix}-v{MAPPING_VERSION - 1}"
    body = index_body()
    client.create_index(old, body)
    client.swap_alias(prefix, [f"{prefix}-v{MAPPING_VERSION}"], old)
    client.delete_index(f"{prefix}-v{MAPPING_VERSION}")
    client.bulk(old, [{"op": "index", "id": d["id"], "body": to_body(prepare(d))} for d in corpus()])
    client.refresh(old)
    first.close()

    upgraded = get_backend({"backend": flavour, "url": node.url, "index": prefix})
    health = upgraded.health()
    assert health["index"] == f"{prefix}-v{MAPPING_VERSION}" and health["docs"] == len(corpus())
    assert sorted(upgraded.search("vendor:pillking AND kind:listing").ids) == ["L2", "L7"]
    assert not upgraded.client.index_exists(old)
    upgraded.close()


def test_bad_credentials_are_one_clear_line(tmp_path):
    """A real Elasticsearch with security on: wrong password -> BackendUnavailable, one line."""
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    node = Node(ELASTICSEARCH, user=("nwtest", "right-password-1"))
    try:
        node.start()
        settings = {"backend": "elasticsearch", "url": node.url, "data_dir": str(tmp_path)}
        with pytest.raises(BackendUnavailable) as info:
            get_backend({**settings, "username": "nwtest", "password": "wrong-password"})
        assert str(info.value) == (
            f"elasticsearch at {node.url}: credentials refused (HTTP 401); check "
            "NACHTWACHT_INDEX_USERNAME/NACHTWACHT_INDEX_PASSWORD or NACHTWACHT_INDEX_API_KEY"
        )
        ok = get_backend({**settings, "username": "nwtest", "password": "right-password-1"})
        ok.upsert(corpus())
        ok.commit()
        assert ok.search("vendor:pillking", kind="listing").total == 2
        ok.close()
    finally:
        node.cleanup()
