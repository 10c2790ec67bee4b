"""Embedded backend on a real tantivy index in a tmp dir: writes, reads, locking, upgrades."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import indexer._mapping as mapping
from indexer import (
    IndexerError,
    IndexLockedError,
    QueryError,
    SchemaError,
    SearchBackend,
    get_backend,
)


def test_upsert_is_idempotent_and_visible_after_commit(embedded, corpus_docs):
    assert embedded.upsert(corpus_docs) == len(corpus_docs)
    assert embedded.search("*").total == 0  # not committed yet
    embedded.commit()
    assert embedded.search("*").total == len(corpus_docs)
    embedded.upsert(corpus_docs[:5])
    embedded.upsert(corpus_docs[:5])  # twice in one batch
    embedded.commit()
    assert embedded.search("*").total == len(corpus_docs)
    assert embedded.health()["docs"] == len(corpus_docs)


def test_upsert_replaces_the_stored_document(loaded):
    doc = loaded.get("L3")
    assert doc is not None and doc["title"].startswith("Wiet")
    doc = dict(doc, title="Hasj Marokko")
    loaded.upsert([doc])
    loaded.commit()
    assert loaded.get("L3")["title"] == "Hasj Marokko"
    assert loaded.search("hasj").ids == ["L3"]
    assert loaded.search("amnesia").ids == []


def test_get_returns_the_stored_document_unchanged(loaded, corpus_docs):
    by_id = {d["id"]: d for d in corpus_docs}
    assert loaded.get("L1") == json.loads(json.dumps(by_id["L1"]))
    assert loaded.get("nope") is None


def test_delete_then_commit(loaded):
    assert loaded.delete(["L1", "L2", "missing"]) == 3
    loaded.commit()
    assert loaded.get("L1") is None
    assert "L2" not in loaded.search("mdma").ids
    assert loaded.search("mdma").ids == ["L7"]


def test_second_writer_is_refused_with_a_clear_error(loaded, data_dir):
    with pytest.raises(IndexLockedError, match="locked by another writer"):
        get_backend({"backend": "embedded", "data_dir": str(data_dir)})


def test_writer_in_another_process_is_refused(loaded, data_dir):
    code = (
        "import sys\n"
        "from indexer import get_backend, IndexLockedError\n"
        "try:\n"
        f"    get_backend({{'data_dir': {str(data_dir)!r}}})\n"
        "except IndexLockedError as e:\n"
        "    print('LOCKED', e); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "LOCKED" in proc.stdout


def test_readonly_reader_sees_commits_of_the_writer(embedded, data_dir, corpus_docs):
    embedded.upsert(corpus_docs[:3])
    embedded.commit()
    reader = get_backend({"backend": "embedded", "data_dir": str(data_dir)}, readonly=True)
    assert reader.search("*").total == 3
    embedded.upsert(corpus_docs[3:6])
    embedded.commit()
    assert reader.search("*").total == 6
    with pytest.raises(IndexerError, match="read-only"):
        reader.upsert(corpus_docs[:1])
    reader.close()


def test_readonly_without_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexerError, match="no index at"):
        get_backend({"backend": "embedded", "data_dir": str(tmp_path / "x")}, readonly=True)


def test_close_commits_pending_and_releases_the_lock(data_dir, corpus_docs):
    first = get_backend({"data_dir": str(data_dir)})
    first.upsert(corpus_docs)
    first.close()
    second = get_backend({"data_dir": str(data_dir)})
    assert second.search("*").total == len(corpus_docs)
    second.close()


def test_document_without_id_or_kind_is_rejected(embedded):
    with pytest.raises(IndexerError, match="no string 'id'"):
        embedded.upsert([{"kind": "listing", "title": "x"}])
    with pytest.raises(IndexerError, match="kind 'shop'"):
        embedded.upsert([{"id": "x", "kind": "shop"}])


def test_oversized_text_is_truncated_and_marked(embedded, caplog):
    big = "cocaine " * (mapping.MAX_TEXT_CHARS // 8 + 100) + "needleword"
    embedded.upsert([{"id": "big", "kind": "post", "text": big, "lang": "en"}])
    embedded.commit()
    stored = embedded.get("big")
    assert len(stored["text"]) == mapping.MAX_TEXT_CHARS
    assert stored["_truncated"] == ["text"]
    assert embedded.search("cocaine").ids == ["big"]
    assert embedded.search("needleword").ids == []  # past the cut: not indexed, by policy
    assert "truncated text" in caplog.text


def test_sort_and_paging(loaded):
    res = loaded.search("kind:listing AND price_eur:*", sort="price_eur", limit=3)
    assert res.ids == ["L7", "L2", "L10"]
    assert res.total == 11
    res = loaded.search("kind:listing AND price_eur:*", sort="-price_eur", limit=2, offset=1)
    assert res.ids == ["L11", "L6"]
    with pytest.raises(QueryError, match="cannot sort on 'title'"):
        loaded.search("*", sort="title")


def test_scan_exports_everything_matching(loaded):
    ids = sorted(d["id"] for d in loaded.scan("vendor:dutchmagic"))
    assert ids == ["L1", "L12", "L6", "dutchmagic"]
    assert len(list(loaded.scan(kind="observation"))) == 5


def test_schema_upgrade_keeps_old_documents_searchable(data_dir, corpus_docs, monkeypatch):
    old = get_backend({"data_dir": str(data_dir)})
    old.upsert(corpus_docs)
    old.close()
    meta = Path(data_dir, "index", "nachtwacht.json")
    meta.write_text(json.dumps({"mapping_version": 0}))
    with pytest.raises(SchemaError, match="mapping version 0"):
        get_backend({"data_dir": str(data_dir)}, readonly=True)
    upgraded: SearchBackend = get_backend({"data_dir": str(data_dir)})
    assert upgraded.search("*").total == len(corpus_docs)
    assert upgraded.search("vendor:pillking AND kind:listing").total == 2
    assert json.loads(meta.read_text())["mapping_version"] == mapping.MAPPING_VERSION
    upgraded.close()
