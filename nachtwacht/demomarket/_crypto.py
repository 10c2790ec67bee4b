"""Deterministic, checksum-correct wallet addresses, onion v3 addresses and key material.

Everything derives from a :class:`KeyStream` (SHA-256 in counter mode over a seed and a
label), so the same seed always yields the same addresses on every platform.
"""

from __future__ import annotations

import base64
import hashlib

import bech32m
from Crypto.Hash import RIPEMD160, keccak

__all__ = [
    "KeyStream",
    "base58check_encode",
    "btc_p2pkh",
    "btc_p2sh",
    "btc_p2tr",
    "btc_p2wpkh",
    "corrupt",
    "eth_address",
    "is_valid",
    "keccak256",
    "onion_v3",
    "xmr_standard",
]

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class KeyStream:
    """Deterministic byte source: ``KeyStream(seed, "label").take(n)``.

    Not a cryptographic RNG for real keys: it only has to be reproducible.
    """

    def __init__(self, seed: int, label: str) -> None:
        self._key = hashlib.sha256(f"nachtwacht-demo:{seed}:{label}".encode()).digest()
        self._counter = 0

    def take(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            block = self._key + self._counter.to_bytes(8, "big")
            out += hashlib.sha256(block).digest()
            self._counter += 1
        return bytes(out[:n])


def keccak256(data: bytes) -> bytes:
    """Original Keccak-256 (Ethereum/Monero), not NIST SHA3-256."""
    return keccak.new(digest_bits=256, data=data).digest()


def _b58encode(data: bytes) -> str:
    num = int.from_bytes(data, "big")
    chars = []
    while num:
        num, rem = divmod(num, 58)
        chars.append(B58_ALPHABET[rem])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(chars))


def base58check_encode(payload: bytes) -> str:
    """Base58 with the 4-byte double-SHA-256 checksum (Bitcoin)."""
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return _b58encode(payload + check)


def _hash160(data: bytes) -> bytes:
    return RIPEMD160.new(hashlib.sha256(data).digest()).digest()


def btc_p2pkh(ks: KeyStream) -> str:
    """Legacy address (starts with 1): version 0x00 + HASH160 of a compressed pubkey."""
    return base58check_encode(b"\x00" + _hash160(b"\x02" + ks.take(32)))


def btc_p2sh(ks: KeyStream) -> str:
    """Script-hash address (starts with 3): version 0x05 + HASH160 of a script."""
    return base58check_encode(b"\x05" + _hash160(b"\x00\x14" + ks.take(20)))


def btc_p2wpkh(ks: KeyStream) -> str:
    """Native segwit v0 (bc1q..., bech32, 20-byte program)."""
    return bech32m.encode("bc", 0, _hash160(b"\x03" + ks.take(32)))


def btc_p2tr(ks: KeyStream) -> str:
    """Taproot (bc1p..., bech32m, 32-byte program)."""
    return bech32m.encode("bc", 1, ks.take(32))


def _b58_monero(data: bytes) -> str:
    """Monero base58: 8-byte blocks encoded to 11 chars, last block by size."""
    sizes = [0, 2, 3, 5, 6, 7, 9, 10, 11]
    out = []
    for i in range(0, len(data), 8):
        block = data[i : i + 8]
        num = int.from_bytes(block, "big")
        chars = []
        for _ in range(sizes[len(block)]):
            num, rem = divmod(num, 58)
            chars.append(B58_ALPHABET[rem])
        out.append("".join(reversed(chars)))
    return "".join(out)


def _ed25519_point(ks: KeyStream) -> bytes:
    """A genuine Ed25519 public key (a valid curve point) from 32 seeded bytes."""
    from Crypto.PublicKey import ECC

    key = ECC.construct(curve="Ed25519", seed=ks.take(32))
    return key.public_key().export_key(format="raw")


def xmr_standard(ks: KeyStream) -> str:
    """Monero mainnet standard address (prefix 18, 95 chars, Keccak checksum)."""
    body = b"\x12" + _ed25519_point(ks) + _ed25519_point(ks)
    return _b58_monero(body + keccak256(body)[:4])


