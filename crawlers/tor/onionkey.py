"""Deterministic v3 onion service keys: the same name always gives the same .onion address."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = ["onion_address_from_public_key", "seed_for_name", "write_service_keys"]

_SECRET_HEADER = b"== ed25519v1-secret: type0 ==\x00\x00\x00"
_PUBLIC_HEADER = b"== ed25519v1-public: type0 ==\x00\x00\x00"


def seed_for_name(name: str, salt: str = "nachtwacht-demo-onion") -> bytes:
    """32-byte Ed25519 seed derived from a service name (test/demo only: it is not secret)."""
    return hashlib.sha256(f"{salt}\n{name}".encode()).digest()


def onion_address_from_public_key(public_key: bytes) -> str:
    """The v3 address ``<56 chars>.onion`` of a 32-byte Ed25519 public key (rend-spec-v3 6)."""
    version = b"\x03"
    checksum = hashlib.sha3_256(b".onion checksum" + public_key + version).digest()[:2]
    return base64.b32encode(public_key + checksum + version).decode().lower() + ".onion"


def _expanded_secret(seed: bytes) -> bytes:
    """Tor's 64-byte expanded secret key: clamped SHA-512(seed)[:32] || SHA-512(seed)[32:]."""
    digest = bytearray(hashlib.sha512(seed).digest())
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    return bytes(digest)


def write_service_keys(service_dir: Path, seed: bytes) -> str:
    """Write ``hs_ed25519_secret_key``/``public_key``/``hostname`` into ``service_dir``.

    Returns the onion address. Tor accepts the directory as is and keeps the address.
    """
    service_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    service_dir.chmod(0o700)
    public = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    address = onion_address_from_public_key(public)
    (service_dir / "hs_ed25519_secret_key").write_bytes(_SECRET_HEADER + _expanded_secret(seed))
    (service_dir / "hs_ed25519_public_key").write_bytes(_PUBLIC_HEADER + public)
    (service_dir / "hostname").write_text(address + "\n")
    for child in service_dir.iterdir():
        child.chmod(0o600)
    return address
