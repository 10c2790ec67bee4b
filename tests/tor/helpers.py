"""Run ``tests/tor/crawl_probe.py`` in a child process (one Twisted reactor per crawl)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def start_probe(spec: dict[str, Any], log: Path) -> subprocess.Popen[str]:
    """Start a crawl child; its log (stderr) goes to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.tor.crawl_probe", json.dumps(spec)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )


def finish_probe(proc: subprocess.Popen[str], log: Path, timeout: float = 180) -> dict[str, Any]:
    """Wait for a crawl child and parse its JSON report (raises with the log tail on failure)."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"crawl child timed out; log tail:\n{log.read_text()[-4000:]}") from None
    lines = [line for line in out.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"crawl child failed ({proc.returncode}); log tail:\n{log.read_text()[-4000:]}")
    return json.loads(lines[-1])


def run_probe(spec: dict[str, Any], log: Path, timeout: float = 180) -> dict[str, Any]:
    return finish_probe(start_probe(spec, log), log, timeout)
