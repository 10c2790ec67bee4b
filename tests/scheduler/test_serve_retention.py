"""`nachtwacht serve --retention-every`: the scheduler inside serve applies retention on that interval."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.conftest import run_cli
from tests.scheduler.test_scheduler_retention import _ids, _passes
from tests.web.conftest import serve_process


def _load_listings(data, ages: dict[str, int]) -> None:
    """Listings last seen `age` days ago (config/retention.yaml keeps documents 365 days)."""
    from indexer import get_backend

    now = datetime.now(UTC)
    backend = get_backend({"backend": "embedded", "data_dir": str(data)})
    try:
        backend.upsert([{"id": doc_id, "kind": "listing", "site": "demo-x", "url": f"http://x.onion/{doc_id}",
                         "title": doc_id, "first_seen": (now - timedelta(days=age + 1)).isoformat(),
                         "last_seen": (now - timedelta(days=age)).isoformat()}
                        for doc_id, age in ages.items()])
        backend.commit()
    finally:
        backend.close()


def test_serve_applies_retention_on_its_interval(tmp_path):
    _load_listings(tmp_path, {"old": 400, "fresh": 3})
    with serve_process(tmp_path, "--retention-every", "2s", "--scheduler-poll", "0.2"):
        deadline = time.monotonic() + 60
        while not _passes(tmp_path):
            assert time.monotonic() < deadline, "serve's scheduler applied no retention within 60 s"
            time.sleep(0.25)
    assert _ids(tmp_path) == {"fresh"}, "the listing past its retention period is gone, the fresh one stays"


def test_serve_refuses_a_bad_retention_interval(tmp_path):
    proc = run_cli("serve", "--retention-every", "every tuesday", "--data-dir", str(tmp_path), check=False,
                   timeout=60)
    assert proc.returncode != 0
    assert "every tuesday" in proc.stderr
