"""The direct WARC record writer against warcio's own WARCWriter: same bytes, digests, members."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import socket
import uuid
import zlib
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawlers.evidence import Exchange, Resource, WarcStore
from crawlers.evidence._warcrecord import GzipMembers, http_head, sha256_b32, warc_record_id
from crawlers.evidence.custody import read_entries
from crawlers.evidence.warc import SOFTWARE, content_digest, read_capture

BODY = "<html><body><h1>Cocaïne 1g</h1><p>€ 60</p></body></html>".encode()
_ID = re.compile(rb"<urn:uuid:[0-9a-f-]{36}>")


class _Sha256Writer(WARCWriter):
    """The writer WarcStore used before it wrote records itself: warcio with SHA-256 digests."""

    @staticmethod
    def _create_digester() -> Digester:  # type: ignore[override]
        return Digester("sha256")


def _warcio_capture(ex: Exchange | None, common: dict[str, str], url: str,
                    resources: tuple[Resource, ...] = ()) -> list[bytes]:
    """The uncompressed records warcio writes for a capture, built as WarcStore built them before."""
    out = BytesIO()
    writer = _Sha256Writer(out, gzip=False, warc_version="1.1")
    records = []
    first_id = ""
    if ex is not None:
        try:
            reason = HTTPStatus(ex.status).phrase
        except ValueError:
            reason = "Unknown"
        framing = {"transfer-encoding"}
        kept = [(k, v) for k, v in ex.response_headers if k.lower() not in framing]
        kept += [(f"X-Archive-Orig-{k}", v) for k, v in ex.response_headers if k.lower() in framing]
        kept = [(k, v) for k, v in kept if k.lower() != "content-length"]
        kept.append(("Content-Length", str(len(ex.body))))
        protocol = ex.protocol if ex.protocol.upper().startswith("HTTP/") else "HTTP/1.1"
        resp = writer.create_warc_record(
            ex.url, "response", payload=BytesIO(ex.body), length=len(ex.body),
            http_headers=StatusAndHeaders(f"{ex.status} {reason}", kept, protocol=protocol),
            warc_headers_dict=dict(common))
        encoding = next((v for k, v in ex.response_headers if k.lower() == "content-encoding"), "")
        decoded = content_digest(ex.body, encoding)
        if decoded:
            resp.rec_headers.add_header("WARC-X-Content-SHA256", decoded)
        target = ex.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        req = writer.create_warc_record(
            ex.url, "request", payload=BytesIO(ex.request_body), length=len(ex.request_body),
            http_headers=StatusAndHeaders(f"{ex.method} {path} {protocol}", list(ex.request_headers),
                                          protocol="", is_http_request=True),
            warc_headers_dict=dict(common, **{"WARC-Concurrent-To": resp.rec_headers.get_header(
                "WARC-Record-ID")}))
        first_id = resp.rec_headers.get_header("WARC-Record-ID")
        records += [resp, req]
    for resource in resources:
        headers = dict(common, **{"WARC-X-Role": resource.role,
                                  "WARC-X-Content-SHA256": hashlib.sha256(resource.data).hexdigest()})
        if first_id:
            headers["WARC-Concurrent-To"] = first_id
        rec = writer.create_warc_record(url, "resource", payload=BytesIO(resource.data),
                                        length=len(resource.data),
                                        warc_content_type=resource.content_type,
                                        warc_headers_dict=headers)
        first_id = first_id or rec.rec_headers.get_header("WARC-Record-ID")
        records.append(rec)
    chunks = []
    for rec in records:
        start = out.tell()
        writer.write_record(rec)
        chunks.append(out.getvalue()[start:])
    return chunks


def _ids_numbered(data: bytes) -> bytes:
    """Record ids replaced by their order of first appearance (ours and warcio's are random)."""
    seen: dict[bytes, bytes] = {}
    return _ID.sub(lambda m: seen.setdefault(m.group(0), b"<id-%d>" % len(seen)), data)


def _members(tmp_path: Path, capture: Any) -> list[bytes]:
    """Each logged record's bytes, decompressed, checking it is exactly one whole gzip member."""
    data = (tmp_path / capture.warc_file).read_bytes()
    out = []
    for ref in capture.records:
        member = data[ref["offset"]:ref["offset"] + ref["length"]]
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        raw = inflate.decompress(member)
        assert inflate.eof and inflate.unused_data == b"", "a logged record is not one gzip member"
        out.append(raw)
    return out


def _common(capture: Any, store: WarcStore, via: str, isolation: str = "", socks: str = "") -> dict[str, str]:
    common = {"WARC-Date": capture.captured_at, "WARC-X-Job": store.job_id,
              "WARC-X-Operator": store.operator, "WARC-X-Via": via}
    if isolation:
        common["WARC-X-Tor-Isolation"] = isolation
    if socks:
        common["WARC-X-Tor-Socks"] = socks
    return common


def _assert_same_as_warcio(tmp_path: Path, ex: Exchange | None, resources: tuple[Resource, ...] = (),
                           url: str = "http://abc.onion/l/1", warcio_must_write: bool = True,
                           **kw: str) -> list[Any]:
    """Write a capture with WarcStore; it must equal warcio's bytes (ids aside) and read back whole.

    `warcio_must_write=False`: where warcio's writer raises on the input, ours must still write it."""
    store = WarcStore(tmp_path, "job-w", operator="agent.peeters")
    capture = store.record(ex, url=url, resources=resources, **kw)
    store.close()
    ours = _members(tmp_path, capture)
    try:
        reference = _warcio_capture(ex, _common(capture, store, **kw), url, resources)
    except UnicodeEncodeError:
        assert not warcio_must_write, "warcio could not write this capture"
    else:
        assert [_ids_numbered(r) for r in ours] == [_ids_numbered(r) for r in reference]
    # and warcio reads every record back with its digests verified
    data = (tmp_path / capture.warc_file).read_bytes()
    read = []
    for ref in capture.records:
        member = data[ref["offset"]:ref["offset"] + ref["length"]]
        record = next(iter(ArchiveIterator(BytesIO(member), check_digests="raise")))
        payload = record.raw_stream.read()
        assert record.digest_checker.passed is True
        assert record.rec_headers.get_header("WARC-Record-ID") == ref["id"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == ref["payload_digest"]
        assert record.rec_headers.get_header("WARC-Block-Digest") == ref["block_digest"]
        read.append((record, payload))
    return read


def _exchange(body: bytes = BODY, headers: list[tuple[str, str]] | None = None,
              request_headers: list[tuple[str, str]] | None = None, **kw: Any) -> Exchange:
    return Exchange(url=kw.pop("url", "http://abc.onion/l/1?q=1"), method=kw.pop("method", "GET"),
                    request_headers=request_headers or [("Host", "abc.onion"), ("User-Agent", "t")],
                    request_body=kw.pop("request_body", b""), status=kw.pop("status", 200),
                    response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
                    body=body, **kw)


def test_exchange_records_equal_warcios(tmp_path):
    read = _assert_same_as_warcio(tmp_path, _exchange(), via="tor", isolation="tok-1",
                                  socks="127.0.0.1:9050")
    (resp, body), (req, request_body) = read
    assert body == BODY and request_body == b""
    assert [k for k, _ in resp.rec_headers.headers] == [
        "WARC-Date", "WARC-X-Job", "WARC-X-Operator", "WARC-X-Via", "WARC-X-Tor-Isolation",
        "WARC-X-Tor-Socks", "WARC-Type", "WARC-Record-ID", "WARC-Target-URI", "WARC-Payload-Digest",
        "WARC-X-Content-SHA256", "WARC-Block-Digest", "Content-Type", "Content-Length"]
    assert req.rec_headers.get_header("WARC-Concurrent-To") == resp.rec_headers.get_header("WARC-Record-ID")
    assert req.http_headers.protocol == "GET" and req.http_headers.statusline == "/l/1?q=1 HTTP/1.1"


def test_odd_casing_duplicates_and_latin1_header_values_as_warcio_writes_them(tmp_path):
    headers = [("content-TYPE", "text/html"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2"),
               ("X-Latin", "café"), ("Content-Disposition", 'attachment; filename="résumé.txt"'),
               ("X-Empty", ""), ("Transfer-Encoding", "chunked"), ("Content-Length", "999")]
    request_headers = [("Host", "abc.onion"), ("Cookie", "s=é"), ("cookie", "t=2")]
    read = _assert_same_as_warcio(tmp_path, _exchange(headers=headers, request_headers=request_headers),
                                  via="direct")
    (resp, _), (req, _) = read
    names = [k for k, _ in resp.http_headers.headers]
    assert names[:3] == ["content-TYPE", "Set-Cookie", "set-cookie"]  # casing, order, duplicates
    assert resp.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert resp.http_headers.get_header("Content-Length") == str(len(BODY))
    # non-ASCII values are percent-encoded (RFC 8187) as warcio does it, not dropped
    assert resp.http_headers.get_header("X-Latin") == "caf%C3%A9"
    assert resp.http_headers.get_header("Content-Disposition") == "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
    assert [v for k, v in req.http_headers.headers if k.lower() == "cookie"] == ["s%3D%C3%A9", "t=2"]


def test_headers_warcio_cannot_write_are_percent_encoded_not_fatal(tmp_path):
    headers = [("X-Naïve", "1"), ("Content-Disposition", 'attachment; filename="a b.txt"; x=ü; ü')]
    ex = _exchange(headers=headers, url="http://abc.onion/prijs/€")
    with pytest.raises(UnicodeEncodeError):  # what WarcStore did with these before
        _warcio_capture(ex, {"WARC-Date": "2026-01-01T00:00:00.000000Z"}, ex.url)
    read = _assert_same_as_warcio(tmp_path, ex, url=ex.url, via="tor", warcio_must_write=False)
    (resp, body), (req, _) = read
    assert body == BODY
    assert resp.http_headers.get_header("X-Na%C3%AFve") == "1"
    assert resp.http_headers.get_header("Content-Disposition") == \
        "attachment; filename*=UTF-8''a%20b.txt; x*=UTF-8''%C3%BC; %C3%BC"  # warcio's, then ours
    assert req.http_headers.statusline == "/prijs/%E2%82%AC HTTP/1.1"
    assert resp.rec_headers.get_header("WARC-Target-URI") == "http://abc.onion/prijs/€"


def test_empty_body_and_odd_status(tmp_path):
    read = _assert_same_as_warcio(tmp_path, _exchange(body=b"", status=599, method="POST",
                                                      request_body=b"a=1&b=2"), via="tor")
    (resp, body), (_req, request_body) = read
    assert body == b"" and request_body == b"a=1&b=2"
    assert resp.http_headers.statusline == "599 Unknown"


def test_encoded_body_keeps_the_decoded_digest_header(tmp_path):
    raw = gzip.compress(BODY)
    read = _assert_same_as_warcio(tmp_path, _exchange(body=raw, headers=[("Content-Encoding", "gzip")]),
                                  via="tor")
    assert read[0][0].rec_headers.get_header("WARC-X-Content-SHA256") == hashlib.sha256(BODY).hexdigest()


def test_five_megabyte_body(tmp_path):
    body = (b"<p>" + bytes(range(256)) * 64 + b"</p>\n") * 320  # ~5 MB, partly incompressible
    assert len(body) > 5_000_000
    read = _assert_same_as_warcio(tmp_path, _exchange(body=body), via="direct")
    assert read[0][1] == body


def test_browser_capture_resources_equal_warcios(tmp_path):
    dom = b"<html><body>rendered</body></html>"
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    resources = (Resource("dom", "text/html; charset=utf-8", dom), Resource("screenshot", "image/png", png),
                 Resource("note", "", b""))
    read = _assert_same_as_warcio(tmp_path, _exchange(), resources=resources, via="tor")
    assert [r.rec_type for r, _ in read] == ["response", "request", "resource", "resource", "resource"]
    assert read[4][0].rec_headers.get_header("Content-Type") == "application/warc-record"
    only = _assert_same_as_warcio(tmp_path / "b", None, resources=resources[:2], via="tor")
    assert only[1][0].rec_headers.get_header("WARC-Concurrent-To") == \
        only[0][0].rec_headers.get_header("WARC-Record-ID")


def test_warcinfo_equals_warcios(tmp_path):
    store = WarcStore(tmp_path, "job-i", operator="op")
    capture = store.record(_exchange(), url="http://abc.onion/", via="tor")
    store.close()
    data = (tmp_path / capture.warc_file).read_bytes()
    first = capture.records[0]["offset"]
    ours = zlib.decompress(data[:first], zlib.MAX_WBITS | 16)
    record = next(iter(ArchiveIterator(BytesIO(data[:first]), check_digests="raise")))
    record.raw_stream.read()
    assert record.digest_checker.passed is True
    name = Path(capture.warc_file).name
    out = BytesIO()
    writer = _Sha256Writer(out, gzip=False, warc_version="1.1")
    info = writer.create_warcinfo_record(name, {
        "software": SOFTWARE, "format": "WARC File Format 1.1", "job": "job-i", "operator": "op",
        "host": socket.gethostname()})
    info.rec_headers.replace_header("WARC-Date", record.rec_headers.get_header("WARC-Date"))
    writer.write_record(info)
    assert _ids_numbered(ours) == _ids_numbered(out.getvalue())
    entries = list(read_entries(tmp_path / "evidence" / "job-i" / "custody.jsonl"))
    assert [e["event"] for e in entries] == ["warc_open", "capture", "warc_sealed"]


def test_records_are_members_at_the_logged_offsets_and_read_capture_reads_them(tmp_path):
    store = WarcStore(tmp_path, "job-m", operator="op")
    captures = [store.record(_exchange(body=BODY * i), url="http://abc.onion/", via="tor") for i in range(1, 6)]
    store.close()
    entries = [e for e in read_entries(tmp_path / "evidence" / "job-m" / "custody.jsonl")
               if e["event"] == "capture"]
    size = (tmp_path / captures[0].warc_file).stat().st_size
    ends = []
    for i, (capture, entry) in enumerate(zip(captures, entries, strict=True), 1):
        assert entry["records"] == capture.records
        _members(tmp_path, capture)
        ends.append(capture.records[-1]["offset"] + capture.records[-1]["length"])
        assert read_capture(tmp_path, entry).exchange.body == BODY * i
    assert ends[-1] == size  # members are back to back, nothing between or after them


def test_sha256_b32_and_record_ids():
    for data in (b"", b"x", BODY, bytes(range(256))):
        digest = hashlib.sha256(data).digest()
        assert sha256_b32(digest) == "sha256:" + base64.b32encode(digest).decode()
    with pytest.raises(ValueError):
        sha256_b32(b"short")
    ids = {warc_record_id() for _ in range(200)}
    assert len(ids) == 200
    for rid in ids:
        assert rid.startswith("<urn:uuid:") and rid.endswith(">")
        parsed = uuid.UUID(rid[10:-1])
        assert parsed.version == 4 and str(parsed) == rid[10:-1]


def test_gzip_members_are_independent_and_survive_a_failed_call():
    gz = GzipMembers()
    parts = [BODY, b"", bytes(range(256)) * 50, BODY]
    members = [gz.member(p, b"tail") for p in parts]
    for part, member in zip(parts, members, strict=True):
        assert zlib.decompress(member, zlib.MAX_WBITS | 16) == part + b"tail"  # each alone
    assert gzip.decompress(b"".join(members)) == b"".join(p + b"tail" for p in parts)
    with pytest.raises(TypeError):
        gz.member(BODY, "not bytes")  # type: ignore[arg-type]
    assert zlib.decompress(gz.member(BODY), zlib.MAX_WBITS | 16) == BODY


def test_http_head_matches_warcio_for_requests_and_responses():
    headers = [("A", "1"), ("b", "é"), ("C", "x; name=\"ü\"")]
    assert http_head("HTTP/1.1", "200 OK", headers) == \
        StatusAndHeaders("200 OK", list(headers), protocol="HTTP/1.1").to_ascii_bytes()
    assert http_head("", "GET / HTTP/1.1", headers, is_request=True) == \
        StatusAndHeaders("GET / HTTP/1.1", list(headers), protocol="", is_http_request=True).to_ascii_bytes()
    raw = [(b"X-Bytes", b"\xe9t\xe9")]
    assert http_head("HTTP/1.0", "204 No Content", raw) == \
        StatusAndHeaders("204 No Content", list(raw), protocol="HTTP/1.0").to_ascii_bytes()


_token = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
                 min_size=1, max_size=12)
_value = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                 max_size=30).map(str.strip) | st.sampled_from(["a; b=é", 'x; n="ü"; é', "é;", "=é"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=st.lists(st.tuples(_token, _value), max_size=8),
       request_headers=st.lists(st.tuples(_token, _value), max_size=5),
       body=st.binary(max_size=3000), status=st.integers(100, 999))
def test_any_header_list_and_body_equal_warcios(tmp_path_factory, headers, request_headers, body, status):
    tmp = tmp_path_factory.mktemp("h")
    ex = _exchange(body=body, headers=headers or [("X", "y")], request_headers=request_headers or [("H", "1")],
                   status=status)
    read = _assert_same_as_warcio(tmp, ex, via="tor", warcio_must_write=False)
    assert read[0][1] == body
    assert len(read[0][0].http_headers.headers) == len([h for h in ex.response_headers
                                                         if h[0].lower() != "content-length"]) + 1


@settings(max_examples=80, deadline=None)
@given(records=st.lists(st.lists(st.binary(max_size=3000), min_size=1, max_size=3), min_size=1, max_size=8))
def test_gzip_members_alone_and_back_to_back(records):
    """Small (level 1 stream) and large (level 6 stream) members interleaved: each decodes alone."""
    gz = GzipMembers(small_limit=1000)
    members = [gz.member(*parts) for parts in records]
    for parts, member in zip(records, members, strict=True):
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        assert inflate.decompress(member) == b"".join(parts)
        assert inflate.eof and inflate.unused_data == b""
    assert gzip.decompress(b"".join(members)) == b"".join(b"".join(parts) for parts in records)
