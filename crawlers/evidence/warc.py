"""Rotating WARC writer of one crawl job: raw HTTP exchanges and browser captures, SHA-256 digests.

Files are `<data_dir>/evidence/<job_id>/<job_id>-<UTC start>-<serial>.warc.gz`, one gzip member per
record (so a record can be copied out byte for byte), rotated past `max_file_size`. Each capture is
logged in the job's `custody.jsonl` with the offsets of its records, which is how documents in the
index find their evidence again. A file is sealed (its SHA-256 logged) when it rotates or closes.

`read_capture` reads a logged capture back (a resumed crawl replays it instead of fetching again):
every record must be whole and match its payload digest, or it raises EvidenceError.

Durability: records and custody entries are written and flushed to the OS at once, the records of
a capture in one write as soon as they are complete (a killed process keeps them), but fsynced only
by `sync()`, which the crawl calls before each frontier checkpoint marks pages done, and by
`close()`/rotation. One fsync per checkpoint instead of one per capture.

Records are encoded by `_warcrecord` (the bytes warcio's WARCWriter writes, same headers, order and
SHA-256 digests; zlib-ng at level 6 instead of zlib at 9) at a fraction of the CPU; warcio reads
them back.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import socket
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import datetime_to_iso_date

from crawlers.evidence._warcrecord import (
    GzipMembers,
    RecordBytes,
    encode_record,
    http_head,
    warc_record_id,
)
from crawlers.evidence.custody import CustodyLog, fsync_path, utc_iso
from crawlers.evidence.exceptions import EvidenceError

__all__ = ["Capture", "Exchange", "Resource", "StoredCapture", "WarcStore", "content_digest",
           "hex_to_warc_digest", "read_capture", "warc_digest_to_hex"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_FILE_SIZE = 100_000_000  # bytes of gzip per WARC file before rotating
SOFTWARE = "Nachtwacht (warcio)"
# Hop-by-hop framing that no longer describes the stored bytes (the body is stored de-chunked).
_FRAMING = {"transfer-encoding"}
_ORIG = "x-archive-orig-"
_HTTP_RESPONSE = "application/http; msgtype=response"
_HTTP_REQUEST = "application/http; msgtype=request"
_WARC_FIELDS = "application/warc-fields"
_DEFAULT_RESOURCE_TYPE = "application/warc-record"  # warcio's default for a record without one
_REASONS = {status.value: status.phrase for status in HTTPStatus}


def warc_digest_to_hex(value: str) -> str:
    """`sha256:<base32>` (as in WARC headers) -> lowercase hex."""
    _, _, encoded = value.partition(":")
    return base64.b32decode(encoded).hex()


def hex_to_warc_digest(value: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(value)).decode()


def content_digest(body: bytes, content_encoding: str = "") -> str | None:
    """SHA-256 hex of the body as an HTTP client decodes it (what extraction saw); None if unknown."""
    body = body or b""
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = zlib.decompress(body, zlib.MAX_WBITS | 16)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding == "br":
                import brotli  # type: ignore[import-not-found]

                body = brotli.decompress(body)
            elif coding != "identity":
                return None
        except Exception:
            return None
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response as they crossed the wire (body de-chunked, still encoded)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class Resource:
    """Something the capture produced besides the exchange: the rendered DOM, a screenshot."""

    role: str  # dom | screenshot | ...
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Capture:
    """Where one capture went: the record the indexed bytes live in, and every record written."""

    warc_file: str  # relative to the data directory
    record_id: str  # the record holding the bytes extraction saw (response, or the DOM resource)
    content_sha256: str
    captured_at: str
    records: list[dict[str, Any]] = field(default_factory=list)


class WarcStore:
    """Write captures of one job. Call `close()` at the end of the crawl (it seals the last file)."""

    def __init__(self, data_dir: Path, job_id: str, *, operator: str,
                 max_file_size: int = DEFAULT_MAX_FILE_SIZE):
        self.data_dir = Path(data_dir)
        self.job_id = job_id
        self.operator = operator
        self.max_file_size = max_file_size
        self.dir = self.data_dir / "evidence" / job_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.custody = CustodyLog(self.dir / "custody.jsonl", durable=False)
        self._stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self._serial = 0
        self._fh: BinaryIO | None = None
        self._path: Path | None = None
        self._rel = ""  # self._path relative to the data directory
        self._size = 0  # bytes written to self._path (no tell(): a syscall per call)
        self._gzip = GzipMembers()
        self._unsynced = False  # WARC bytes written since the last fsync
        self._new_files = False  # a file was created since the last directory fsync
        self.captures = 0

    # --- files --------------------------------------------------------------------------------
    def _open(self) -> None:
        while True:
            self._serial += 1
            name = f"{self.job_id}-{self._stamp}-{self._serial:05d}.warc.gz"
            path = self.dir / name
            if not path.exists():
                break
        try:
            self._fh = path.open("xb")
        except OSError as exc:
            raise EvidenceError(f"cannot create WARC file {path}: {exc.strerror}") from exc
        self._path = path
        self._size = 0
        self._rel = self._relative(path)
        self._new_files = True
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1", "job": self.job_id,
                "operator": self.operator, "host": socket.gethostname()}
        fields = "".join(f"{k}: {v}\r\n" for k, v in info.items() if v).encode()
        date = datetime_to_iso_date(datetime.now(UTC).replace(tzinfo=None), use_micros=True)
        record = encode_record(
            self._gzip, [("WARC-Type", "warcinfo"), ("WARC-Record-ID", warc_record_id()),
                         ("WARC-Filename", name), ("WARC-Date", date)],
            content_type=_WARC_FIELDS, payload=fields, payload_digest=False)
        self._write_members([record.member])
        self.custody.append("warc_open", job=self.job_id, operator=self.operator,
                            warc_file=self._relative(path))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.data_dir).as_posix()

    def sync(self) -> None:
        """Make every record and custody entry written so far durable (WARC first, then custody)."""
        try:
            if self._fh is not None and self._unsynced:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            if self._new_files:
                fsync_path(self.dir)
        except OSError as exc:
            raise EvidenceError(f"cannot sync evidence in {self.dir}: {exc.strerror}") from exc
        self._unsynced = self._new_files = False
        self.custody.sync()

    def _seal(self) -> None:
        if self._fh is None or self._path is None:
            return
        self.sync()
        self._fh.close()
        digest = hashlib.sha256(self._path.read_bytes()).hexdigest()
        self.custody.append("warc_sealed", job=self.job_id, warc_file=self._relative(self._path),
                            sha256=digest, size=self._path.stat().st_size)
        logger.info("sealed %s (sha256 %s)", self._path.name, digest)
        self._fh = self._path = None
        self.custody.sync()

    def close(self) -> None:
        self._seal()
        self.custody.close()  # synced, and its file handle released

    # --- writing ------------------------------------------------------------------------------
    def _write_members(self, members: list[bytes]) -> int:
        """Append gzip members in one write and flush it to the OS; returns the offset of the first."""
        assert self._fh is not None and self._path is not None
        offset = self._size
        data = b"".join(members) if len(members) > 1 else members[0]
        try:
            self._fh.write(data)
            self._fh.flush()
        except OSError as exc:
            with contextlib.suppress(OSError):  # a partial write: the next record starts after it
                self._size = self._fh.tell()
            raise EvidenceError(f"cannot write WARC file {self._path}: {exc.strerror}") from exc
        self._size += len(data)
        self._unsynced = True
        return offset

    def record(self, exchange: Exchange | None, *, url: str, via: str = "", isolation: str = "",
               socks: str = "", resources: tuple[Resource, ...] = (),
               content_sha256: str | None = None) -> Capture:
        """Write one capture (exchange and/or resources) and log it. Returns where it went.

        The record that extraction saw is the DOM resource when there is one, else the response;
        `content_sha256` overrides the digest computed for it (e.g. a decoded body).
        """
        if self._fh is None or self._size >= self.max_file_size:
            self._seal()
            self._open()
        assert self._path is not None
        date = utc_iso(datetime.now(UTC))
        common = [("WARC-Date", date), ("WARC-X-Job", self.job_id), ("WARC-X-Operator", self.operator),
                  ("WARC-X-Via", via)]
        if isolation:
            common.append(("WARC-X-Tor-Isolation", isolation))
        if socks:
            common.append(("WARC-X-Tor-Socks", socks))
        # (record id, WARC-Type, role, encoded record), in file order
        pending: list[tuple[str, str, str, RecordBytes]] = []
        main_id = ""
        main_sha = ""
        first_id = ""
        if exchange is not None:
            first_id, decoded, resp, req = _exchange_records(self._gzip, exchange, common)
            pending.append((first_id, "response", "response", resp))
            pending.append((req[0], "request", "request", req[1]))
            main_id, main_sha = first_id, decoded or ""
        for resource in resources:
            sha = hashlib.sha256(resource.data).hexdigest()
            headers = [*common, ("WARC-X-Role", resource.role), ("WARC-X-Content-SHA256", sha)]
            if first_id:
                headers.append(("WARC-Concurrent-To", first_id))
            record_id = warc_record_id()
            headers += [("WARC-Type", "resource"), ("WARC-Record-ID", record_id)]
            if url:
                headers.append(("WARC-Target-URI", url))
            rec = encode_record(self._gzip, headers, payload=resource.data,
                                content_type=resource.content_type or _DEFAULT_RESOURCE_TYPE)
            first_id = first_id or record_id
            pending.append((record_id, "resource", resource.role or "resource", rec))
            if resource.role == "dom":
                main_id, main_sha = record_id, sha
        if not pending:
            raise EvidenceError(f"nothing to record for {url}")
        offset = self._write_members([rec.member for _, _, _, rec in pending])
        records: list[dict[str, Any]] = []
        for record_id, rec_type, role, rec in pending:
            length = len(rec.member)
            records.append({"id": record_id, "type": rec_type, "role": role, "offset": offset,
                            "length": length, "payload_digest": rec.payload_digest,
                            "block_digest": rec.block_digest})
            offset += length
        main_id = main_id or records[0]["id"]
        main_sha = content_sha256 or main_sha
        capture = Capture(warc_file=self._rel, record_id=main_id,
                          content_sha256=main_sha, captured_at=date, records=records)
        self.custody.append("capture", job=self.job_id, operator=self.operator, url=url, via=via,
                            isolation=isolation, warc_file=capture.warc_file, record_id=main_id,
                            content_sha256=main_sha, records=records)
        self.captures += 1
        return capture


def _exchange_records(gzip: GzipMembers, ex: Exchange, common: list[tuple[str, str]]
                      ) -> tuple[str, str | None, RecordBytes, tuple[str, RecordBytes]]:
    """(response id, decoded body SHA-256 or None, response record, (request id, request record))."""
    reason = _REASONS.get(ex.status, "Unknown")
    kept = []
    moved = []
    encoding = None
    for k, v in ex.response_headers:
        name = k.lower()
        if name in _FRAMING:
            moved.append((f"X-Archive-Orig-{k}", v))
        elif name == "content-length":
            continue
        else:
            if name == "content-encoding" and encoding is None:
                encoding = v
            kept.append((k, v))
    kept += moved
    kept.append(("Content-Length", str(len(ex.body))))
    protocol = ex.protocol if ex.protocol.upper().startswith("HTTP/") else "HTTP/1.1"
    payload_hash = hashlib.sha256(ex.body)
    decoded = content_digest(ex.body, encoding) if encoding else payload_hash.hexdigest()
    resp_id = warc_record_id()
    uri = [("WARC-Target-URI", ex.url)] if ex.url else []
    resp = encode_record(
        gzip, [*common, ("WARC-Type", "response"), ("WARC-Record-ID", resp_id), *uri],
        content_type=_HTTP_RESPONSE, payload=ex.body, payload_hash=payload_hash,
        head=http_head(protocol, f"{ex.status} {reason}", kept),
        after_payload_digest=[("WARC-X-Content-SHA256", decoded)] if decoded else ())
    target = ex.url.split("://", 1)[-1]
    path = "/" + target.split("/", 1)[1] if "/" in target else "/"
    req_id = warc_record_id()
    req = encode_record(
        gzip, [*common, ("WARC-Concurrent-To", resp_id), ("WARC-Type", "request"),
               ("WARC-Record-ID", req_id), *uri],
        content_type=_HTTP_REQUEST, payload=ex.request_body,
        head=http_head("", f"{ex.method} {path} {protocol}", ex.request_headers, is_request=True))
    return resp_id, decoded, resp, (req_id, req)


@dataclass(frozen=True)
class StoredCapture:
    """A capture read back from its WARC: the exchange as recorded, and where it lives."""

    exchange: Exchange
    warc_file: str
    record_id: str  # the response record
    content_sha256: str
    captured_at: str  # the record's WARC-Date


def _member(path: Path, offset: int, length: int) -> bytes:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    except OSError as exc:
        raise EvidenceError(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) != length:
        raise EvidenceError(f"{path}: record at {offset} is cut short (torn write?)")
    return data


def _read_record(path: Path, ref: dict[str, Any]) -> tuple[Any, bytes]:
    """(record, payload) of the record `ref` (a custody `records` item), its digest checked."""
    member = _member(path, int(ref["offset"]), int(ref["length"]))
    try:
        record = next(iter(ArchiveIterator(BytesIO(member))))
        payload = record.raw_stream.read()
    except Exception as exc:  # warcio/zlib raise many kinds on damaged bytes
        raise EvidenceError(f"{path}: record at {ref['offset']} is unreadable ({exc})") from exc
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest") or ""
    if headers.get_header("WARC-Record-ID") != ref.get("id") or digest != ref.get("payload_digest"):
        raise EvidenceError(f"{path}: record at {ref['offset']} is not the one the custody log names")
    if not digest.startswith("sha256:") or hashlib.sha256(payload).hexdigest() != warc_digest_to_hex(digest):
        raise EvidenceError(f"{path}: record {ref.get('id')} does not match its payload digest")
    return record, payload


def _original_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Response headers as received: framing headers moved aside at write time are put back."""
    return [(k[len(_ORIG):], v) if k.lower().startswith(_ORIG) and k[len(_ORIG):].lower() in _FRAMING
            else (k, v) for k, v in headers]


