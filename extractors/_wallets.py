"""Cryptocurrency address validation: checksums, not just shapes.

Each ``validate_*`` function returns a :class:`AddressInfo` (chain, network, kind) for a valid
address and ``None`` otherwise. They never raise on any string.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import bech32m
from Crypto.Hash import keccak

__all__ = [
    "AddressInfo",
    "b58decode",
    "b58decode_check",
    "validate_address",
    "validate_base58",
    "validate_eth",
    "validate_segwit",
    "validate_xmr",
]

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(B58_ALPHABET)}


@dataclass(frozen=True, slots=True)
class AddressInfo:
    """What a valid address is: chain (btc, ltc, ...), network (main, testnet, ...), kind."""

    chain: str
    network: str
    kind: str


# version bytes of 20-byte-hash base58check addresses -> (chain, network, kind).
# Where chains share a version (BTC/LTC testnet, BTC P2SH and LTC legacy P2SH) the first,
# more common chain wins; the address is valid either way.
_B58_VERSIONS: dict[bytes, tuple[str, str, str]] = {
    b"\x00": ("btc", "main", "p2pkh"),
    b"\x05": ("btc", "main", "p2sh"),
    b"\x6f": ("btc", "testnet", "p2pkh"),
    b"\xc4": ("btc", "testnet", "p2sh"),
    b"\x30": ("ltc", "main", "p2pkh"),
    b"\x32": ("ltc", "main", "p2sh"),
    b"\x3a": ("ltc", "testnet", "p2sh"),
    b"\x1e": ("doge", "main", "p2pkh"),
    b"\x16": ("doge", "main", "p2sh"),
    b"\x71": ("doge", "testnet", "p2pkh"),
    b"\x4c": ("dash", "main", "p2pkh"),
    b"\x10": ("dash", "main", "p2sh"),
    b"\x8c": ("dash", "testnet", "p2pkh"),
    b"\x13": ("dash", "testnet", "p2sh"),
    b"\x41": ("trx", "main", "account"),
    b"\x1c\xb8": ("zec", "main", "p2pkh"),
    b"\x1c\xbd": ("zec", "main", "p2sh"),
    b"\x1d\x25": ("zec", "testnet", "p2pkh"),
    b"\x1c\xba": ("zec", "testnet", "p2sh"),
}

_SEGWIT_HRPS = {
    "bc": ("btc", "main"),
    "tb": ("btc", "testnet"),
    "bcrt": ("btc", "regtest"),
    "ltc": ("ltc", "main"),
    "tltc": ("ltc", "testnet"),
    "rltc": ("ltc", "regtest"),
}

# Monero network bytes -> (network, kind)
_XMR_PREFIXES = {
    18: ("main", "standard"),
    19: ("main", "integrated"),
    42: ("main", "subaddress"),
    53: ("testnet", "standard"),
    54: ("testnet", "integrated"),
    63: ("testnet", "subaddress"),
    24: ("stagenet", "standard"),
    25: ("stagenet", "integrated"),
    36: ("stagenet", "subaddress"),
}


def b58decode(text: str) -> bytes | None:
    """Bitcoin base58 to bytes (leading '1' = zero byte); ``None`` on a foreign character."""
    num = 0
    for ch in text:
        idx = _B58_INDEX.get(ch)
        if idx is None:
            return None
        num = num * 58 + idx
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def _dsha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58decode_check(text: str) -> bytes | None:
    """Base58check payload (version + data) when the 4-byte double-SHA256 checksum holds."""
    if not 20 <= len(text) <= 120:
        return None
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    return payload if _dsha256(payload)[:4] == check else None


def is_wif(text: str) -> bool:
    """True for a WIF private key (base58check, version 0x80/0xEF, 32 bytes [+0x01])."""
    payload = b58decode_check(text)
    if payload is None or payload[:1] not in (b"\x80", b"\xef"):
        return False
    key = payload[1:]
    return len(key) == 32 or (len(key) == 33 and key[-1] == 1)


def validate_base58(text: str) -> AddressInfo | None:
    """Legacy base58check addresses of BTC, LTC, DOGE, DASH, TRX and ZEC transparent."""
    payload = b58decode_check(text)
    if payload is None:
        return None
    for size in (1, 2):
        version, body = payload[:size], payload[size:]
        if len(body) == 20 and version in _B58_VERSIONS:
            return AddressInfo(*_B58_VERSIONS[version])
    return None


def validate_segwit(text: str) -> AddressInfo | None:
    """BIP-173 (bech32, witness v0) and BIP-350 (bech32m, v1+) addresses of BTC and LTC."""
    pos = text.rfind("1")
    if pos < 1:
        return None
    hrp = text[:pos].lower()
    if hrp not in _SEGWIT_HRPS:
        return None
    try:
        decoded = bech32m.decode(hrp, text)
    except (bech32m.DecodeError, ValueError, IndexError):
        return None
    chain, network = _SEGWIT_HRPS[hrp]
    if decoded.witver == 1 and len(decoded.witprog) == 32 and not _below_field_size(decoded.witprog):
        return None  # BIP-340/341: an x-only output key is a field element, below p
    return AddressInfo(chain, network, f"witness_v{decoded.witver}")


_SECP_P = 2**256 - 2**32 - 977


def _below_field_size(xonly: bytes) -> bool:
    """True when the 32 bytes read as an integer below the secp256k1 field size."""
    return int.from_bytes(xonly, "big") < _SECP_P


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def validate_eth(text: str) -> AddressInfo | None:
    """``0x`` + 40 hex; a mixed-case address must carry a valid EIP-55 checksum."""
    if len(text) != 42 or not text.startswith("0x"):
        return None
    body = text[2:]
    if any(ch not in "0123456789abcdefABCDEF" for ch in body):
        return None
    if body == body.lower() or body == body.upper():
        return AddressInfo("eth", "main", "unchecksummed")
    digest = keccak256(body.lower().encode()).hex()
    for ch, nibble in zip(body, digest[:40], strict=True):
        if ch.isalpha() and (int(nibble, 16) >= 8) != ch.isupper():
            return None
    return AddressInfo("eth", "main", "eip55")


_XMR_BLOCK_SIZES = [0, 2, 3, 5, 6, 7, 9, 10, 11]


def _xmr_b58decode(text: str) -> bytes | None:
    """Monero's block base58: 11 characters per 8 bytes, the last block shorter."""
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        if len(block) not in _XMR_BLOCK_SIZES:
            return None
        size = _XMR_BLOCK_SIZES.index(len(block))
        num = 0
        for ch in block:
            idx = _B58_INDEX.get(ch)
            if idx is None:
                return None
            num = num * 58 + idx
        if num >> (8 * size):
            return None  # overflow: not a canonical encoding
        out += num.to_bytes(size, "big")
    return bytes(out)


def validate_xmr(text: str) -> AddressInfo | None:
    """Monero standard, integrated and subaddresses (main, testnet, stagenet), Keccak checksum."""
    if len(text) not in (95, 106):
        return None
    raw = _xmr_b58decode(text)
    if raw is None or len(raw) not in (69, 77):
        return None
    if keccak256(raw[:-4])[:4] != raw[-4:]:
        return None
    prefix = raw[0]
    if prefix not in _XMR_PREFIXES:
        return None
    network, kind = _XMR_PREFIXES[prefix]
    if (kind == "integrated") != (len(raw) == 77):
        return None
    return AddressInfo("xmr", network, kind)


def validate_address(text: str) -> AddressInfo | None:
    """Try every supported format; the first that validates wins."""
    if text.startswith("0x"):
        return validate_eth(text)
    if len(text) in (95, 106):
        info = validate_xmr(text)
        if info is not None:
            return info
    return validate_segwit(text) or validate_base58(text)
