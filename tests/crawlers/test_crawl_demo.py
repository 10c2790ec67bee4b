"""The spider and pipelines against the served demo market, over loopback (`--via direct`).

The Tor path of the same crawl is tested in tests/tor/. Here: follow rules, traps, size limits,
malformed pages, redirect loops, indexing, and resume after an interrupted crawl.
"""

from __future__ import annotations

import collections
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from extractors.model import listing_id
from tests.conftest import NACHTWACHT, REPO, cli_json, run_cli

SITE = REPO / "config" / "sites" / "demo-noordzee.yaml"
LOOP_PATHS = ("/lus/",)  # a redirect loop hits its own paths several times by design


def truth_listings(world, site_name: str) -> list[dict]:
    return [item for item in world.truth["listings"] if item["site"] == site_name]


@pytest.fixture(scope="module")
def crawled(demo_world, tmp_path_factory):
    """One full direct crawl of the Noordzee demo market into a fresh data directory, extracting and
    indexing in the crawl process (other crawls of this module use the defaults: on >= 2 cores an
    extraction worker and an index writer process), the reference the other modes are held to."""
    from nachtwacht.demomarket import DemoServer

    data = tmp_path_factory.mktemp("crawl-data")
    server = DemoServer(demo_world.sites["noordzee"])
    base = server.start()
    try:
        summary = cli_json("crawl", str(SITE), "--via", "direct", "--base-url", base,
                           "--set", "NACHTWACHT_EXTRACT_WORKERS=0", "--set", "NACHTWACHT_INDEX_WRITER=inline",
                           data_dir=data)
    finally:
        server.stop()
    return {"summary": summary, "hits": list(server.hits), "data": data, "base": base}


def test_crawl_finishes_and_indexes_every_listing(crawled, demo_world):
    summary = crawled["summary"]
    assert summary["via"] == "direct"
    assert summary["finish_reason"] == "finished"
    expected = truth_listings(demo_world, "noordzee")
    assert len(expected) >= 100
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(crawled["data"])}, readonly=True)
    try:
        missing = [item["path"] for item in expected
                   if backend.get(listing_id("demo-noordzee", crawled["base"] + item["path"])) is None]
    finally:
        backend.close()
    assert missing == []


def test_no_page_is_fetched_twice(crawled):
    counts = collections.Counter(crawled["hits"])
    twice = {path: n for path, n in counts.items() if n > 1 and not path.startswith(LOOP_PATHS)}
    assert twice == {}


def test_calendar_trap_is_cut_off(crawled):
    calendar = [path for path in crawled["hits"] if path.startswith("/agenda/")]
    # the chain guard (10 links in a row of one shape) cuts it off in both directions
    assert 0 < len(calendar) <= 2 * 10 + 2
    assert crawled["summary"]["frontier"].get("trap", 0) >= 1


def test_oversized_page_is_skipped_by_size_limit(crawled):
    assert crawled["summary"]["errors"].get("too_large") == 1
    assert crawled["summary"]["frontier"].get("skipped", 0) >= 1


def test_redirect_loop_ends(crawled):
    assert crawled["summary"]["errors"].get("redirect_loop") == 1
    assert sum(1 for path in crawled["hits"] if path.startswith("/lus/")) <= 8


def test_malformed_page_still_yields_its_listing(crawled, demo_world):
    malformed = [item for item in truth_listings(demo_world, "noordzee") if item["path"].startswith("/oud/")]
    assert malformed, "the demo market has malformed listing pages"
    hits = cli_json("search", "*", "--kind", "listing", "--limit", "500", data_dir=crawled["data"])["hits"]
    urls = {hit["url"] for hit in hits}
    assert all(crawled["base"] + item["path"] in urls for item in malformed)


def test_search_from_a_second_process_returns_priced_listings(crawled):
    result = cli_json("search", "cocaine", data_dir=crawled["data"])
    assert result["total"] > 0
    for hit in result["hits"]:
        assert hit["title"] and hit["url"] and hit["vendor"]
        assert hit["price"]["amount"] > 0 and hit["price"]["currency"]


def test_vendors_have_listing_counts(crawled, demo_world):
    vendors = cli_json("vendors", data_dir=crawled["data"])["vendors"]
    truth = {v["handle"] for v in demo_world.truth["vendors"] if v["site"] == "noordzee"}
    found = {v["vendor"] for v in vendors}
    assert truth <= found
    assert all(v["listing_count"] > 0 for v in vendors if v["vendor"] in truth)


def test_bad_config_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbase_url: http://a.onion\nlimits: {depth: deep}\n")
    proc = run_cli("crawl", str(bad), "--via", "direct", data_dir=tmp_path, check=False)
    assert proc.returncode == 2
    assert f"{bad}:3: limits.depth" in proc.stderr
    assert "Traceback" not in proc.stderr


