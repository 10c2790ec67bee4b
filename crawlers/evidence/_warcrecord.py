"""WARC 1.1 records written directly: the bytes warcio's `WARCWriter` writes, at a fraction of the CPU.

A record is a header block (`WARC/1.1`, `Name: value` lines, a blank line), the block (HTTP head +
payload, or the payload alone) and CRLFCRLF, compressed as one gzip member. This module builds the
same header lines in the same order as warcio 1.8 (`RecordBuilder` + `WARCWriter` with SHA-256
digesters) and the same HTTP head bytes (`StatusAndHeaders.to_ascii_bytes`); anything outside the
plain-ASCII fast path (non-ASCII or bytes header values) is delegated to warcio's own
`StatusAndHeaders`, so it percent-encodes exactly as warcio does. warcio stays the reader.
`tests/evidence/test_warc_writer.py` holds this equal to warcio, header for header.

Compression: zlib-ng (a drop-in zlib) at level 6 where warcio uses zlib at 9, and level 1 for
records up to 2 KB (requests). Measured with WarcStore on 61 saved market pages (53 KB on average,
realistic request headers): 432 us of CPU per capture instead of 1564, files 2.7% larger
(520,894 bytes instead of 507,015); on a 4 KB page 4.4% larger. Deflate dominates: zlib at 6 takes
520 us per such page, zlib-ng at 6 268 us, zlib at 9 1039 us. One deflate stream is reused for
every record (see `GzipMembers`): a fresh compressor costs more than a small record.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeaders
from zlib_ng import zlib_ng

__all__ = ["GZIP_LEVEL", "GzipMembers", "RecordBytes", "encode_record", "http_head", "sha256_b32",
           "warc_record_id"]

GZIP_LEVEL = 6
SMALL_GZIP_LEVEL = 1
SMALL_RECORD = 2048  # bytes of record (WARC head + block) up to which SMALL_GZIP_LEVEL is used
_JOIN_LIMIT = 1 << 20  # parts of a record up to this size are joined before compressing
WARC_VERSION = "WARC/1.1"
# RFC 1952 member header as zlib writes it on Unix: deflate, no flags, mtime 0, no extra flags, OS 3.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # BFINAL=1, fixed Huffman, end-of-block: ends a flushed stream
_ASCII = "".join(map(chr, range(128)))  # what `quote` leaves alone in the last resort of `http_head`
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # 10 bits -> 2 characters


def sha256_b32(digest: bytes) -> str:
    """`sha256:<RFC 4648 base32, padded>` of a SHA-256 digest, as warcio's `Digester` writes it.

    256 bits are 52 base32 characters (the last one padded with 4 zero bits) and `====`.
    """
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest is 32 bytes")
    number = int.from_bytes(digest, "big") << 4
    return "sha256:" + "".join([_B32_PAIRS[(number >> shift) & 0x3FF]
                                for shift in range(250, -1, -10)]) + "===="


_EMPTY_SHA256 = hashlib.sha256(b"").digest()
_EMPTY_B32 = sha256_b32(_EMPTY_SHA256)  # the payload digest of most requests (no body)


def warc_record_id() -> str:
    """A fresh `<urn:uuid:...>` (random UUID version 4, as `uuid.uuid4()` makes it)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


def _first_line(protocol: str, statusline: str) -> str:
    line = protocol
    if line and statusline:
        line += " "
    line += statusline
    return line + "\r\n" if line else ""


def http_head(protocol: str, statusline: str, headers: Sequence[tuple[str, str]], *,
              is_request: bool = False) -> bytes:
    """The HTTP head warcio stores for `StatusAndHeaders(statusline, headers, protocol)`.

    For a request pass the whole request line as `statusline` and `is_request=True` (warcio
    splits the method off as its "protocol"). Non-ASCII or non-str headers go through warcio
    (bytes are read as latin-1, non-ASCII values percent-encoded as UTF-8, RFC 8187 style). Where
    warcio itself fails (a non-ASCII header name or request path, a value it only partly
    encodes; the writer raised UnicodeEncodeError before), every non-ASCII character left is
    percent-encoded as UTF-8, so a capture is never lost to one odd header.
    """
    if is_request:
        protocol, statusline = statusline.split(" ", 1)
    try:
        text = _first_line(protocol, statusline) + "".join([": ".join(h) + "\r\n" for h in headers])
        return text.encode("ascii") + b"\r\n"
    except (TypeError, UnicodeError):
        parsed = StatusAndHeaders(statusline, list(headers), protocol=protocol)
        try:
            return parsed.to_ascii_bytes()
        except UnicodeError:
            text = parsed.to_str()  # the headers as warcio left them, partly encoded
            return quote(text, safe=_ASCII).encode("ascii") + b"\r\n"


