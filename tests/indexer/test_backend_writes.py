"""Write-side contract on every backend: idempotent upserts, deletes, truncation, upgrades."""

from __future__ import annotations

import pytest

from indexer import BackendUnavailable, IndexerError, SearchBackend, get_backend
from indexer._mapping import MAX_TEXT_CHARS
from tests.indexer.corpus import corpus
from tests.servers.nodes import free_port


def test_upserts_do_not_duplicate(any_backend: SearchBackend):
    docs = corpus()
    any_backend.upsert(docs)
    any_backend.upsert(docs[:10])
    any_backend.commit()
    any_backend.upsert(docs)
    any_backend.commit()
    assert any_backend.search("*").total == len(docs)
    changed = dict(docs[0], title="Cocaïne 95% nouvelle récolte")
    any_backend.upsert([changed])
    any_backend.commit()
    assert any_backend.search("*").total == len(docs)
    assert any_backend.get("L1")["title"] == "Cocaïne 95% nouvelle récolte"
    assert any_backend.search("recolte").ids == ["L1"]


def test_delete_and_last_action_wins(any_backend: SearchBackend):
    any_backend.upsert(corpus())
    any_backend.delete(["L2", "L7", "never-existed"])
    any_backend.commit()
    assert any_backend.search("mdma").ids == []
    any_backend.delete(["L3"])
    any_backend.upsert([d for d in corpus() if d["id"] == "L3"])  # re-added after the delete
    any_backend.commit()
    assert any_backend.search("amnesia").ids == ["L3"]
    assert any_backend.health()["docs"] == len(corpus()) - 2


def test_oversized_document_is_truncated_not_rejected(any_backend: SearchBackend):
    text = ("wiet " * (MAX_TEXT_CHARS // 5)) + "tailword"
    any_backend.upsert([{"id": "huge", "kind": "post", "text": text, "lang": "nl"}])
    any_backend.commit()
    stored = any_backend.get("huge")
    assert stored["_truncated"] == ["text"] and len(stored["text"]) == MAX_TEXT_CHARS
    assert any_backend.search("wiet").ids == ["huge"]
    assert any_backend.search("tailword").ids == []


def test_bad_documents_are_refused_clearly(any_backend: SearchBackend):
    with pytest.raises(IndexerError, match="no string 'id'"):
        any_backend.upsert([{"kind": "post", "text": "x"}])


def test_health_names_the_backend(any_backend: SearchBackend):
    health = any_backend.health()
    assert health["backend"] == any_backend.name
    assert health["status"] in ("green", "yellow")


@pytest.mark.parametrize("flavour", ["elasticsearch", "opensearch"])
def test_wrong_url_is_one_clear_line(flavour: str, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendUnavailable) as info:
        get_backend({"backend": flavour, "url": url, "timeout": 5, "data_dir": str(tmp_path)})
    message = str(info.value)
    assert message == f"{flavour} at {url}: unreachable (ConnectionError)"
    assert "\n" not in message


def test_unknown_backend_name():
    with pytest.raises(IndexerError, match="unknown index backend 'solr'"):
        get_backend({"backend": "solr"})
