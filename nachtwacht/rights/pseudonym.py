"""Keyed pseudonyms for personal data of non-targets, and the vault that can re-identify them.

A pseudonym is `anon-<kind>-<16 hex>`: HMAC-SHA256 of the normalised value under the secret key,
so the same person gets the same pseudonym in every document (analysts can still link them)
while the clear value never reaches the index. The key comes from the environment
(`NACHTWACHT_PSEUDONYM_KEY`, >= 32 characters), a key file (`NACHTWACHT_PSEUDONYM_KEY_FILE` or
the policy's `key_file`), or, when the policy allows, a key file created once under
`<data_dir>/keys/` (never inside the index). The vault (`<data_dir>/state/pseudonyms.sqlite`)
keeps each clear value encrypted (AES-256-GCM, key derived from the same secret), so only
someone holding the key, through `nachtwacht reidentify` with a logged reason, can reverse one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import stat
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES

from nachtwacht.rights.exceptions import PseudonymKeyError, ReidentifyRefused
from nachtwacht.rights.policy import MinimisationPolicy

__all__ = [
    "KEY_FILE_ENV",
    "PREFIX",
    "PseudonymVault",
    "Pseudonymiser",
    "is_pseudonym",
    "load_key",
    "normalise",
]

PREFIX = "anon-"
KEY_FILE_ENV = "NACHTWACHT_PSEUDONYM_KEY_FILE"
MIN_KEY_CHARS = 32
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pseudonyms (
    pseudonym TEXT PRIMARY KEY, kind TEXT NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL,
    tag BLOB NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
"""


def is_pseudonym(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def normalise(kind: str, value: str) -> str:
    """What identifies a person regardless of presentation: handles case- and separator-folded,
    phone numbers by their digits, emails lower-cased."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind == "phone":
        return "".join(ch for ch in value if ch.isdigit())
    if kind in ("email", "jabber"):
        return value.lower()
    kept = "".join(ch for ch in value.casefold() if ch.isalnum())
    return kept or value.casefold()


def _read_key_file(path: Path) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise PseudonymKeyError(f"cannot read the pseudonymisation key file {path}: {exc.strerror}") from None
    if len(key) < MIN_KEY_CHARS:
        raise PseudonymKeyError(f"the pseudonymisation key in {path} is shorter than {MIN_KEY_CHARS} characters")
    return key


def load_key(data_dir: str | Path, policy: MinimisationPolicy | None = None, *, create: bool | None = None) -> bytes:
    """The secret key: env var, key file, or (policy `create_key`) a created `<data_dir>/keys/` file.

    Raises PseudonymKeyError when none is configured and creating one is not allowed.
    """
    policy = policy or MinimisationPolicy()
    env_key = os.environ.get(policy.key_env, "").strip()
    if env_key:
        if len(env_key) < MIN_KEY_CHARS:
            raise PseudonymKeyError(f"${policy.key_env} is shorter than {MIN_KEY_CHARS} characters")
        return env_key.encode()
    file = os.environ.get(KEY_FILE_ENV) or policy.key_file
    if file:
        return _read_key_file(Path(file).expanduser())
    default = Path(data_dir) / "keys" / "pseudonym.key"
    if default.exists():
        return _read_key_file(default)
    if not (policy.create_key if create is None else create):
        raise PseudonymKeyError(f"no pseudonymisation key: set ${policy.key_env} or ${KEY_FILE_ENV}")
    default.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(default.parent, stat.S_IRWXU)
    fd = os.open(default, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return _read_key_file(default)


class Pseudonymiser:
    """Turns clear values into pseudonyms (and records them in the vault when one is given)."""

    def __init__(self, key: bytes, vault: PseudonymVault | None = None):
        self._mac_key = hmac.new(key, b"nachtwacht pseudonym v1", hashlib.sha256).digest()
        self._enc_key = hmac.new(key, b"nachtwacht vault v1", hashlib.sha256).digest()
        self.vault = vault
        self._seen: dict[tuple[str, str], str] = {}

    def pseudonym(self, kind: str, value: str) -> str:
        norm = normalise(kind, value)
        cached = self._seen.get((kind, norm))
        if cached:
            return cached
        digest = hmac.new(self._mac_key, f"{kind}\0{norm}".encode(), hashlib.sha256).hexdigest()[:16]
        name = f"{PREFIX}{kind}-{digest}"
        if self.vault is not None:
            self.vault.store(name, kind, value.strip(), self._enc_key)
        self._seen[(kind, norm)] = name
        return name

    def known(self, kind: str) -> dict[str, str]:
        """Normalised value -> pseudonym of every `kind` value pseudonymised so far."""
        return {norm: alias for (k, norm), alias in self._seen.items() if k == kind}

    def reveal(self, pseudonym: str) -> dict[str, str]:
        if self.vault is None:
            raise ReidentifyRefused("no vault to re-identify from")
        return self.vault.reveal(pseudonym, self._enc_key)


class PseudonymVault:
    """Encrypted clear values by pseudonym. Safe across processes (SQLite, short transactions)."""

    def __init__(self, data_dir: str | Path):
        folder = Path(data_dir) / "state"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "pseudonyms.sqlite"
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    def store(self, pseudonym: str, kind: str, value: str, enc_key: bytes) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            updated = conn.execute("UPDATE pseudonyms SET last_seen=? WHERE pseudonym=?", (now, pseudonym))
            if updated.rowcount:
                return
            nonce = secrets.token_bytes(12)
            cipher = AES.new(enc_key, AES.MODE_GCM, nonce=nonce)
            cipher.update(pseudonym.encode())  # bound to its pseudonym: rows cannot be swapped
            ciphertext, tag = cipher.encrypt_and_digest(value.encode())
            conn.execute("INSERT OR IGNORE INTO pseudonyms VALUES (?,?,?,?,?,?,?)",
                         (pseudonym, kind, nonce, ciphertext, tag, now, now))

    def reveal(self, pseudonym: str, enc_key: bytes) -> dict[str, str]:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM pseudonyms WHERE pseudonym=?", (pseudonym.strip(),)).fetchone()
        if row is None:
            raise ReidentifyRefused(f"unknown pseudonym {pseudonym!r} (never recorded, or deleted by retention)")
        cipher = AES.new(enc_key, AES.MODE_GCM, nonce=row["nonce"])
        cipher.update(row["pseudonym"].encode())
        try:
            value = cipher.decrypt_and_verify(row["ciphertext"], row["tag"]).decode()
        except ValueError:
            raise ReidentifyRefused("the vault entry does not open with this key (wrong key, or tampered)") from None
        return {"pseudonym": row["pseudonym"], "kind": row["kind"], "value": value,
                "first_seen": row["first_seen"], "last_seen": row["last_seen"]}

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM pseudonyms").fetchone()[0])

    def expire(self, cutoff: datetime | None, *, dry_run: bool = False) -> dict[str, Any]:
        """Delete entries not used since `cutoff` (their pseudonyms become irreversible)."""
        if cutoff is None:
            return {"deleted": 0}
        stamp = cutoff.astimezone(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            if dry_run:
                n = conn.execute("SELECT COUNT(*) FROM pseudonyms WHERE last_seen < ?", (stamp,)).fetchone()[0]
            else:
                n = conn.execute("DELETE FROM pseudonyms WHERE last_seen < ?", (stamp,)).rowcount
        return {"deleted": int(n)}
