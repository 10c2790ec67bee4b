"""The replay middleware without a crawl: a resumed run answers pending requests from the WARC of
its interrupted pass; torn records, other passes, transient statuses and browser captures are not
replayed. Real WarcStore, custody log, SQLite frontier and Scrapy crawler objects."""

from __future__ import annotations

import gzip
import hashlib
import io

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawlers.evidence import Exchange, Resource, WarcStore
from crawlers.evidence.custody import read_entries
from crawlers.frontier import Frontier
from crawlers.middlewares.evidence import EvidenceMiddleware
from crawlers.middlewares.replay import ReplayMiddleware

JOB = "replay-job"
BASE = "http://market.onion"
PAGE = ("<html><body><h1>Speed 10g</h1><p>€ 45,00</p>" + "x" * 4000 + "</body></html>").encode()
BIG = bytes(range(256)) * 2000  # incompressible: its gzip member is large enough to cut in half


def _exchange(path: str, status: int = 200, body: bytes = PAGE, headers=None) -> Exchange:
    return Exchange(url=BASE + path, method="GET", request_headers=[("Host", "market.onion")],
                    request_body=b"", status=status,
                    response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
                    body=body)


class _Spider(Spider):
    name = "replay-test"


def _frontier_after_crash(tmp_path) -> Frontier:
    """A frontier whose first pass was interrupted, reopened and resumed (as a new process does)."""
    frontier = Frontier(tmp_path / "frontier.sqlite")
    assert frontier.begin_run() is False
    frontier.add(BASE + "/", depth=0)
    frontier.checkpoint()
    frontier._db.close()  # killed: no end_run
    return Frontier(tmp_path / "frontier.sqlite")


