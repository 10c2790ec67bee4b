"""Operator-imported sessions: cookies exported from Tor Browser, stored encrypted per site.

Formats read by `parse_cookies`: a Netscape cookies.txt (tab-separated, `#HttpOnly_` prefixes),
or JSON: a list of cookie objects (browser extension exports: `name`, `value`, `domain`, `path`,
`expirationDate`/`expires`, `secure`, `httpOnly`, `hostOnly`) or a Playwright storage state
(`{"cookies": [...]}`).

`SessionStore(data_dir)` keeps one file per site, `<data_dir>/sessions/<site>.session`: AES-256-GCM
over the cookies' JSON, the site name as associated data (a file copied to another site's name does
not decrypt), mode 0600. The key is env NACHTWACHT_SESSION_KEY or `<data_dir>/keys/session.key`
(see `crawlers.evidence.keys`). Only counts, domains and dates are stored in the clear; cookie
values never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES

from crawlers.evidence.custody import utc_iso
from crawlers.evidence.exceptions import SessionError
from crawlers.evidence.keys import key_id, load_key

__all__ = ["SESSION_KEY_ENV", "SessionCookie", "SessionInfo", "SessionStore", "parse_cookies"]

logger = logging.getLogger(__name__)

SESSION_KEY_ENV = "NACHTWACHT_SESSION_KEY"
FORMAT = "nachtwacht-session/1"
_SITE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class SessionCookie:
    """One cookie of an imported session. `value` is kept out of repr on purpose."""

    name: str
    value: str = field(repr=False)
    domain: str
    path: str = "/"
    secure: bool = False
    http_only: bool = False
    expires: float | None = None  # epoch seconds; None = a session cookie
    host_only: bool = True  # False: the domain and its subdomains

    def expired(self, now: float | None = None) -> bool:
        return self.expires is not None and self.expires <= (now or time.time())

    def matches(self, host: str) -> bool:
        """Whether a request to `host` carries this cookie (domain rules of RFC 6265, simplified)."""
        host = host.lower().rstrip(".")
        domain = self.domain.lower().lstrip(".")
        return host == domain or (not self.host_only and host.endswith("." + domain))

    def scrapy_cookie(self) -> dict[str, Any]:
        """For `Request.cookies` of a request to a matching host (Scrapy puts it into the crawl's
        cookie jar). Host-only cookies leave the domain to the jar (the request's host). Tor
        Browser treats .onion over http as a secure context: `secure` is dropped there, or the
        jar would never send the cookie over http."""
        cookie: dict[str, Any] = {"name": self.name, "value": self.value, "path": self.path,
                                  "secure": self.secure and not self.domain.rstrip(".").endswith(".onion")}
        if not self.host_only:
            cookie["domain"] = "." + self.domain.lstrip(".")
        return cookie

    def playwright_cookie(self) -> dict[str, Any]:
        """For a browser context's `storage_state`."""
        return {"name": self.name, "value": self.value,
                "domain": self.domain.lstrip(".") if self.host_only else "." + self.domain.lstrip("."),
                "path": self.path, "expires": self.expires if self.expires is not None else -1,
                "httpOnly": self.http_only,
                "secure": self.secure and not self.domain.rstrip(".").endswith(".onion"),
                "sameSite": "Lax"}


@dataclass(frozen=True)
class SessionInfo:
    """What may be shown about a stored session: never a value."""

    site: str
    cookies: int
    names: list[str]
    domains: list[str]
    imported_at: str
    imported_by: str
    expires: str  # earliest expiry of a persistent cookie (UTC ISO), "" when none expires
    key_id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().upper() in ("TRUE", "1", "YES")
    return bool(value)


def _netscape(text: str) -> list[SessionCookie]:
    cookies = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip("\r\n")
        http_only = False
        if line.startswith("#HttpOnly_"):
            line, http_only = line[len("#HttpOnly_"):], True
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 7:
            raise SessionError(f"cookies.txt line {number}: expected 7 tab-separated fields, "
                               f"got {len(parts)}")
        domain, subdomains, path, secure, expiry, name, value = parts
        try:
            expires = float(expiry) if expiry.strip() not in ("", "0") else None
        except ValueError as exc:
            raise SessionError(f"cookies.txt line {number}: expiry is not a number") from exc
        cookies.append(SessionCookie(name=name, value=value, domain=domain.strip(), path=path or "/",
                                     secure=_bool(secure), http_only=http_only, expires=expires,
                                     host_only=not _bool(subdomains) and not domain.startswith(".")))
    return cookies


def _json(data: Any) -> list[SessionCookie]:
    rows = data.get("cookies") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise SessionError("cookie JSON: expected a list of cookies or {\"cookies\": [...]}")
    cookies = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("name") or "value" not in row or not row.get("domain"):
            raise SessionError(f"cookie JSON: cookie {number} lacks name, value or domain")
        expiry = row.get("expirationDate", row.get("expires", row.get("expiry")))
        expires = float(expiry) if isinstance(expiry, (int, float)) and expiry > 0 else None
        domain = str(row["domain"])
        host_only = _bool(row["hostOnly"]) if "hostOnly" in row else not domain.startswith(".")
        cookies.append(SessionCookie(name=str(row["name"]), value=str(row["value"]), domain=domain,
                                     path=str(row.get("path") or "/"), secure=_bool(row.get("secure")),
                                     http_only=_bool(row.get("httpOnly")), expires=expires,
                                     host_only=host_only))
    return cookies


def parse_cookies(data: bytes) -> list[SessionCookie]:
    """Cookies from a Netscape cookies.txt or a JSON export; raises SessionError (no values in it)."""
    text = data.decode("utf-8-sig", errors="strict") if data else ""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            cookies = _json(json.loads(stripped))
        except ValueError as exc:
            raise SessionError(f"cookie JSON is not valid JSON (at position {getattr(exc, 'pos', '?')})") from None
    else:
        cookies = _netscape(text)
    if not cookies:
        raise SessionError("no cookies in the file")
    return cookies


class SessionStore:
    """Encrypted per-site sessions under `<data_dir>/sessions/`."""

    def __init__(self, data_dir: Path, key: bytes | None = None):
        self.data_dir = Path(data_dir)
        self._key = key

    def _cipher_key(self, create: bool) -> bytes | None:
        if self._key is None:
            self._key = load_key("session", SESSION_KEY_ENV, self.data_dir, create=create)
        return self._key

    def path(self, site: str) -> Path:
        if not _SITE.match(site):
            raise SessionError(f"not a site name: {site!r}")
        return self.data_dir / "sessions" / f"{site}.session"

    def save(self, site: str, cookies: list[SessionCookie], *, imported_by: str) -> SessionInfo:
        """Encrypt and store `cookies` for `site` (replacing an older session). Expired ones are
        dropped; raises SessionError when none is left."""
        live = [c for c in cookies if not c.expired()]
        if not live:
            raise SessionError(f"every cookie of the session for {site} has expired")
        key = self._cipher_key(create=True)
        assert key is not None
        expiries = [c.expires for c in live if c.expires is not None]
        info = SessionInfo(site=site, cookies=len(live), names=sorted({c.name for c in live}),
                           domains=sorted({c.domain.lstrip(".").lower() for c in live}),
                           imported_at=utc_iso(), imported_by=imported_by,
                           expires=_iso(min(expiries)) if expiries else "", key_id=key_id(key))
        plain = json.dumps([asdict(c) for c in live]).encode()
        cipher = AES.new(key, AES.MODE_GCM)
        cipher.update(_aad(site))
        sealed, tag = cipher.encrypt_and_digest(plain)
        envelope = {"format": FORMAT, "info": info.to_dict(),
                    "nonce": base64.b64encode(cipher.nonce).decode(),
                    "ciphertext": base64.b64encode(sealed).decode(), "tag": base64.b64encode(tag).decode()}
        path = self.path(site)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(envelope, fh)
        os.chmod(tmp, 0o600)
        tmp.replace(path)
        logger.info("session for %s stored (%d cookies, key %s)", site, info.cookies, info.key_id)
        return info

    def _envelope(self, site: str) -> dict[str, Any] | None:
        path = self.path(site)
        if not path.exists():
            return None
        try:
            envelope = json.loads(path.read_text())
        except ValueError as exc:
            raise SessionError(f"{path}: not a session file") from exc
        if envelope.get("format") != FORMAT:
            raise SessionError(f"{path}: unknown format {envelope.get('format')!r}")
        return envelope

    def info(self, site: str) -> SessionInfo | None:
        envelope = self._envelope(site)
        return SessionInfo(**envelope["info"]) if envelope else None

    def load(self, site: str) -> list[SessionCookie]:
        """The site's live cookies ([] when no session was imported); SessionError when the file
        does not decrypt (wrong key, edited, or copied from another site)."""
        envelope = self._envelope(site)
        if envelope is None:
            return []
        key = self._cipher_key(create=False)
        if key is None:
            raise SessionError(f"a session for {site} exists but there is no key to open it "
                               f"(set {SESSION_KEY_ENV} or restore keys/session.key)")
        try:
            cipher = AES.new(key, AES.MODE_GCM, nonce=base64.b64decode(envelope["nonce"]))
            cipher.update(_aad(site))
            plain = cipher.decrypt_and_verify(base64.b64decode(envelope["ciphertext"]),
                                              base64.b64decode(envelope["tag"]))
        except (KeyError, ValueError) as exc:
            raise SessionError(f"the session for {site} does not decrypt (wrong key, edited file, or "
                               f"a file of another site)") from exc
        cookies = [SessionCookie(**row) for row in json.loads(plain)]
        return [c for c in cookies if not c.expired()]

    def remove(self, site: str) -> bool:
        path = self.path(site)
        if not path.exists():
            return False
        path.unlink()
        return True

    def sites(self) -> list[str]:
        folder = self.data_dir / "sessions"
        return sorted(p.stem for p in folder.glob("*.session")) if folder.is_dir() else []


def _aad(site: str) -> bytes:
    return f"{FORMAT}:{site}".encode()


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return utc_iso(datetime.fromtimestamp(epoch, UTC))
