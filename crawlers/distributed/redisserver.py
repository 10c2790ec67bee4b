"""A throw-away `redis-server` (Debian's) on a free loopback port: for tests and benchmarks.

Its own directory, append-only file on (`appendfsync everysec`, as a job's Redis should run),
no RDB snapshots, bound to 127.0.0.1 only, stopped by its recorded PID.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from crawlers.distributed.exceptions import DistributedError

__all__ = ["RedisServer"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """`start()` returns the URL; `stop()` ends the process it started (and only that one)."""

    def __init__(self, workdir: str | Path, port: int | None = None):
        self.workdir = Path(workdir)
        self.port = port or _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise DistributedError("redis-server is not installed (scripts/setup-system.sh installs it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / "redis.log", "wb")  # noqa: SIM115 (lives as long as the server)
        self.proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.workdir),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
             "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"],
            stdout=log, stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise DistributedError(f"redis-server exited ({self.proc.returncode}); see "
                                       f"{self.workdir / 'redis.log'}")
            try:
                if client.ping():
                    break
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise DistributedError(f"redis-server not ready after {timeout}s", redis_url=self.url)
            time.sleep(0.05)
        client.close()
        return self.url

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