@pytest.fixture
def resumed(tmp_path):
    """Captures of an old finished pass and of the interrupted pass, then a crash mid-write."""
    data = tmp_path / "data"
    old = WarcStore(data, JOB, operator="t")
    old.record(_exchange("/old"), url=BASE + "/old")  # a capture of an earlier pass
    old.close()
    frontier = _frontier_after_crash(tmp_path)
    store = WarcStore(data, JOB, operator="t")
    captures = {
        "/page": store.record(_exchange("/page"), url=BASE + "/page"),
        "/moved": store.record(_exchange("/moved", 302, b"", [("Location", "/page?b=1&a=2")]),
                               url=BASE + "/moved"),
        "/busy": store.record(_exchange("/busy", 503, b"busy"), url=BASE + "/busy"),
        "/gone": store.record(_exchange("/gone", 404, b"gone"), url=BASE + "/gone"),
        "/js": store.record(None, url=BASE + "/js", resources=(Resource("dom", "text/html", PAGE),)),
        "/torn": store.record(_exchange("/torn", body=BIG), url=BASE + "/torn"),
    }
    path = data / captures["/torn"].warc_file
    response_record = captures["/torn"].records[0]
    store._fh.close()  # the process dies: the last record is cut in half, the custody line too
    with path.open("r+b") as fh:
        fh.truncate(response_record["offset"] + response_record["length"] // 2)
    with (store.dir / "custody.jsonl").open("ab") as fh:
        fh.write(b'{"seq": 99, "event": "capture", "url": "' + BASE.encode() + b'/half')
    assert frontier.begin_run() is True
    spider = _Spider()
    spider.frontier, spider.resumed, spider.job_id = frontier, True, JOB
    crawler = get_crawler(_Spider, {"NACHTWACHT_DATA_DIR": str(data)})
    crawler.spider = spider
    yield {"mw": ReplayMiddleware.from_crawler(crawler), "crawler": crawler, "spider": spider,
           "captures": captures, "data": data}
    frontier.close()


def _ask(env, path: str, **meta):
    request = Request(BASE + path, meta=dict(meta))
    return request, env["mw"].process_request(request, env["spider"])


def test_a_captured_page_is_answered_from_its_original_record(resumed):
    request, response = _ask(resumed, "/page")
    assert isinstance(response, HtmlResponse) and response.status == 200 and response.body == PAGE
    assert "replayed" in response.flags and response.request is request
    capture = resumed["captures"]["/page"]
    assert request.meta["nachtwacht_replayed"] is True
    assert request.meta["warc_file"] == capture.warc_file
    assert request.meta["warc_record_id"] == capture.record_id
    assert request.meta["content_sha256"] == capture.content_sha256 == hashlib.sha256(PAGE).hexdigest()
    assert request.meta["captured_at"] == capture.captured_at
    assert resumed["crawler"].stats.get_value("replay/responses") == 1
    assert _ask(resumed, "/page")[1] is None, "a capture answers one request: a retry goes out"


def test_a_redirect_is_replayed_as_fetched(resumed):
    _, response = _ask(resumed, "/moved", dont_redirect=True)
    assert response.status == 302
    assert response.headers[b"Location"] == b"/page?b=1&a=2"
    _, gone = _ask(resumed, "/gone")
    assert gone.status == 404 and gone.body == b"gone"


def test_the_canonical_url_finds_the_capture(resumed):
    assert _ask(resumed, "/page#top")[1] is not None


def test_torn_transient_browser_and_old_captures_go_to_the_network(resumed):
    for path in ("/torn", "/half", "/busy", "/js", "/old", "/never-seen"):
        request, response = _ask(resumed, path)
        assert response is None, path
        assert "nachtwacht_replayed" not in request.meta
    stats = resumed["crawler"].stats
    assert stats.get_value("replay/unreadable") == 1  # the torn record, refused by its digest
    assert stats.get_value("replay/transient_refetched") == 1
    assert stats.get_value("replay/indexed") == 5  # page, moved, busy, gone, torn: not old, not js


def test_a_fresh_run_replays_nothing(tmp_path):
    data = tmp_path / "data"
    frontier = Frontier(tmp_path / "frontier.sqlite")
    frontier.begin_run()
    store = WarcStore(data, JOB, operator="t")
    store.record(_exchange("/page"), url=BASE + "/page")
    store.close()
    spider = _Spider()
    spider.frontier, spider.resumed, spider.job_id = frontier, False, JOB
    crawler = get_crawler(_Spider, {"NACHTWACHT_DATA_DIR": str(data)})
    mw = ReplayMiddleware.from_crawler(crawler)
    assert mw.process_request(Request(BASE + "/page"), spider) is None
    frontier.close()


def test_evidence_logs_a_replay_instead_of_a_new_capture(resumed):
    crawler = resumed["crawler"]
    evidence = EvidenceMiddleware.from_crawler(crawler)
    request, response = _ask(resumed, "/page")
    response = evidence.process_response(request, response, resumed["spider"])
    assert request.meta["warc_record_id"] == resumed["captures"]["/page"].record_id
    evidence.spider_closed(resumed["spider"], "finished")
    entries = list(read_entries(resumed["data"] / "evidence" / JOB / "custody.jsonl"))
    new = entries[[e["event"] for e in entries].index("run_start"):]
    assert [e["event"] for e in new] == ["run_start", "replay", "run_end"]
    replay = new[1]
    assert replay["record_id"] == resumed["captures"]["/page"].record_id
    assert replay["records"] == resumed["captures"]["/page"].records
    assert new[-1]["replayed"] == 1 and new[-1]["captures"] == 0
    from crawlers.evidence.custody import verify_chain

    assert verify_chain(entries) == [], "the torn line is skipped, the chain goes on after it"


def test_each_record_reaches_the_os_when_written(tmp_path):
    """A killed process loses no record it finished writing: another reader sees it at once."""
    store = WarcStore(tmp_path, JOB, operator="t")
    capture = store.record(_exchange("/a", body=BIG), url=BASE + "/a")
    path = tmp_path / capture.warc_file
    with path.open("rb") as fh:  # the writer's file is still open and unsynced
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types == ["warcinfo", "response", "request"]
    end = capture.records[-1]["offset"] + capture.records[-1]["length"]
    assert path.stat().st_size == end
    member = path.read_bytes()[capture.records[0]["offset"]:end]
    assert BIG in gzip.GzipFile(fileobj=io.BytesIO(member)).read()
    store.close()