def _crawl_process(base: str, data: Path, *extra: str) -> subprocess.Popen[str]:
    args = [*NACHTWACHT, "crawl", str(SITE), "--via", "direct", "--base-url", base, "--json",
            "--data-dir", str(data), "--job", "resume-test", *extra]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _wait_for_hits(server, count: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(server.hits) < count:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the crawl did not get going"
        time.sleep(0.05)


def test_a_held_server_answers_nothing_and_counts_nothing(demo_world):
    import http.client

    from nachtwacht.demomarket import DemoServer

    def get(server) -> int:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        try:
            conn.request("GET", "/")
            return conn.getresponse().status
        finally:
            conn.close()

    with DemoServer(demo_world.sites["noordzee"]) as server:
        assert get(server) == 200 and server.hits == ["/"]
        server.hold()
        with pytest.raises(ConnectionError):  # closed without a response
            get(server)
        assert server.hits == ["/"]
        server.release()
        assert get(server) == 200 and server.hits == ["/", "/"]


def _index_misses(data: Path, base: str, paths) -> list[str]:
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        return [p for p in paths if backend.get(listing_id("demo-noordzee", base + p)) is None]
    finally:
        backend.close()


def test_interrupted_crawl_resumes_without_loss(demo_world, tmp_path):
    """SIGTERM midway (a graceful stop), run again: nothing is lost, nothing fetched twice."""
    from nachtwacht.demomarket import DemoServer

    slow = ("--set", "DOWNLOAD_DELAY=0.02", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "--set", "NACHTWACHT_COMMIT_SECONDS=0.3")
    with DemoServer(demo_world.sites["noordzee"]) as server:
        proc = _crawl_process(server.base_url, tmp_path, *slow)
        _wait_for_hits(server, 60, proc)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        first_run = list(server.hits)
        assert 60 <= len(first_run) < 200, "the crawl was stopped midway"
        resumed = _crawl_process(server.base_url, tmp_path)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err[-3000:]
        hits = list(server.hits)
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["resumed"] is True
    counts = collections.Counter(p for p in hits if not p.startswith(LOOP_PATHS))
    assert [p for p, n in counts.items() if n > 1] == []
    expected = {item["path"] for item in truth_listings(demo_world, "noordzee")}
    assert expected <= set(hits), "every listing page was fetched in one of the runs"
    assert _index_misses(tmp_path, server.base_url, expected) == []


def _custody(log: Path, event: str) -> list[dict]:
    from crawlers.evidence.custody import read_entries

    return [e for e in read_entries(log) if e.get("event") == event]


def _frontier_states(frontier: Path, *, running: bool = True) -> dict[str, str]:
    """URL -> state as committed: read-only beside a running crawl; after a crash, read-write
    (the first connection recovers the WAL, as the resumed run would)."""
    import sqlite3

    db = sqlite3.connect(f"file:{frontier}?mode={'ro' if running else 'rw'}", uri=True, timeout=10)
    try:
        return dict(db.execute("SELECT url, state FROM urls").fetchall())
    finally:
        db.close()


def wait_until_served_is_settled(server, custody_log: Path, frontier: Path, timeout: float = 60) -> None:
    """With the server held: wait until each response served is captured in the job's custody
    log, or (a body over the size limit, never captured) committed as failed in the frontier."""
    served = collections.Counter(server.hits)
    deadline = time.monotonic() + timeout
    while True:
        captured = collections.Counter(e["url"][len(server.base_url):] for e in _custody(custody_log, "capture"))
        states = _frontier_states(frontier)
        open_ = [p for p, n in served.items() if captured[p] < n
                 and states.get(server.base_url + p) not in ("skipped", "failed")]
        if not open_:
            return
        assert time.monotonic() < deadline, f"served but not captured: {open_[:5]}"
        time.sleep(0.05)


def test_killed_crawl_resumes_fetching_no_page_twice_and_missing_none(crawled, demo_world, tmp_path):
    """SIGKILL at a controlled point, with nothing checkpointed since the start: every page the
    crashed run was served is answered from its WARC on resume; over both runs every page is
    served exactly once, the same pages as a clean run, and every listing is indexed."""
    from nachtwacht.demomarket import DemoServer

    no_checkpoint = ("--set", "DOWNLOAD_DELAY=0.02", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                     "--set", "NACHTWACHT_COMMIT_SECONDS=3600", "--set", "NACHTWACHT_COMMIT_EVERY=100000")
    custody = tmp_path / "evidence" / "resume-test" / "custody.jsonl"
    with DemoServer(demo_world.sites["noordzee"]) as server:
        proc = _crawl_process(server.base_url, tmp_path, *no_checkpoint)
        _wait_for_hits(server, 60, proc)
        server.hold()
        frontier = tmp_path / "jobs" / "resume-test" / "frontier.sqlite"
        wait_until_served_is_settled(server, custody, frontier)
        proc.kill()
        proc.communicate(timeout=60)
        states = _frontier_states(frontier, running=False)  # what the crash left
        first_run = list(server.hits)
        captured = _custody(custody, "capture")
        server.release()
        resumed = _crawl_process(server.base_url, tmp_path)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err[-3000:]
        hits = list(server.hits)
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["resumed"] is True
    assert 60 <= len(first_run) < 200, "the crawl was killed midway"
    # not committed as done: pending, or found and fetched but its discovery never committed
    pending = [e for e in captured if states.get(e["url"]) not in ("done", "skipped", "failed")]
    assert len(pending) >= 50, "nothing was checkpointed: the crash left the pages pending"
    replays = _custody(custody, "replay")
    assert sorted(e["record_id"] for e in replays) == sorted(e["record_id"] for e in pending)
    counts = collections.Counter(p for p in hits if not p.startswith(LOOP_PATHS))
    assert [p for p, n in counts.items() if n > 1] == [], "no page fetched twice"
    assert set(counts) == {p for p in crawled["hits"] if not p.startswith(LOOP_PATHS)}, \
        "the same pages as a clean run"
    expected = {item["path"] for item in truth_listings(demo_world, "noordzee")}
    assert _index_misses(tmp_path, server.base_url, expected) == []
    _assert_replayed_listings_point_at_their_original_capture(tmp_path, server.base_url, replays, expected)


def _assert_replayed_listings_point_at_their_original_capture(data, base, replays, listing_paths) -> None:
    from crawlers.evidence import find_capture
    from indexer import get_backend

    replayed = [e for e in replays if e["url"][len(base):] in listing_paths]
    assert replayed, "listing pages were among the replayed ones"
    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        for entry in replayed:
            evidence = backend.get(listing_id("demo-noordzee", entry["url"]))["evidence"]
            assert (evidence["warc_file"], evidence["warc_record_id"]) == (entry["warc_file"], entry["record_id"])
            capture = find_capture(data, entry["warc_file"], entry["record_id"])
            assert capture["url"] == entry["url"] and capture["content_sha256"] == entry["content_sha256"]
            assert evidence["fetched_at"].replace("+00:00", "") == entry["captured_at"].split(".")[0]
    finally:
        backend.close()


def test_forum_pages_never_become_listings(demo_world, tmp_path):
    from nachtwacht.demomarket import DemoServer

    forum = REPO / "config" / "sites" / "demo-forum.yaml"
    with DemoServer(demo_world.sites["forum"]) as server:
        summary = cli_json("crawl", str(forum), "--via", "direct", "--base-url", server.base_url,
                           "--max-pages", "25", data_dir=tmp_path)
    assert summary["pages"] == 25
    assert summary["listings"] == 0
    assert cli_json("search", "*", data_dir=tmp_path)["total"] == 0


def test_extraction_in_a_worker_process_indexes_the_same_listings(crawled, demo_world, tmp_path):
    """`NACHTWACHT_EXTRACT_WORKERS=1`: pages are extracted, and their links found, in another process,
    with the same result as in the crawl process: the same pages fetched, the same listings."""
    from nachtwacht.demomarket import DemoServer

    with DemoServer(demo_world.sites["noordzee"]) as server:
        summary = cli_json("crawl", str(SITE), "--via", "direct", "--base-url", server.base_url,
                           "--set", "NACHTWACHT_EXTRACT_WORKERS=1", data_dir=tmp_path)
        base = server.base_url
        hits = list(server.hits)
    assert summary["finish_reason"] == "finished"
    assert sorted(hits) == sorted(crawled["hits"])
    assert summary["listings"] == crawled["summary"]["listings"]
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(tmp_path)}, readonly=True)
    try:
        missing = [item["path"] for item in truth_listings(demo_world, "noordzee")
                   if backend.get(listing_id("demo-noordzee", base + item["path"])) is None]
    finally:
        backend.close()
    assert missing == []