def read_capture(data_dir: Path, entry: dict[str, Any]) -> StoredCapture:
    """Read back the HTTP exchange of a custody `capture` entry (a response and a request record).

    Raises EvidenceError when a record is missing, cut short, unreadable, not the one the entry
    names, or its payload does not match its digest; and for captures that are not one plain HTTP
    exchange (browser captures with a DOM or screenshot).
    """
    refs = {ref.get("type"): ref for ref in entry.get("records", [])}
    if set(refs) != {"response", "request"} or len(entry.get("records", [])) != 2:
        raise EvidenceError(f"capture of {entry.get('url')} is not one plain HTTP exchange")
    path = Path(data_dir) / str(entry["warc_file"])
    resp, body = _read_record(path, refs["response"])
    req, request_body = _read_record(path, refs["request"])
    if req.rec_headers.get_header("WARC-Concurrent-To") != resp.rec_headers.get_header("WARC-Record-ID"):
        raise EvidenceError(f"{path}: request record {refs['request'].get('id')} belongs to another response")
    http = resp.http_headers
    exchange = Exchange(
        url=resp.rec_headers.get_header("WARC-Target-URI"), method=req.http_headers.protocol,
        request_headers=list(req.http_headers.headers), request_body=request_body,
        status=int(http.get_statuscode()), response_headers=_original_headers(list(http.headers)),
        body=body, protocol=http.protocol or "HTTP/1.1")
    return StoredCapture(exchange=exchange, warc_file=str(entry["warc_file"]),
                         record_id=resp.rec_headers.get_header("WARC-Record-ID"),
                         content_sha256=resp.rec_headers.get_header("WARC-X-Content-SHA256") or "",
                         captured_at=resp.rec_headers.get_header("WARC-Date"))
