"""The API under test, in-process over httpx's ASGITransport, on a seeded index (session scope)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from nachtwacht.api import create_app
from nachtwacht.app import Nachtwacht
from nachtwacht.audit import AuditLog
from nachtwacht.users import UserStore
from tests.api.corpus import seed

PASSWORD = "correct horse battery"
ROLES = {"root": "admin", "ana": "analyst", "bob": "analyst", "ops": "operator", "aud": "auditor"}
CASE = "2026/0412-NL"


class Clock:
    """A settable clock for the user store: sessions expire without sleeping."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Client:
    """A synchronous face over httpx.AsyncClient + ASGITransport (one event loop per client)."""

    addresses = itertools.count(1)

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop, headers: dict[str, str] | None = None):
        self.loop = loop
        n = next(self.addresses)  # each client its own address: login throttling is per address too
        self.address = f"10.0.{n // 250}.{n % 250 + 1}"
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(self.address, 5000)),
                                      base_url="http://testserver", headers=headers or {})

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def patch(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())


@dataclass
class Env:
    data_dir: Path
    app: Any
    users: UserStore
    audit: AuditLog
    clock: Clock
    tokens: dict[str, str]
    loop: asyncio.AbstractEventLoop

    def client(self, user: str | None = None, *, case: str | None = CASE) -> Client:
        """A client with `user`'s API token (and the case header), or anonymous."""
        headers = {}
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
            if case:
                headers["X-Case-Ref"] = case
        return Client(self.app, self.loop, headers)

    def browser(self, user: str, *, case: str = CASE) -> tuple[Client, str]:
        """A client logged in with a session cookie; returns it and its CSRF token."""
        client = Client(self.app, self.loop)
        r = client.post("/api/auth/login", json={"username": user, "password": PASSWORD, "case_ref": case})
        assert r.status_code == 200, r.text
        return client, r.json()["csrf_token"]


def make_env(data_dir: Path, loop: asyncio.AbstractEventLoop) -> Env:
    """An app over `data_dir` with one user per role in ROLES, each with an API token."""
    clock = Clock()
    users = UserStore(data_dir, clock=clock)
    tokens = {}
    for name, role in ROLES.items():
        users.create_user(name, PASSWORD, role)
        tokens[name] = users.create_token(name, "tests")[0]
    audit = AuditLog(data_dir)
    app = create_app(Nachtwacht(data_dir), users=users, audit=audit, web=True)
    return Env(data_dir, app, users, audit, clock, tokens, loop)


@pytest.fixture(scope="session")
def api_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    data_dir = tmp_path_factory.mktemp("api-data")
    seed(data_dir)
    loop = asyncio.new_event_loop()
    yield make_env(data_dir, loop)
    loop.close()