def test_index_writer_in_a_child_process_indexes_the_same_documents(crawled, demo_world, tmp_path):
    """`NACHTWACHT_INDEX_WRITER=process`: the index is written by a child process, with the same result."""
    from nachtwacht.demomarket import DemoServer

    with DemoServer(demo_world.sites["noordzee"]) as server:
        summary = cli_json("crawl", str(SITE), "--via", "direct", "--base-url", server.base_url,
                           "--set", "NACHTWACHT_INDEX_WRITER=process", data_dir=tmp_path)
        base = server.base_url
    assert summary["finish_reason"] == "finished"
    for key in ("pages", "listings", "vendors"):
        assert summary[key] == crawled["summary"][key], key
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(tmp_path)}, readonly=True)
    reference = get_backend({"backend": "embedded", "data_dir": str(crawled["data"])}, readonly=True)
    try:
        # (not observations: their id holds the sighting's second, so two sightings of a listing
        # within one second are one observation, in either crawl)
        for kind in ("listing", "vendor", "page"):
            assert backend.search(f"kind:{kind}").total == reference.search(f"kind:{kind}").total, kind
        missing = [item["path"] for item in truth_listings(demo_world, "noordzee")
                   if backend.get(listing_id("demo-noordzee", base + item["path"])) is None]
    finally:
        backend.close()
        reference.close()
    assert missing == []