def eth_address(ks: KeyStream) -> str:
    """EIP-55 mixed-case checksummed Ethereum address."""
    raw = keccak256(ks.take(64))[12:].hex()
    digest = keccak256(raw.encode()).hex()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(raw)
    )


def onion_v3(ks: KeyStream) -> str:
    """Tor v3 onion hostname: base32(pubkey || checksum[:2] || 0x03) + '.onion'."""
    pub = _ed25519_point(ks)
    check = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
    return base64.b32encode(pub + check + b"\x03").decode().lower() + ".onion"


# --- validation (used to make sure a corrupted address really is invalid) -------------


def _b58decode(text: str) -> bytes | None:
    num = 0
    for ch in text:
        idx = B58_ALPHABET.find(ch)
        if idx < 0:
            return None
        num = num * 58 + idx
    pad = len(text) - len(text.lstrip("1"))
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    return b"\0" * pad + body


def _valid_base58check(addr: str, versions: bytes) -> bool:
    raw = _b58decode(addr)
    if raw is None or len(raw) != 25 or raw[0] not in versions:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def _valid_xmr(addr: str) -> bool:
    if len(addr) != 95 or any(ch not in B58_ALPHABET for ch in addr):
        return False
    sizes = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
    raw = bytearray()
    for i in range(0, len(addr), 11):
        chunk = addr[i : i + 11]
        num = 0
        for ch in chunk:
            num = num * 58 + B58_ALPHABET.index(ch)
        size = sizes.get(len(chunk))
        if size is None or num >= 1 << (8 * size):
            return False
        raw += num.to_bytes(size, "big")
    return raw[0] == 0x12 and keccak256(bytes(raw[:-4]))[:4] == bytes(raw[-4:])


def _valid_eth(addr: str) -> bool:
    body = addr[2:]
    if not addr.startswith("0x") or len(body) != 40:
        return False
    try:
        int(body, 16)
    except ValueError:
        return False
    digest = keccak256(body.lower().encode()).hex()
    return all(
        (ch.isupper() if int(digest[i], 16) >= 8 else ch.islower())
        for i, ch in enumerate(body)
        if ch.isalpha()
    )


def _valid_onion(host: str) -> bool:
    label = host.removesuffix(".onion")
    if len(label) != 56:
        return False
    try:
        raw = base64.b32decode(label.upper())
    except ValueError:
        return False
    pub, check, version = raw[:32], raw[32:34], raw[34:]
    want = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
    return version == b"\x03" and check == want


def is_valid(chain: str, address: str) -> bool:
    """Checksum validity of an address of ``chain`` (btc, xmr, eth, onion)."""
    if chain == "btc":
        if address.lower().startswith("bc1"):
            try:
                bech32m.decode("bc", address)
            except Exception:
                return False
            return True
        return _valid_base58check(address, b"\x00\x05")
    if chain == "xmr":
        return _valid_xmr(address)
    if chain == "eth":
        return _valid_eth(address)
    if chain == "onion":
        return _valid_onion(address)
    raise ValueError(f"unknown chain {chain!r}")


def corrupt(chain: str, address: str, ks: KeyStream) -> str:
    """A look-alike of ``address`` that fails its checksum (one character changed).

    For ETH the case of one letter is flipped (the classic EIP-55 typo), else one
    character is replaced by another of the same alphabet.
    """
    for _ in range(64):
        pick = ks.take(2)
        if chain == "eth":
            letters = [i for i, ch in enumerate(address) if ch.isalpha() and i > 1]
            i = letters[pick[0] % len(letters)]
            candidate = address[:i] + address[i].swapcase() + address[i + 1 :]
        else:
            if chain == "onion" or address.startswith("bc1"):
                alphabet = "abcdefghijklmnopqrstuvwxyz234567" if chain == "onion" else "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
                start = 0 if chain == "onion" else 4
            else:
                alphabet, start = B58_ALPHABET, 2
            end = len(address) - (6 if chain == "onion" else 1)
            i = start + pick[0] % (end - start)
            ch = alphabet[pick[1] % len(alphabet)]
            candidate = address[:i] + ch + address[i + 1 :]
        if candidate != address and not is_valid(chain, candidate):
            return candidate
    raise RuntimeError(f"could not corrupt {address!r}")  # pragma: no cover
