"""Real OpenPGP v4 Ed25519 public keys (key, user ID, self-signature), ASCII-armored.

The packets follow RFC 4880 + the EdDSA draft as GnuPG writes them, so ``gpg --import``
accepts them; the v4 fingerprint is SHA-1 over ``0x99 || len(2) || key packet body``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

__all__ = ["PgpPublicKey", "make_pgp_key"]

_ED25519_OID = bytes.fromhex("2b06010401da470f01")  # 1.3.6.1.4.1.11591.15.1
_ALGO_EDDSA = 22
_HASH_SHA256 = 8


@dataclass(frozen=True, slots=True)
class PgpPublicKey:
    """An armored public key block and its v4 fingerprint (40 upper-case hex digits)."""

    fingerprint: str
    key_id: str
    user_id: str
    created: int
    armored: str


def _mpi(data: bytes) -> bytes:
    data = data.lstrip(b"\0")
    bits = len(data) * 8 - (8 - data[0].bit_length()) if data else 0
    return bits.to_bytes(2, "big") + data


def _packet(tag: int, body: bytes) -> bytes:
    """Old-format packet header (what GnuPG emits for keys)."""
    if len(body) < 256:
        return bytes([0x80 | (tag << 2), len(body)]) + body
    return bytes([0x80 | (tag << 2) | 1]) + len(body).to_bytes(2, "big") + body


def _subpacket(kind: int, data: bytes) -> bytes:
    return bytes([len(data) + 1, kind]) + data


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(data: bytes, kind: str = "PUBLIC KEY BLOCK") -> str:
    """ASCII armor with the CRC-24 line, 64-character lines."""
    b64 = base64.b64encode(data).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    crc = base64.b64encode(_crc24(data).to_bytes(3, "big")).decode()
    return "\n".join(
        [f"-----BEGIN PGP {kind}-----", "", *lines, f"={crc}", f"-----END PGP {kind}-----"]
    )


def make_pgp_key(secret: bytes, user_id: str, created: int) -> PgpPublicKey:
    """Build a self-certified Ed25519 public key from a 32-byte ``secret``.

    Deterministic: Ed25519 signatures are deterministic, and ``created`` (Unix time)
    is used for both the key and the signature.
    """
    key = ECC.construct(curve="Ed25519", seed=secret)
    pub = key.public_key().export_key(format="raw")
    key_body = (
        b"\x04"
        + created.to_bytes(4, "big")
        + bytes([_ALGO_EDDSA, len(_ED25519_OID)])
        + _ED25519_OID
        + _mpi(b"\x40" + pub)
    )
    fpr = hashlib.sha1(b"\x99" + len(key_body).to_bytes(2, "big") + key_body).digest()
    uid = user_id.encode()
    hashed = b"".join(
        [
            _subpacket(33, b"\x04" + fpr),  # issuer fingerprint
            _subpacket(2, created.to_bytes(4, "big")),  # signature creation time
            _subpacket(27, b"\x03"),  # key flags: certify + sign
            _subpacket(11, bytes([9, 8, 7, 2])),  # preferred symmetric
            _subpacket(21, bytes([10, 9, 8, 11, 2])),  # preferred hash
            _subpacket(22, bytes([2, 3, 1])),  # preferred compression
            _subpacket(30, b"\x01"),  # features: MDC
            _subpacket(23, b"\x80"),  # key server prefs: no-modify
        ]
    )
    sig_head = bytes([4, 0x13, _ALGO_EDDSA, _HASH_SHA256]) + len(hashed).to_bytes(2, "big") + hashed
    to_hash = (
        b"\x99"
        + len(key_body).to_bytes(2, "big")
        + key_body
        + b"\xb4"
        + len(uid).to_bytes(4, "big")
        + uid
        + sig_head
        + b"\x04\xff"
        + len(sig_head).to_bytes(4, "big")
    )
    digest = hashlib.sha256(to_hash).digest()
    signature = eddsa.new(key, "rfc8032").sign(digest)
    unhashed = _subpacket(16, fpr[-8:])  # issuer key id
    sig_body = (
        sig_head
        + len(unhashed).to_bytes(2, "big")
        + unhashed
        + digest[:2]
        + _mpi(signature[:32])
        + _mpi(signature[32:])
    )
    data = _packet(6, key_body) + _packet(13, uid) + _packet(2, sig_body)
    return PgpPublicKey(
        fingerprint=fpr.hex().upper(),
        key_id=fpr[-8:].hex().upper(),
        user_id=user_id,
        created=created,
        armored=armor(data),
    )
