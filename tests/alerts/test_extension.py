"""The Scrapy extension in a real crawl process: alerts raised from `documents_committed`, delivered
before the process ends, and the alert store closed on the reactor thread that opened it (issue 6:
"SQLite objects created in a thread can only be used in that same thread" in AlertExtension.closed)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_closed_flushes_deliveries_and_closes_the_store_without_thread_errors(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("channels:\n  - {name: journal, type: file, path: alerts/journal.jsonl}\n"
                     "rules:\n  - {name: nv, type: new_vendor}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tests.alerts._extension_crawl", str(tmp_path / "data"),
                           str(rules)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    assert stats.get("alerts/raised/new_vendor") == 2
    assert "alerts/errors" not in stats
    assert "Traceback" not in proc.stderr and "created in a thread" not in proc.stderr, proc.stderr[-3000:]
    assert "returned a Deferred" not in proc.stderr  # closed is a coroutine, not a deprecated Deferred
    journal = (tmp_path / "data" / "alerts" / "journal.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["entity"] for line in journal) == ["demo-ext:extvendor",
                                                                    "demo-ext:othervendor"]
