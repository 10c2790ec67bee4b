"""Secret keys of the unit (session encryption, bundle signatures): from the environment, or a
0600 key file in the data directory; never from the repository, never logged.

`load_key("session", "NACHTWACHT_SESSION_KEY", data_dir)` returns 32 bytes: the variable's value
(64 hex digits or base64 of 32 bytes) when it is set, else `<data_dir>/keys/session.key`, created
with mode 0600 on first use when `create` is true. A key file that group or others may read is
refused: a key that leaked is not a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path

from crawlers.evidence.exceptions import KeyUnavailable

__all__ = ["KEY_BYTES", "key_id", "key_path", "load_key", "parse_key"]

logger = logging.getLogger(__name__)

KEY_BYTES = 32


def parse_key(text: str, *, source: str) -> bytes:
    """32 key bytes from 64 hex digits or base64; raises KeyUnavailable naming `source` (never the value)."""
    value = text.strip()
    try:
        if len(value) == 2 * KEY_BYTES:
            raw = bytes.fromhex(value)
        else:
            raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_" if "-" in value
                                   or "_" in value else None, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyUnavailable(f"{source}: not a {KEY_BYTES}-byte key (give 64 hex digits or base64 of "
                        f"{KEY_BYTES} bytes, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)")
    return raw


def key_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / "keys" / f"{name}.key"


def key_id(key: bytes) -> str:
    """A short public name of a key (which key signed or encrypted), not the key."""
    return hashlib.sha256(b"nachtwacht-key-id:" + key).hexdigest()[:16]


def load_key(name: str, env_var: str, data_dir: Path | None, *, create: bool = True) -> bytes | None:
    """The key `name`: env `env_var`, else its key file; None when neither exists and not `create`."""
    if os.environ.get(env_var):
        return parse_key(os.environ[env_var], source=env_var)
    if data_dir is None:
        if create:
            raise KeyUnavailable(f"no {name} key: set {env_var} or give a data directory")
        return None
    path = key_path(data_dir, name)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyUnavailable(f"{path}: key file is readable by others (mode {mode:o}); "
                            f"`chmod 600 {path}` after checking who read it")
        return parse_key(path.read_text(), source=str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    raw = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex() + "\n")
    logger.info("created %s key file %s (mode 0600, id %s)", name, path, key_id(raw))
    return raw
