"""The WARC store and the custody log, without a crawl: records, digests, rotation, tamper evidence."""

from __future__ import annotations

import gzip
import hashlib
import json

from warcio.archiveiterator import ArchiveIterator

from crawlers.evidence import CustodyLog, Exchange, Resource, WarcStore, verify_chain
from crawlers.evidence.warc import content_digest, warc_digest_to_hex

BODY = "<html><body><h1>Cocaïne 1g</h1><p>€ 60</p></body></html>".encode()


def _exchange(url: str = "http://abc.onion/l/1", body: bytes = BODY,
              headers: list[tuple[str, str]] | None = None) -> Exchange:
    return Exchange(url=url, method="GET",
                    request_headers=[("Host", "abc.onion"), ("User-Agent", "test")],
                    request_body=b"", status=200,
                    response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
                    body=body)


def _records(path):
    with path.open("rb") as fh:
        out = []
        for record in ArchiveIterator(fh, check_digests=True):
            content = record.content_stream().read()
            record.raw_stream.read()
            assert record.digest_checker.passed is not False, record.digest_checker.problems
            out.append((record.rec_type, record.rec_headers, content))
        return out


def test_exchange_is_written_with_sha256_digests_and_custody(tmp_path):
    store = WarcStore(tmp_path, "job1", operator="inspecteur.janssens")
    capture = store.record(_exchange(), url="http://abc.onion/l/1", via="tor", isolation="tok-1",
                           socks="127.0.0.1:9050")
    store.close()
    path = tmp_path / capture.warc_file
    assert capture.warc_file.startswith("evidence/job1/job1-") and path.exists()
    records = _records(path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, headers, content = records[1]
    assert content == BODY
    assert headers.get_header("WARC-Record-ID") == capture.record_id
    assert warc_digest_to_hex(headers.get_header("WARC-Payload-Digest")) == hashlib.sha256(BODY).hexdigest()
    assert headers.get_header("WARC-X-Content-SHA256") == capture.content_sha256 == hashlib.sha256(BODY).hexdigest()
    assert headers.get_header("WARC-X-Tor-Isolation") == "tok-1"
    assert headers.get_header("WARC-X-Operator") == "inspecteur.janssens"
    assert headers.get_header("WARC-Date").endswith("Z")
    assert records[2][1].get_header("WARC-Concurrent-To") == capture.record_id
    events = [e["event"] for e in store.custody.entries()]
    assert events == ["warc_open", "capture", "warc_sealed"]
    sealed = store.custody.entries()[-1]
    assert sealed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert store.custody.verify() == []


def test_encoded_body_is_stored_raw_and_hashed_decoded(tmp_path):
    raw = gzip.compress(BODY)
    store = WarcStore(tmp_path, "job", operator="op")
    capture = store.record(_exchange(body=raw, headers=[("Content-Type", "text/html"),
                                                        ("Content-Encoding", "gzip"),
                                                        ("Transfer-Encoding", "chunked")]),
                           url="http://abc.onion/l/1")
    store.close()
    _, headers, content = _records(tmp_path / capture.warc_file)[1]
    assert content == BODY  # warcio decodes the stored gzip bytes
    assert warc_digest_to_hex(headers.get_header("WARC-Payload-Digest")) == hashlib.sha256(raw).hexdigest()
    assert capture.content_sha256 == hashlib.sha256(BODY).hexdigest()
    assert content_digest(raw, "gzip") == capture.content_sha256


def test_browser_capture_points_at_the_dom(tmp_path):
    store = WarcStore(tmp_path, "job", operator="op")
    dom = b"<html><body>rendered</body></html>"
    png = b"\x89PNG\r\n\x1a\nfake"
    capture = store.record(_exchange(), url="http://abc.onion/l/1",
                           resources=(Resource("dom", "text/html", dom), Resource("screenshot", "image/png", png)))
    store.close()
    records = _records(tmp_path / capture.warc_file)
    resources = {r[1].get_header("WARC-X-Role"): r for r in records if r[0] == "resource"}
    assert resources["dom"][2] == dom and resources["screenshot"][2] == png
    assert resources["dom"][1].get_header("WARC-Record-ID") == capture.record_id
    assert capture.content_sha256 == hashlib.sha256(dom).hexdigest()


def test_files_rotate_past_the_size_limit(tmp_path):
    store = WarcStore(tmp_path, "job", operator="op", max_file_size=2000)
    noisy = bytes(range(256)) * 20  # incompressible enough
    files = {store.record(_exchange(body=noisy), url="http://abc.onion/").warc_file for _ in range(4)}
    store.close()
    assert len(files) >= 2
    sealed = [e for e in store.custody.entries() if e["event"] == "warc_sealed"]
    assert {e["warc_file"] for e in sealed} == files


def test_custody_log_detects_an_edited_line(tmp_path):
    log = CustodyLog(tmp_path / "custody.jsonl")
    for i in range(3):
        log.append("capture", url=f"http://abc.onion/{i}")
    assert log.verify() == []
    lines = log.path.read_text().splitlines()
    entry = json.loads(lines[1])
    entry["url"] = "http://other.onion/"
    lines[1] = json.dumps(entry)
    log.path.write_text("\n".join(lines) + "\n")
    problems = log.verify()
    assert problems and "entry 2" in problems[0]
    # and removing a line breaks the chain
    log.path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert any("not chained" in p for p in verify_chain(log.entries()))


def test_a_reopened_log_continues_the_chain(tmp_path):
    CustodyLog(tmp_path / "c.jsonl").append("a")
    log = CustodyLog(tmp_path / "c.jsonl")
    log.append("b")
    assert [e["seq"] for e in log.entries()] == [1, 2] and log.verify() == []


def test_session_secrets_are_redacted_from_recorded_headers():
    from scrapy.http import Headers

    from crawlers.middlewares.evidence import _headers

    headers, redacted = _headers(Headers({"Cookie": "sid=secret", "Set-Cookie": "sid=secret2",
                                          "Accept": "text/html"}))
    text = repr(headers)
    assert "secret" not in text and "text/html" in text
    assert sorted(r.lower() for r in redacted) == ["cookie", "set-cookie"]
