"""A `render: js` crawl with the real CLI and Debian's Chromium: the JS-only listing is rendered,
extracted and indexed, and its evidence (exchange, DOM, screenshot) verifies in a bundle.

`--via direct` on 127.0.0.1 (the Tor path is tests/browser/test_tor_browser.py).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.browser.pages import JS_TITLE, JsSite
from tests.conftest import cli_json

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which("chromium"),
                                                      reason="Debian chromium is not installed")]


@pytest.fixture(scope="module")
def js_crawl(tmp_path_factory):
    site = JsSite()
    data = tmp_path_factory.mktemp("js-crawl")
    config = data / "jssite.yaml"
    host = site.base.split("://", 1)[1]
    config.write_text(
        f"name: jssite\nbase_url: {site.base}\nallowed_hosts: ['127.0.0.1', '{host}']\nrender: js\n"
        "start_paths: ['/', '/go/js']\n"
        "wait_for: '#title'\nfollow:\n  - pattern: '^/listing/'\n    page_type: listing\n")
    try:
        summary = cli_json("crawl", str(config), "--via", "direct", "--job", "jsjob",
                           "--set", "NACHTWACHT_RENDER_TIMEOUT=9", data_dir=data)
    finally:
        site.stop()
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        pages = backend.search("*", kind="page", limit=50).hits
        listings = backend.search("*", kind="listing", limit=50).hits
    finally:
        backend.close()
    return {"summary": summary, "data": data, "pages": pages, "listings": listings,
            "hits": site.hits, "base": site.base}


def test_js_only_listing_is_rendered_and_extracted(js_crawl):
    assert js_crawl["summary"]["finish_reason"] == "finished"
    assert "/listing/js" in js_crawl["hits"]
    titles = [listing["title"] for listing in js_crawl["listings"]]
    assert any("Amnesia Haze" in t for t in titles), (titles, js_crawl["summary"])


def _records(data):
    out = {}
    for path in sorted((data / "evidence" / "jsjob").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                content = record.content_stream().read()
                record.raw_stream.read()
                assert record.digest_checker.passed is not False
                out[record.rec_headers.get_header("WARC-Record-ID")] = (record, content)
    return out


def test_browser_capture_has_exchange_dom_and_screenshot(js_crawl):
    records = _records(js_crawl["data"])
    page = next(p for p in js_crawl["pages"] if p["url"].endswith("/listing/js"))
    dom_record, dom = records[page["warc_record_id"]]
    assert dom_record.rec_headers.get_header("WARC-X-Role") == "dom"
    assert JS_TITLE.encode() in dom  # the rendered DOM, not the served HTML
    assert hashlib.sha256(dom).hexdigest() == page["sha256"]
    capture_id = dom_record.rec_headers.get_header("WARC-Concurrent-To")
    response, served = records[capture_id]
    assert response.rec_type == "response" and b"Loading..." in served and JS_TITLE.encode() not in served
    shots = [c for r, c in records.values() if r.rec_headers.get_header("WARC-X-Role") == "screenshot"
             and r.rec_headers.get_header("WARC-Concurrent-To") == capture_id]
    assert len(shots) == 1 and shots[0].startswith(b"\x89PNG")


def test_listing_bundle_verifies_with_dom_and_screenshot(js_crawl, tmp_path):
    listing = next(item for item in js_crawl["listings"] if "Amnesia" in item["title"])
    out = tmp_path / "listing.zip"
    cli_json("evidence", "export", listing["id"], "--out", str(out), data_dir=js_crawl["data"])
    report = cli_json("evidence", "verify", str(out), data_dir=js_crawl["data"])
    assert report["ok"], report["problems"]
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        warc = zf.read("warc/captures.warc.gz")
    assert any(n.startswith("screenshot/") for n in names) and any(n.startswith("dom/") for n in names)
    roles = [r.rec_headers.get_header("WARC-X-Role") or r.rec_type
             for r in ArchiveIterator(io.BytesIO(warc))]
    assert {"response", "request", "dom", "screenshot"} <= set(roles)


def test_browser_redirect_hops_are_recorded_one_by_one(js_crawl):
    """Chromium followed /go/js -> /go/hop -> /listing/js: each hop is its own response and
    request record (status, Location) in the WARC, in order, before the page's own capture."""
    assert js_crawl["hits"].count("/go/js") == 1 and "/go/hop" in js_crawl["hits"]
    ordered = []
    for path in sorted((js_crawl["data"] / "evidence" / "jsjob").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    ordered.append((record.rec_headers.get_header("WARC-Target-URI"),
                                    record.http_headers.get_statuscode(),
                                    record.http_headers.get_header("Location")))
    base = js_crawl["base"]
    start = ordered.index((base + "/go/js", "302", "/go/hop"))
    assert ordered[start + 1] == (base + "/go/hop", "301", "/listing/js")
    assert ordered[start + 2][:2] == (base + "/listing/js", "200")
    from crawlers.evidence import CustodyLog

    log = CustodyLog(js_crawl["data"] / "evidence" / "jsjob" / "custody.jsonl")
    urls = [e["url"] for e in log.entries() if e["event"] == "capture"]
    assert base + "/go/js" in urls and base + "/go/hop" in urls and log.verify() == []
