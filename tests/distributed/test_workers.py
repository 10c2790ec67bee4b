"""Workers crawling the demo market together through a real Redis, with one index writer.

Two workers fetch every page exactly once and index what a single ordinary crawl indexes; a
worker killed mid-crawl loses nothing (its leases expire and the other worker finishes).
"""

from __future__ import annotations

import collections
import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_json

pytestmark = pytest.mark.slow

SITE = REPO / "config" / "sites" / "demo-noordzee.yaml"
LOOP_PATHS = ("/lus/",)  # a redirect loop hits its own paths by design


def _module(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawlers.distributed", *args]


def _worker(redis_url: str, job: str, base: str, data: Path, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(_module("worker", str(SITE), "--redis", redis_url, "--job", job, "--via", "direct",
                                    "--base-url", base, "--data-dir", str(data / name), "--worker", name, *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _writer(redis_url: str, job: str, index_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(_module("writer", "--redis", redis_url, "--job", job, "--data-dir", str(index_dir),
                                    "--timeout", "240"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _result(proc: subprocess.Popen[str], timeout: float = 240) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _index_content(data_dir: Path, base: str) -> dict[str, object]:
    """What an analyst sees: listings (title, vendor, price), vendors with their listings, pages.

    Keyed by URL with the site's loopback base replaced: ids hash the URL, and each run has its
    own server port.
    """
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data_dir)}, readonly=True)
    try:
        listings = list(backend.scan("*", kind="listing"))
        vendors = list(backend.scan("*", kind="vendor"))
        pages = list(backend.scan("*", kind="page"))
    finally:
        backend.close()
    url_of = {d["id"]: d["url"].replace(base, "BASE") for d in listings}
    return {
        "listings": {url_of[d["id"]]: (d.get("title"), d.get("vendor_id"), json.dumps(d.get("price")))
                     for d in listings},
        "vendors": {d["id"]: sorted(url_of.get(i, i) for i in d.get("listing_ids", [])) for d in vendors},
        "pages": sorted((d["url"].replace(base, "BASE"), d.get("page_type")) for d in pages),
    }


def test_two_workers_fetch_every_page_once_and_index_what_one_crawl_does(demo_world, redis_url, tmp_path):
    from nachtwacht.demomarket import DemoServer

    with DemoServer(demo_world.sites["noordzee"]) as single:
        cli_json("crawl", str(SITE), "--via", "direct", "--base-url", single.base_url,
                 data_dir=tmp_path / "single")
        single_hits = list(single.hits)
    job = "two-" + uuid.uuid4().hex[:6]
    with DemoServer(demo_world.sites["noordzee"]) as shared:
        workers = [_worker(redis_url, job, shared.base_url, tmp_path, f"w{i}") for i in range(2)]
        writer = _writer(redis_url, job, tmp_path / "index")
        summaries = [_result(p) for p in workers]
        written = _result(writer)
        hits = list(shared.hits)
    assert all(s["finish_reason"] == "finished" for s in summaries)
    assert all(s["pages"] > 0 for s in summaries), "both workers took part"
    assert set(written["by_worker"]) == {"w0", "w1"}
    counts = collections.Counter(p for p in hits if not p.startswith(LOOP_PATHS))
    assert [p for p, n in counts.items() if n > 1] == []
    assert set(counts) == {p for p in single_hits if not p.startswith(LOOP_PATHS)}
    assert sum(s["pages"] for s in summaries) == cli_json(
        "search", "*", "--kind", "page", "--limit", "0", data_dir=tmp_path / "single")["total"]
    one = _index_content(tmp_path / "single", single.base_url)
    two = _index_content(tmp_path / "index", shared.base_url)
    assert len(one["listings"]) >= 100 and len(one["vendors"]) >= 10
    assert two["pages"] == one["pages"]
    assert two["vendors"] == one["vendors"]
    assert two["listings"] == one["listings"]


def _wait_for_hits(server, count: int, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len(server.hits) < count:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the worker did not get going"
        time.sleep(0.05)


def test_a_worker_killed_mid_crawl_loses_nothing(demo_world, redis_url, tmp_path):
    from crawlers.distributed.frontier import RedisFrontier
    from extractors.model import listing_id
    from indexer import get_backend
    from nachtwacht.demomarket import DemoServer

    job = "kill-" + uuid.uuid4().hex[:6]
    lease = ("--lease", "4")
    with DemoServer(demo_world.sites["noordzee"]) as server:
        # the victim holds many leases at once and commits rarely: its death leaves real holes
        victim = _worker(redis_url, job, server.base_url, tmp_path, "victim", *lease,
                         "--set", "DOWNLOAD_DELAY=0.05", "--set", "NACHTWACHT_COMMIT_SECONDS=30",
                         "--set", "NACHTWACHT_COMMIT_EVERY=1000")
        writer = _writer(redis_url, job, tmp_path / "index")
        _wait_for_hits(server, 40, victim)
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
        frontier = RedisFrontier(redis_url, job, "observer")
        orphaned = frontier.status().leased
        assert orphaned > 0, "the victim died holding leases"
        survivor = _worker(redis_url, job, server.base_url, tmp_path, "survivor", *lease)
        summary = _result(survivor)
        written = _result(writer)
    assert summary["finish_reason"] == "finished"
    assert set(written["by_worker"]) == {"survivor"}, "the victim committed nothing before it died"
    counts = frontier.counts()
    assert counts.get("failed", 0) == 0 and "pending" not in counts and "leased" not in counts
    assert frontier.status().finished
    expected = [item["path"] for item in demo_world.truth["listings"] if item["site"] == "noordzee"]
    backend = get_backend({"backend": "embedded", "data_dir": str(tmp_path / "index")}, readonly=True)
    try:
        lost = [p for p in expected if backend.get(listing_id("demo-noordzee", server.base_url + p)) is None]
    finally:
        backend.close()
    assert lost == []