class GzipMembers:
    """Compress records into independent gzip members, reusing raw deflate streams.

    A fresh compressor per record costs more than compressing a 4 KB page (it allocates and clears
    ~300 KB of state). Instead each member is: the gzip header, the deflate data up to a
    `Z_FULL_FLUSH` (byte-aligned, history reset: the member refers to nothing before it), an empty
    final block, CRC-32 and size. Any gzip reader decodes each member alone.

    Records up to `small_limit` bytes (requests, small resources) go through a second stream at
    `small_level` (zlib-ng's level 1 uses fixed Huffman codes: no trees to build for a 1 KB
    record; ~10 us less per capture, ~100 bytes more per request record). Not thread-safe: one
    per writer.
    """

    def __init__(self, level: int = GZIP_LEVEL, *, small_level: int = SMALL_GZIP_LEVEL,
                 small_limit: int = SMALL_RECORD):
        self.level = level
        self.small_level = small_level
        self.small_limit = small_limit
        self._large = self._new(level)
        self._small = self._new(small_level)

    @staticmethod
    def _new(level: int) -> Any:
        return zlib_ng.compressobj(level, zlib_ng.DEFLATED, -zlib_ng.MAX_WBITS)

    def member(self, *parts: bytes) -> bytes:
        """One gzip member holding `parts` concatenated."""
        size = sum(map(len, parts))
        small = size <= self.small_limit
        if size <= _JOIN_LIMIT and len(parts) > 1:
            parts = (b"".join(parts),)  # one compress call is cheaper than several small ones
        deflate = self._small if small else self._large
        out = [_GZIP_HEADER]
        crc = 0
        crc32 = zlib_ng.crc32
        try:
            for part in parts:
                crc = crc32(part, crc)
                out.append(deflate.compress(part))
            out.append(deflate.flush(zlib_ng.Z_FULL_FLUSH))
        except BaseException:
            # never continue a stream left half-way
            if small:
                self._small = self._new(self.small_level)
            else:
                self._large = self._new(self.level)
            raise
        out.append(_FINAL_EMPTY_BLOCK)
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)


class RecordBytes:
    """One encoded record: its gzip member and the digests written into it."""

    __slots__ = ("block_digest", "member", "payload_digest")

    def __init__(self, member: bytes, payload_digest: str | None, block_digest: str):
        self.member = member
        self.payload_digest = payload_digest
        self.block_digest = block_digest


def encode_record(gzip: GzipMembers, headers: Iterable[tuple[str, str]], *, content_type: str,
                  payload: bytes, head: bytes = b"", payload_digest: bool = True,
                  after_payload_digest: Iterable[tuple[str, str]] = (),
                  payload_hash: Any = None) -> RecordBytes:
    """Encode one record as a gzip member of `gzip`.

    `headers` are the WARC header lines up to the digests (warcio's order: the caller's headers,
    then WARC-Type, WARC-Record-ID, WARC-Target-URI, WARC-Date if not given). This appends
    WARC-Payload-Digest (unless `payload_digest` is False: warcinfo), `after_payload_digest`
    (headers added to a warcio record between creating and writing it), WARC-Block-Digest,
    Content-Type and Content-Length, the block being `head` (an `http_head`) + `payload`.
    `payload_hash`: the caller's `hashlib.sha256(payload)`, if it has one already.
    """
    if payload_hash is None:
        payload_hash = hashlib.sha256(payload)
    if head:
        block_hash = hashlib.sha256(head)
        block_hash.update(payload)
    else:
        block_hash = payload_hash
    block = sha256_b32(block_hash.digest())
    lines = [WARC_VERSION]
    lines += [": ".join(h) for h in headers]
    digest = None
    if payload_digest:
        raw = payload_hash.digest()
        digest = block if not head else _EMPTY_B32 if raw == _EMPTY_SHA256 else sha256_b32(raw)
        lines.append("WARC-Payload-Digest: " + digest)
    lines += [": ".join(h) for h in after_payload_digest]
    lines.append("WARC-Block-Digest: " + block)
    lines.append("Content-Type: " + content_type)
    lines.append(f"Content-Length: {len(head) + len(payload)}")
    lines.append("\r\n")
    warc_head = "\r\n".join(lines).encode("utf-8")
    return RecordBytes(gzip.member(warc_head + head, payload, b"\r\n\r\n"), digest, block)
