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


def _armor_payload(block: str) -> bytes | None:
    """Base64 body of an armored block (headers and CRC line dropped)."""
    lines = [ln.strip() for ln in block.strip().splitlines()]
    if any(":" in ln for ln in lines[:5]):  # armor headers end at the first blank line
        while lines and lines[0]:
            lines.pop(0)
    body = [ln for ln in lines if ln and not (ln.startswith("=") and len(ln) <= 6)]
    data = re.sub(r"[^A-Za-z0-9+/=]", "", "".join(body))
    data = data[: len(data) - len(data) % 4] if "=" not in data else data
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None


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
    0x9B + 4-byte length + body (64 hex). ``None`` when the block does not parse.
    """
    data = _armor_payload(block)
    packet = _first_packet(data) if data else None
    if packet is None or packet[0] != 6 or not packet[1]:
        return None
    body = packet[1]
    version = body[0]
    if version in (2, 3, 4):
        if version < 4:
            return None  # v3 fingerprints are MD5 over key material; not used since 1998
        digest = hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body).hexdigest()
    elif version in (5, 6):
        prefix = b"\x9a" if version == 5 else b"\x9b"
        digest = hashlib.sha256(prefix + len(body).to_bytes(4, "big") + body).hexdigest()
    else:
        return None
    return digest.upper()
