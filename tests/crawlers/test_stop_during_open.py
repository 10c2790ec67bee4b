"""A stop requested while the spider opens (a job's stop or pause in its first second) stops the crawl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawlers import settings as project

REPO = Path(__file__).resolve().parents[2]


def _crawl(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.crawlers._stop_during_open_crawl", mode], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_stop_while_the_spider_opens_closes_the_spider_before_its_first_request():
    stats = _crawl("with")
    assert stats["finish_reason"] == "shutdown", "the spider closed before the reactor ended"
    assert "downloader/request_count" not in stats and "pages_parsed" not in stats


def test_without_it_the_reactor_ends_before_the_spider_closes():
    # Scrapy's behaviour the extension exists for (a job stopped then was reported `finished`, with
    # no finish reason); when an upgrade fixes it, this fails and the extension can go.
    stats = _crawl("without")
    assert "finish_reason" not in stats


def test_the_project_enables_it():
    assert "crawlers.extensions.stop_during_open.StopDuringOpen" in project.EXTENSIONS
