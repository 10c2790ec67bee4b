"""`CustodyLog.append` writes exactly the canonical JSON its hash covers, through one open file."""

from __future__ import annotations

import gc
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.evidence.custody import CustodyLog, canonical, entry_hash, read_entries

# keys on both sides of "hash" (where the hash lands in the sorted line), and the entry's own keys
KEYS = st.sampled_from(["a", "h", "ha", "has", "hasg", "hasi", "hash", "hash_", "i", "job", "url", "zz", "É",
                        "Z", "_", "prev", "seq", "time"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(KEYS, VALUES, max_size=6))
def test_each_line_is_the_canonical_json_of_the_returned_entry(tmp_path_factory, fields):
    path = tmp_path_factory.mktemp("c") / "custody.jsonl"
    log = CustodyLog(path, durable=False)
    first = log.append("capture", **fields)
    second = log.append("capture", **fields)
    log.close()
    lines = path.read_bytes().splitlines(keepends=True)
    assert lines == [canonical(first) + b"\n", canonical(second) + b"\n"]
    assert first["hash"] == entry_hash(first) and second["prev"] == first["hash"]
    assert log.verify() == []


def test_the_log_keeps_one_file_open_and_reopens_after_close(tmp_path):
    path = tmp_path / "custody.jsonl"
    log = CustodyLog(path, durable=False)
    log.append("a")
    opened = os.listdir("/proc/self/fd")
    log.append("b")
    log.append("c")
    assert os.listdir("/proc/self/fd") == opened  # no descriptor per entry
    log.close()
    log.append("d")  # usable after close
    log.sync()
    assert [e["event"] for e in read_entries(path)] == ["a", "b", "c", "d"]
    assert CustodyLog(path).verify() == []


def test_a_dropped_log_closes_its_file(tmp_path):
    gc.collect()  # files other tests dropped are closed now, not in the middle of this count
    before = len(os.listdir("/proc/self/fd"))
    log = CustodyLog(tmp_path / "custody.jsonl")
    log.append("a")
    assert len(os.listdir("/proc/self/fd")) == before + 1
    del log
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) == before
