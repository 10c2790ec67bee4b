"""A real redis-server (Debian's) for the distributed tests, started once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from crawlers.distributed.redisserver import RedisServer


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a redis-server on a free 127.0.0.1 port with its own directory; stopped by PID."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: run `make setup` (scripts/setup-system.sh installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
