"""Onion v3 addresses and OpenPGP keys: checksum and fingerprint computed, not guessed."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

__all__ = ["ARMOR_RE", "onion_v3_valid", "pgp_fingerprint"]

ARMOR_RE = re.compile(
    r"-----BEGIN PGP PUBLIC KEY BLOCK-----(.{0,200000}?)-----END PGP PUBLIC KEY BLOCK-----",
    re.DOTALL,
)


def onion_v3_valid(host: str) -> bool:
    """True for a v3 onion host (56 base32 chars, with or without ``.onion``) whose
    SHA3-256 checksum and version byte (3) hold (rend-spec-v3, section 6)."""
    label = host.lower().removesuffix(".onion")
    if len(label) != 56:
        return False
    try:
        raw = base64.b32decode(label.upper())
    except (binascii.Error, ValueError):
        return False
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34:35]
    if version != b"\x03":
        return False
    digest = hashlib.sha3_256(b".onion checksum" + pubkey + version).digest()
    return digest[:2] == checksum


_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,30}:\s")  # "Version: ...", "Comment: ..." (RFC 9580 6.2)
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_MAX_SKIP = 24  # leading tokens tried as armor header words when the layout was lost


def _crc24(data: bytes) -> int:
    """CRC-24 of the armor checksum line (RFC 4880 section 6.1)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def _decode(tokens: list[str]) -> bytes | None:
    """Binary body of base64 ``tokens``; ``None`` when it does not decode or fails its CRC line."""
    crc = [t for t in tokens if t.startswith("=") and len(t) == 5]
    body = [t for t in tokens if not (t.startswith("=") and len(t) <= 6)]
    data = re.sub(r"[^A-Za-z0-9+/=]", "", "".join(body))
    data = data[: len(data) - len(data) % 4] if "=" not in data else data
    try:
        payload = base64.b64decode(data, validate=False)
        want = int.from_bytes(base64.b64decode(crc[-1][1:]), "big") if crc else None
    except (binascii.Error, ValueError):
        return None
    if want is not None and _crc24(payload) != want:
        return None
    return payload


def _armor_payloads(block: str) -> list[bytes]:
    """Candidate binary bodies of an armored block, most likely first.

    The armor's layout is often lost on web pages (blank lines dropped, or the whole block on
    one line), so the header lines cannot be found by the blank line that ends them: the first
    candidate drops ``Key: value`` header lines, later ones drop 1.._MAX_SKIP leading
    whitespace-separated tokens (header words) for the caller to validate by packet structure.
    """
    lines = [ln.strip() for ln in block.strip().splitlines()]
    if "" in lines[:8] and any(_HEADER_LINE.match(ln) for ln in lines[: lines.index("")]):
        lines = lines[lines.index("") + 1 :]
    lines = [ln for ln in lines if ln and not _HEADER_LINE.match(ln)]
    out = [p for p in [_decode(lines)] if p]
    tokens = block.split()
    if any(":" in t for t in tokens[:_MAX_SKIP]):
        last = max(i for i, t in enumerate(tokens[:_MAX_SKIP]) if ":" in t)
        for skip in range(last + 1, min(len(tokens), last + 1 + _MAX_SKIP)):
            if _B64_TOKEN.fullmatch(tokens[skip]):
                payload = _decode(tokens[skip:])
                if payload:
                    out.append(payload)
    return out


def _first_packet(data: bytes) -> tuple[int, bytes] | None:
    """(tag, body) of the first OpenPGP packet (RFC 9580 section 4.2, old and new formats)."""
    if not data or not data[0] & 0x80:
        return None
    head = data[0]
    if head & 0x40:  # new format
        tag = head & 0x3F
        if len(data) < 2:
            return None
        first = data[1]
        if first < 192:
            length, offset = first, 2
        elif first < 224:
            if len(data) < 3:
                return None
            length, offset = ((first - 192) << 8) + data[2] + 192, 3
        elif first == 255:
            length, offset = int.from_bytes(data[2:6], "big"), 6
        else:
            return None  # partial lengths never occur in key packets
    else:
        tag = (head >> 2) & 0x0F
        ltype = head & 0x03
        if ltype == 3:
            return None
        size = 1 << ltype
        length, offset = int.from_bytes(data[1 : 1 + size], "big"), 1 + size
    body = data[offset : offset + length]
    return (tag, body) if len(body) == length else None


def pgp_fingerprint(block: str) -> str | None:
    """Uppercase hex fingerprint of the primary key of an armored public key block.

    v4 keys: SHA-1 over 0x99 + 2-byte length + packet body (40 hex); v6: SHA-256 over
    0x9B + 4-byte length + body (64 hex). ``None`` when the block does not parse (v3 keys
    included: their MD5 fingerprints have not been used since 1998).
    """
    for data in _armor_payloads(block):
        packet = _first_packet(data)
        if packet is not None and packet[0] == 6 and packet[1] and packet[1][0] in (4, 5, 6):
            return _digest(packet[1])
    return None


def _digest(body: bytes) -> str:
    """Fingerprint of a v4 (SHA-1, 0x99 prefix) or v5/v6 (SHA-256, 0x9A/0x9B prefix) key packet body."""
    if body[0] == 4:
        return hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body).hexdigest().upper()
    prefix = b"\x9a" if body[0] == 5 else b"\x9b"
    return hashlib.sha256(prefix + len(body).to_bytes(4, "big") + body).hexdigest().upper()
