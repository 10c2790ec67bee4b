"""Launch and stop tor processes: always ``-f torrc``, an empty defaults file, stop by PID.

Nothing here talks to the control port (that is ``control.py``). Ports are picked on
127.0.0.1 and checked free first.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from crawlers.tor.exceptions import TorUnavailable

__all__ = ["TorProcess", "find_tor", "free_port", "port_is_free", "wait_for_port"]

logger = logging.getLogger(__name__)


def find_tor(name: str = "tor") -> str:
    """Path of a tor executable; raises ``TorUnavailable`` with an install hint when missing."""
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise TorUnavailable(
        f"`{name}` is not installed (Debian: apt-get install tor, or run scripts/setup-system.sh)"
    )


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and we could bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that is free now and was not handed out before by this process."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in _handed_out and port_is_free(port, host):
            _handed_out.add(port)
            return port
    raise OSError(f"no free port found on {host}")


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    """Poll until something accepts TCP connections on ``host:port``; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class TorProcess:
    """One tor process run from a torrc file; its PID is recorded in ``<datadir>/launcher.pid``.

    No ``__OwningControllerProcess``: stem then sends TAKEOWNERSHIP from any control connection
    of the same process, and tor exits when that connection closes (seen with NEWNYM).
    """

    def __init__(self, name: str, torrc: Path, datadir: Path, tor_binary: str | None = None):
        self.name = name
        self.torrc = torrc
        self.datadir = datadir
        self.tor_binary = tor_binary or find_tor()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start tor in its own session; output goes to ``<datadir>/stdout.log``."""
        if self.is_running():
            return
        self.datadir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.datadir.chmod(0o700)
        defaults = self.datadir.parent / "empty-defaults.torrc"
        defaults.touch()
        with open(self.datadir / "stdout.log", "ab") as out:
            self._proc = subprocess.Popen(
                [self.tor_binary, "-f", str(self.torrc), "--defaults-torrc", str(defaults)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (self.datadir / "launcher.pid").write_text(f"{self._proc.pid}\n")
        logger.debug("started tor %s pid=%s", self.name, self._proc.pid)

    def stop(self, timeout: float = 10.0, *, hard: bool = False) -> None:
        """Stop this process by its PID: SIGTERM (SIGKILL when ``hard``), then SIGKILL on timeout."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        logger.debug("stopped tor %s pid=%s rc=%s", self.name, proc.pid, proc.returncode)

    def log_tail(self, lines: int = 20) -> str:
        """Last lines of this tor's notice log (for error messages)."""
        for log in (self.datadir / "notice.log", self.datadir / "stdout.log"):
            if log.exists():
                return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        return ""
