"""Interstitials: detection on pages, and a real crawl where a queue page clears after retries,
one never clears and a login wall stops: none of them is indexed as content."""

from __future__ import annotations

import pytest

from crawlers.render.interstitial import detect_interstitial
from tests.browser.pages import CLEARED, INDEX, JS_LISTING, LOGIN, QUEUE, JsSite
from tests.conftest import cli_json


@pytest.mark.parametrize(("status", "body", "kind"), [
    (200, QUEUE, "queue"),
    (503, b"<html><body>busy</body></html>", "queue"),
    (200, b"<html><body><h1>Even geduld</h1><p>U staat in de wachtrij.</p></body></html>", "queue"),
    (200, b"<html><body>Veuillez patienter, file d'attente</body></html>", "queue"),
    (200, b"<html><body><p>Solve the captcha to continue</p><img src=c.png></body></html>", "challenge"),
    (200, LOGIN, "login"),
    (403, b"<html><body>forbidden</body></html>", "login"),
])
def test_interstitials_are_named(status, body, kind):
    found = detect_interstitial(status, body, url="http://m.onion/x", requested_url="http://m.onion/x")
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("body", [INDEX, CLEARED, JS_LISTING,
                                  b"<html><body>" + b"<p>Cocaine 1g please wait for tracking. </p>" * 60
                                  + b"</body></html>"])
def test_content_pages_are_not_interstitials(body):
    assert detect_interstitial(200, body, url="http://m.onion/l/1", requested_url="http://m.onion/l/1") is None


def test_the_login_page_itself_is_not_a_wall():
    assert detect_interstitial(200, LOGIN, url="http://m.onion/login", requested_url="http://m.onion/login") is None


def test_refresh_wait_is_read():
    assert detect_interstitial(200, QUEUE).retry_after == 1.0


@pytest.fixture(scope="module")
def queue_crawl(tmp_path_factory):
    site = JsSite(queue_clears_after=2)
    data = tmp_path_factory.mktemp("queue-crawl")
    config = data / "q.yaml"
    host = site.base.split("://", 1)[1]
    config.write_text(f"name: qsite\nbase_url: {site.base}\nallowed_hosts: ['127.0.0.1', '{host}']\n"
                      "deny: ['^/listing/']\n")
    try:
        summary = cli_json("crawl", str(config), "--via", "direct", "--set", "NACHTWACHT_INTERSTITIAL_MAX_WAIT=0.2",
                           "--set", "NACHTWACHT_INTERSTITIAL_RETRIES=3", data_dir=data)
    finally:
        site.stop()
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        pages = {p["url"].rsplit(":", 1)[1].split("/", 1)[1]: p for p in backend.search("*", kind="page", limit=50).hits}
    finally:
        backend.close()
    return {"summary": summary, "hits": site.hits, "pages": pages}


def test_queue_page_is_retried_until_it_clears(queue_crawl):
    assert queue_crawl["hits"].count("/queue/clears") == 3  # two queue pages, then the content
    assert "queue/clears" in queue_crawl["pages"]
    assert queue_crawl["pages"]["queue/clears"]["sha256"]  # indexed: the cleared content


def test_endless_queue_and_login_wall_are_not_indexed(queue_crawl):
    assert queue_crawl["hits"].count("/queue/forever") == 4  # first try + 3 retries, then given up
    assert "queue/forever" not in queue_crawl["pages"]
    assert "members/area" not in queue_crawl["pages"]
    errors = queue_crawl["summary"]["errors"]
    assert errors.get("interstitialblocked") == 1 and errors.get("loginwall") == 1, errors
