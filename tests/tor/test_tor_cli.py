"""`nachtwacht tor status|newnym` against the private Tor network (the real CLI, a child process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from crawlers.tor.exceptions import TorControlError
from nachtwacht.commands.tor import tor_app
from tests.tor.helpers import REPO

pytestmark = pytest.mark.tor


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nachtwacht", "tor", *args], capture_output=True,
                          text=True, timeout=60, cwd=REPO)


def test_tor_status_json_shows_bootstrap_and_socks_ports(tor_network):
    net = tor_network.net
    args = [a for c in net.control_endpoints[:1] for a in ("--control", c)]
    proc = _cli("status", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ready"] is True
    (tor,) = report["tors"]
    assert tor["bootstrap"] == 100
    assert tor["socks_ports"] == net.socks_endpoints[:1]
    assert tor["control"] == net.control_endpoints[0]


def test_tor_newnym_json_and_an_unreachable_control_port(tor_network):
    # In-process (typer's runner) to spare two CLI start-ups; the exit code 2 mapping of
    # TorControlError is main()'s, covered by the subprocess test above for the happy path.
    runner = CliRunner()
    done = runner.invoke(tor_app, ["newnym", "--control", tor_network.net.control_endpoints[0], "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["newnym"][0]["sent"] is True
    dead = runner.invoke(tor_app, ["status", "--control", "127.0.0.1:1", "--json"])
    assert isinstance(dead.exception, TorControlError)
    assert "127.0.0.1:1 unreachable" in str(dead.exception)
    assert dead.stdout == ""
