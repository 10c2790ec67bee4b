"""Session fixtures shared by every test folder: the demo market and the CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NACHTWACHT = [sys.executable, "-m", "nachtwacht"]

# The private Tor network session fixture (`tor_network`), for tests/tor and the crawl tests.
pytest_plugins = ["tests.fixtures_tor"]


def run_cli(*args: str, data_dir: Path | None = None, timeout: float = 300,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `nachtwacht` CLI in a subprocess (one Twisted reactor per crawl)."""
    env = dict(os.environ)
    if data_dir is not None:
        env["NACHTWACHT_DATA"] = str(data_dir)
    proc = subprocess.run([*NACHTWACHT, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"nachtwacht {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def cli_json(*args: str, data_dir: Path | None = None, timeout: float = 300) -> dict:
    proc = run_cli(*args, "--json", data_dir=data_dir, timeout=timeout)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def demo_world():
    """The generated demo market (seed 7), with its ground truth."""
    from nachtwacht.demomarket import generate

    return generate(7)
