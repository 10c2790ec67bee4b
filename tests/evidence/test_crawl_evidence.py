"""A real crawl writes evidence for every response; the index points at it; bundles verify.

The site is a tiny stdlib server on 127.0.0.1 (gzip-encoded page, redirect, plain pages), crawled
with the real CLI (`--via direct`: loopback only). The Tor path records the same way (tests/browser).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import cli_json, run_cli

PAGES = {
    "/": b'<html><body><h1>Index</h1><a href="/gz">gz</a> <a href="/moved">moved</a> '
         b'<a href="/plain">plain</a></body></html>',
    "/gz": "<html><body><h1>Speed 10g</h1><p>Prijs € 45, verzending NL</p></body></html>".encode(),
    "/plain": b"<html><body><h1>Plain page</h1><p>nothing here</p></body></html>",
}


class _Site:
    def __init__(self) -> None:
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/plain")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = PAGES.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if self.path == "/gz":
                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    site = _Site()
    data = tmp_path_factory.mktemp("evidence-crawl")
    try:
        config = data / "site.yaml"
        host = site.base.split("://", 1)[1]
        # host and host:port: the scope check may compare either
        config.write_text(f"name: evsite\nbase_url: {site.base}\n"
                          f"allowed_hosts: ['127.0.0.1', '{host}']\n")
        summary = cli_json("crawl", str(config), "--via", "direct", "--job", "evjob", data_dir=data)
    finally:
        site.stop()
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        pages = backend.search("*", kind="page", limit=100).hits
    finally:
        backend.close()
    return {"summary": summary, "data": data, "pages": pages, "hits": site.hits, "base": site.base}


def _warc_records(data):
    out = {}
    for path in sorted((data / "evidence" / "evjob").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                content = record.content_stream().read()
                record.raw_stream.read()
                assert record.digest_checker.passed is not False, record.digest_checker.problems
                out[record.rec_headers.get_header("WARC-Record-ID")] = (record, content)
    return out


def test_every_response_is_recorded(crawled):
    records = _warc_records(crawled["data"])
    responses = [r for r, _ in records.values() if r.rec_type == "response"]
    requests = [r for r, _ in records.values() if r.rec_type == "request"]
    # one response per hit, the 302 hop included
    assert set(crawled["hits"]) == {"/", "/gz", "/moved", "/plain"}
    assert len(responses) == len(crawled["hits"])
    assert len(requests) == len(responses)
    statuses = sorted(r.http_headers.get_statuscode() for r in responses)
    assert statuses.count("302") == 1 and statuses.count("200") == len(statuses) - 1


def test_indexed_bytes_are_the_warc_bytes(crawled):
    records = _warc_records(crawled["data"])
    pages = {p["url"]: p for p in crawled["pages"]}
    assert set(pages) == {crawled["base"] + p for p in PAGES}
    for url, page in pages.items():
        record, content = records[page["warc_record_id"]]
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert hashlib.sha256(content).hexdigest() == page["sha256"], url
        assert (crawled["data"] / page["warc_file"]).exists()
    gz = pages[crawled["base"] + "/gz"]
    record, content = records[gz["warc_record_id"]]
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert content == PAGES["/gz"]


def test_custody_log_is_intact_and_sealed(crawled):
    from crawlers.evidence import CustodyLog

    log = CustodyLog(crawled["data"] / "evidence" / "evjob" / "custody.jsonl")
    assert log.verify() == []
    events = [e["event"] for e in log.entries()]
    assert events[0] == "run_start" and events[-2:] == ["run_end", "warc_sealed"]
    assert events.count("capture") == len(crawled["hits"])


@pytest.fixture(scope="module")
def bundle(crawled, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "case-42.zip"
    ids = [p["id"] for p in crawled["pages"]]
    result = cli_json("evidence", "export", *ids, "--out", str(out), "--operator", "rechercheur.peeters",
                      data_dir=crawled["data"])
    assert result["documents"] == len(ids)
    return out


def test_fresh_bundle_verifies(crawled, bundle):
    report = cli_json("evidence", "verify", str(bundle), data_dir=crawled["data"])
    assert report["ok"] is True, report["problems"]
    assert report["documents"] == 3 and report["records"] >= 6
    assert report["signature"] == "valid"


def _key(crawled):
    from crawlers.evidence.signature import evidence_key

    return evidence_key(crawled["data"], create=False)


def test_the_signing_key_stays_outside_the_bundle(crawled, bundle):
    key = _key(crawled)
    assert key is not None and (crawled["data"] / "keys" / "evidence.key").stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(bundle) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist())
    assert key not in everything and key.hex().encode() not in everything


def test_export_is_logged(crawled, bundle):
    from crawlers.evidence import CustodyLog

    log = CustodyLog(crawled["data"] / "evidence" / "exports.jsonl")
    (entry,) = log.entries()
    assert entry["exported_by"] == "rechercheur.peeters"
    assert entry["bundle_sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()


def _rewrite(src, dst, name, position):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == name:
                data = bytearray(data)
                data[position % len(data)] ^= 0x01
                data = bytes(data)
            zout.writestr(info.filename, data)


def test_one_changed_byte_in_any_file_fails(crawled, bundle, tmp_path):
    from crawlers.evidence import verify_bundle

    key = _key(crawled)
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        sizes = {n: zf.getinfo(n).file_size for n in names}
    assert "manifest.json" in names and "warc/captures.warc.gz" in names
    for name in names:
        for position in (0, sizes[name] // 2, sizes[name] - 1):
            bad = tmp_path / "bad.zip"
            _rewrite(bundle, bad, name, position)
            report = verify_bundle(bad, key=key)
            assert not report.ok, (name, position)
    proc = run_cli("evidence", "verify", str(bad), check=False, data_dir=crawled["data"])
    assert proc.returncode == 1 and "FAILED" in proc.stdout


def test_an_added_file_fails(bundle, tmp_path):
    from crawlers.evidence import verify_bundle

    bad = tmp_path / "added.zip"
    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("dom/extra.html", b"<html>planted</html>")
    assert any("not listed" in p for p in verify_bundle(bad).problems)


def _recompute(src, dst, name, change):
    """What a forger does: change a file, then re-compute its hash and the manifest's digest."""
    from crawlers.evidence.bundle import _manifest_digest

    with zipfile.ZipFile(src) as zin:
        contents = {n: zin.read(n) for n in zin.namelist()}
    contents[name] = change(contents[name])
    manifest = json.loads(contents["manifest.json"])
    manifest["files"][name] = {"sha256": hashlib.sha256(contents[name]).hexdigest(),
                               "size": len(contents[name])}
    manifest["digest"] = _manifest_digest(manifest)
    contents["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, data in contents.items():
            zout.writestr(n, data)


def test_a_recomputed_manifest_is_caught_by_the_signature_only(crawled, bundle, tmp_path):
    from crawlers.evidence import verify_bundle
    from crawlers.evidence.signature import sign_manifest

    def forge(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["title"] = "Cocaine 1 kg, ships from Antwerp"  # what the page never said
        return json.dumps(doc).encode()

    with zipfile.ZipFile(bundle) as zf:
        name = next(n for n in zf.namelist() if n.startswith("documents/"))
    forged = tmp_path / "forged.zip"
    _recompute(bundle, forged, name, forge)
    assert verify_bundle(forged).ok, "hashes alone cannot see a re-computed manifest"
    report = verify_bundle(forged, key=_key(crawled))
    assert not report.ok and report.signature == "invalid"
    assert any("manifest.sig" in p and "re-computed" in p for p in report.problems), report.problems
    proc = run_cli("evidence", "verify", str(forged), "--json", check=False, data_dir=crawled["data"])
    assert proc.returncode == 1 and json.loads(proc.stdout)["signature"] == "invalid"
    # re-signed with a key of the forger's own: named as another key
    with zipfile.ZipFile(forged) as zf:
        contents = {n: zf.read(n) for n in zf.namelist()}
    contents["manifest.sig"] = sign_manifest(contents["manifest.json"], b"\x01" * 32)
    resigned = tmp_path / "resigned.zip"
    with zipfile.ZipFile(resigned, "w") as zout:
        for n, data in contents.items():
            zout.writestr(n, data)
    assert any("another key" in p for p in verify_bundle(resigned, key=_key(crawled)).problems)
    # and without any key the CLI refuses to call a bundle good
    keyless = run_cli("evidence", "verify", str(bundle), "--json", check=False, data_dir=tmp_path / "empty")
    assert keyless.returncode == 1 and "no evidence key" in keyless.stdout


def test_bundle_warc_opens_with_warcio(bundle):
    with zipfile.ZipFile(bundle) as zf:
        warc = zf.read("warc/captures.warc.gz")
    types = [r.rec_type for r in ArchiveIterator(io.BytesIO(warc))]
    assert types.count("response") == 3 and types.count("request") == 3
