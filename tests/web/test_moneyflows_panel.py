"""The vendor page's money-flow panel (wallet timeline) and the hub trends, fetched in-process
(httpx over ASGI, a session cookie) from the demo data the web tests crawl once (issue 12)."""

from __future__ import annotations

import asyncio
import html
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from extractors import validate_address
from nachtwacht.api import create_app
from nachtwacht.app import Nachtwacht
from nachtwacht.audit import AuditLog
from tests.web.conftest import CASE


@pytest.fixture(scope="module")
def session(served):
    """An in-process app over the served demo data dir, logged in as the demo user with a case."""
    # The loop runs on a thread of its own: the browser tests' sync Playwright keeps a loop
    # running on the main thread for the whole session.
    loop = asyncio.new_event_loop()
    worker = ThreadPoolExecutor(1)

    def run(coro: Any) -> Any:
        return worker.submit(loop.run_until_complete, coro).result()

    app = create_app(Nachtwacht(served.data_dir))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.9.0.1", 5000)),
                               base_url="http://testserver")
    r = run(client.post("/api/auth/login", json={
        "username": served.username, "password": served.password, "case_ref": CASE}))
    assert r.status_code == 200, r.text

    def get(path: str) -> httpx.Response:
        return run(client.get(path))

    yield get
    run(client.aclose())
    worker.submit(loop.close).result()
    worker.shutdown()


def _table(page: str, table_id: str) -> str:
    match = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert match, f"no #{table_id} on the page"
    return html.unescape(match.group(1))


def test_vendor_page_shows_the_demo_vendors_wallets(session, served, demo_world):
    nw = Nachtwacht(served.data_dir)
    truth = {"".join(ch for ch in v["handle"].casefold() if ch.isalnum()): v for v in demo_world.truth["vendors"]}
    checked = 0
    for profile in nw.vendors(limit=500):
        vid = profile["vendor_id"]
        expected = {w["address"] for w in (truth.get(vid) or {}).get("wallets", []) if w["valid"]}
        stored = {a for a in profile.get("wallets") or () if validate_address(a) is not None}
        if not (expected & stored):
            continue
        r = session(f"/vendor/{vid}")
        assert r.status_code == 200, r.text[:500]
        panel = _table(r.text, "wallet-timeline")
        for address in expected & stored:
            assert address in panel, (vid, address)
        assert panel.count('class="wallet-row"') == len(nw.wallet_timeline(vid))
        checked += 1
        if checked == 3:
            break
    assert checked, "no demo vendor with a known wallet in the index"
    record = AuditLog(served.data_dir).records(action="moneyflows.wallets", limit=1)[0]
    assert record["case_ref"] == CASE and record["actor"] == served.username


def test_trends_page_shows_hub_mentions(session):
    r = session("/trends")
    assert r.status_code == 200
    table = _table(r.text, "hub-table")
    assert "postnl" in table.lower() and "no hub named yet" not in table
    assert 'id="chart-hubs"' in r.text
