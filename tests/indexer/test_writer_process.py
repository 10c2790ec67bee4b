"""The embedded index written by a child process (`writer: process`): same index, same lock, no orphan."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import IndexerError, IndexLockedError, get_backend
from indexer._tantivy import DEFAULT_HEAP
from indexer._writer import ProcessWriterBackend
from tests.conftest import REPO
from tests.indexer.corpus import corpus


def _process(data_dir: Path):
    return get_backend({"backend": "embedded", "data_dir": str(data_dir), "writer": "process"})


def _sources(data_dir: Path) -> dict[str, dict]:
    reader = get_backend({"backend": "embedded", "data_dir": str(data_dir)}, readonly=True)
    try:
        return {hit["id"]: hit for hit in (reader.get(doc["id"]) for doc in corpus()) if hit}
    finally:
        reader.close()


def test_it_writes_the_index_the_inline_writer_writes(tmp_path):
    inline = get_backend({"backend": "embedded", "data_dir": str(tmp_path / "inline")})
    inline.upsert(corpus())
    inline.close()
    with _process(tmp_path / "child") as backend:
        assert type(backend).__name__ == "ProcessWriterBackend"
        assert backend.upsert(corpus()) == len(corpus())
        assert backend.get(corpus()[0]["id"]) is None  # like in process: reads see commits only
        backend.commit()
        assert backend.get(corpus()[0]["id"]) == _sources(tmp_path / "inline")[corpus()[0]["id"]]
        assert backend.search("*").total == len(corpus())
        changed = {**corpus()[0], "title": "a later sighting"}
        backend.upsert([changed])
        assert backend.get(changed["id"])["title"] != "a later sighting", "not before its commit"
        backend.commit()
        assert backend.get(changed["id"])["title"] == "a later sighting", "every commit is seen"
        backend.upsert([corpus()[0]])
        backend.commit()
    assert _sources(tmp_path / "child") == _sources(tmp_path / "inline")
    assert len(_sources(tmp_path / "child")) == len(corpus())


def test_it_holds_the_writer_lock_until_closed(tmp_path):
    backend = _process(tmp_path)
    try:
        with pytest.raises(IndexLockedError):
            get_backend({"backend": "embedded", "data_dir": str(tmp_path)})
        with pytest.raises(IndexLockedError):
            ProcessWriterBackend(tmp_path, heap_size=DEFAULT_HEAP, lock_wait=0.3)  # the child's error, as is
    finally:
        backend.close()
    get_backend({"backend": "embedded", "data_dir": str(tmp_path)}).close()  # released


def test_a_rejected_document_is_logged_and_the_others_committed(tmp_path, caplog):
    docs = corpus()[:3]
    bad = {"id": "bogus-1", "kind": "no-such-kind"}
    with _process(tmp_path) as backend, caplog.at_level(logging.ERROR, logger="indexer._writer"):
        backend.upsert([docs[0], bad, *docs[1:]])
        backend.commit()
        assert [doc_id for doc_id, _ in backend.rejected] == ["bogus-1"]
        assert "no-such-kind" in backend.rejected[0][1]
        assert all(backend.get(doc["id"]) is not None for doc in docs)
    assert "rejected document bogus-1" in caplog.text


def test_a_dead_writer_makes_the_next_commit_fail_loudly(tmp_path):
    backend = _process(tmp_path)
    try:
        backend.upsert(corpus()[:2])
        os.kill(backend._process.pid, signal.SIGKILL)
        backend._process.join(10)
        with pytest.raises(IndexerError, match="index writer process"):
            backend.commit()
    finally:
        backend.close()
    get_backend({"backend": "embedded", "data_dir": str(tmp_path)}).close()  # the lock died with it


_OWNER = """
import sys, time
from indexer import get_backend
backend = get_backend({"backend": "embedded", "data_dir": sys.argv[1], "writer": "process"})
print(backend._process.pid, flush=True)
time.sleep(600)
"""


def test_the_writer_exits_when_its_parent_is_killed(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    try:
        child = int(owner.stdout.readline())
        owner.kill()
        owner.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"index writer {child} outlived its parent")
    finally:
        owner.kill()
    get_backend({"backend": "embedded", "data_dir": str(tmp_path)}).close()  # and its lock is free


def test_a_bad_writer_setting_is_one_clear_error(tmp_path):
    with pytest.raises(IndexerError, match="writer must be 'inline' or 'process'"):
        get_backend({"backend": "embedded", "data_dir": str(tmp_path), "writer": "thread"})


def test_a_writer_that_is_exiting_is_waited_for(tmp_path):
    """The writer of a crawl killed a moment ago still holds the lock: the next one waits for it."""
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    try:
        int(owner.stdout.readline())
        owner.kill()  # its writer is still alive for a moment, holding the lock
        with _process(tmp_path) as backend:
            backend.upsert(corpus()[:1])
            backend.commit()
            assert backend.get(corpus()[0]["id"]) is not None
    finally:
        owner.kill()


def test_uncommitted_documents_of_a_killed_crawl_are_not_committed(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", _UNCOMMITTED, str(tmp_path)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    try:
        child = int(owner.stdout.readline())
        owner.kill()
        owner.wait(10)
        _wait_gone(child)
    finally:
        owner.kill()
    ids = set(_sources(tmp_path))
    assert corpus()[0]["id"] in ids and corpus()[1]["id"] not in ids


_UNCOMMITTED = """
import sys, time
sys.path.insert(0, ".")
from indexer import get_backend
from tests.indexer.corpus import corpus
backend = get_backend({"backend": "embedded", "data_dir": sys.argv[1], "writer": "process"})
backend.upsert(corpus()[:1]); backend.commit()
backend.upsert(corpus()[1:2]); backend._flush()
print(backend._process.pid, flush=True)
time.sleep(600)
"""


def _wait_gone(pid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"index writer {pid} outlived its parent")
