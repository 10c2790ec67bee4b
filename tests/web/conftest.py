"""A real `nachtwacht serve` over the demo data (crawled once per session) and headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from nachtwacht.users import ensure_demo_user
from tests.conftest import REPO, run_cli

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"
CASE = "2026/0412-WEB"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    data_dir: Path
    username: str
    password: str


@contextmanager
def serve_process(data_dir: Path, *args: str) -> Iterator[str]:
    """A real `nachtwacht serve` over `data_dir` on a free loopback port; yields its URL.

    Stopped by its process group id (SIGTERM, then SIGKILL) when the block ends.
    """
    port = _free_port()
    log_path = data_dir / f"serve-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "nachtwacht", "serve", "--port", str(port),
                             "--data-dir", str(data_dir), *args], cwd=REPO, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"nachtwacht serve exited {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("nachtwacht serve did not answer within 90 s")
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        log.close()


def stop_running_jobs(data_dir: Path) -> None:
    """Stop, by their recorded PIDs, the crawl processes jobs of `data_dir` still run."""
    from nachtwacht.jobs import JobManager

    manager = JobManager(data_dir)
    try:
        for job in manager.jobs():
            if job.state == "running":
                manager.stop(job.id, timeout=30)
    finally:
        manager.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Demo market crawled over loopback into a fresh data dir, then `nachtwacht serve` on a free port."""
    data_dir = tmp_path_factory.mktemp("web-demo")
    run_cli("demo", "--via", "direct", "--data-dir", str(data_dir), timeout=900)
    username, password = ensure_demo_user(data_dir)
    try:
        with serve_process(data_dir) as url:
            yield Served(url, data_dir, username, password)
    finally:
        stop_running_jobs(data_dir)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/setup-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, served):
    """A fresh browser context (own cookies), logged in as the demo user with a case reference."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def guard(route):  # the UI must not need anything but our server
        if route.request.url.startswith(served.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.goto(served.url + "/search")
    pg.fill("input[name=username]", served.username)
    pg.fill("input[name=password]", served.password)
    pg.fill("input[name=case_ref]", CASE)
    pg.click("#login-form button[type=submit]")
    pg.wait_for_url("**/search")
    yield pg
    context.close()
    assert not blocked, f"the UI tried to reach outside the server: {blocked}"


def shot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
