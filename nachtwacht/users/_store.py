"""Users (argon2 password hashes), API tokens, browser sessions and the login rate limit."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from nachtwacht.exceptions import NotFound

from ._db import connect, init_db, users_db_path
from ._roles import ROLES, permissions_of
from .exceptions import AuthError, InvalidCredentials, LoginThrottled, UserExists

__all__ = ["CASE_REF_RE", "Session", "User", "UserStore", "check_case_ref"]

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
#: A case reference as analysts type them: "2026/0412-NL", "PV.123.456", "OPS-7".
CASE_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/:#-]{0,63}$")
MIN_PASSWORD = 10
SESSION_TTL_S = 8 * 3600  # absolute lifetime of a browser session
SESSION_IDLE_S = 30 * 60  # a session unused this long expires
MAX_FAILURES = 5  # failed logins per user ...
MAX_CLIENT_FAILURES = 20  # ... or per client address ...
FAILURE_WINDOW_S = 300  # ... within this window before logins are refused
TOKEN_PREFIX = "nwt_"

# Small argon2id parameters: hashing stays ~10 ms on these machines; still memory-hard.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# A hash to verify against for unknown users, so timing does not reveal which names exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_case_ref(case_ref: str) -> str:
    """The stripped case reference; raises AuthError when it is malformed."""
    value = (case_ref or "").strip()
    if not CASE_REF_RE.match(value):
        raise AuthError("a case reference is 1-64 letters, digits and . _ / : # - (e.g. 2026/0412-NL)")
    return value


@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool = False
    created_at: float = 0.0

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset() if self.disabled else permissions_of(self.role)

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "disabled": self.disabled,
                "permissions": sorted(self.permissions)}


@dataclass(frozen=True)
class Session:
    """A browser session. `token` is only known right after creation (the store keeps a hash)."""

    user: User
    csrf: str
    case_ref: str
    expires_at: float
    token: str = field(default="", repr=False)


class UserStore:
    """Users, tokens and sessions of one data directory (``<data>/state/users.sqlite``).

    `clock` returns epoch seconds; tests pass their own to expire sessions without sleeping.
    """

    def __init__(self, data_dir: str | Path, *, clock: Callable[[], float] = time.time,
                 session_ttl: float = SESSION_TTL_S, session_idle: float = SESSION_IDLE_S):
        self.path = users_db_path(data_dir)
        self.clock = clock
        self.session_ttl = session_ttl
        self.session_idle = session_idle
        init_db(self.path)

    # --- users ---------------------------------------------------------------------------------
    @staticmethod
    def _user(row: Any) -> User:
        return User(row["username"], row["role"], bool(row["disabled"]), row["created_at"])

    def create_user(self, username: str, password: str, role: str) -> User:
        """Create a user; raises AuthError on a bad name, weak password or unknown role."""
        if not USERNAME_RE.match(username):
            raise AuthError("a username is 2-32 characters: a-z first, then a-z 0-9 . _ -")
        self._check_password(password)
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        with connect(self.path) as conn:
            if conn.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone():
                raise UserExists(f"user {username!r} already exists")
            conn.execute("INSERT INTO users VALUES (?,?,?,0,?)",
                         (username, _HASHER.hash(password), role, self.clock()))
        log.info("user %s created with role %s", username, role)
        return User(username, role, False, self.clock())

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"a password has at least {MIN_PASSWORD} characters")

    def get(self, username: str) -> User:
        with connect(self.path) as conn:
            row = conn.execute("SELECT * FROM users WHERE username=?", (username,)).fetchone()
        if row is None:
            raise NotFound(f"no user {username!r}")
        return self._user(row)

    def list_users(self) -> list[User]:
        with connect(self.path) as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [self._user(r) for r in rows]

    def update(self, username: str, *, role: str | None = None, disabled: bool | None = None,
               password: str | None = None) -> User:
        """Change role, disabled flag or password; disabling ends the user's sessions and tokens."""
        self.get(username)
        if role is not None and role not in ROLES:
            raise AuthError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if password is not None:
            self._check_password(password)
        with connect(self.path) as conn:
            if role is not None:
                conn.execute("UPDATE users SET role=? WHERE username=?", (role, username))
            if password is not None:
                conn.execute("UPDATE users SET password_hash=? WHERE username=?",
                             (_HASHER.hash(password), username))
            if disabled is not None:
                conn.execute("UPDATE users SET disabled=? WHERE username=?", (int(disabled), username))
            if disabled or password is not None or role is not None:
                conn.execute("DELETE FROM sessions WHERE username=?", (username,))
            if disabled:
                conn.execute("UPDATE tokens SET revoked=1 WHERE username=?", (username,))
        return self.get(username)

    # --- login ---------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, *, client: str = "") -> User:
        """The user if the password matches, else InvalidCredentials. Raises LoginThrottled (before
        checking the password) after MAX_FAILURES failures for the user, or MAX_CLIENT_FAILURES from
        the client address, within FAILURE_WINDOW_S."""
        now = self.clock()
        keys = [f"user:{username.lower()}"] + ([f"client:{client}"] if client else [])
        with connect(self.path) as conn:
            conn.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW_S,))
            for key in keys:
                limit = MAX_CLIENT_FAILURES if key.startswith("client:") else MAX_FAILURES
                rows = conn.execute("SELECT at FROM login_failures WHERE key=? ORDER BY at",
                                    (key,)).fetchall()
                if len(rows) >= limit:
                    retry = int(rows[-limit]["at"] + FAILURE_WINDOW_S - now) + 1
                    raise LoginThrottled("too many failed logins; try again later", max(retry, 1))
            row = conn.execute("SELECT * FROM users WHERE username=?", (username,)).fetchone()
        ok = False
        try:
            ok = _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or row["disabled"]:
            with connect(self.path) as conn:
                conn.executemany("INSERT INTO login_failures VALUES (?,?)", [(k, now) for k in keys])
            log.warning("failed login for %r from %s", username, client or "?")
            raise InvalidCredentials("wrong username or password")
        with connect(self.path) as conn:
            conn.execute("DELETE FROM login_failures WHERE key=?", (keys[0],))
        return self._user(row)

    # --- sessions ------------------------------------------------------------------------------
    def create_session(self, user: User, *, case_ref: str = "") -> Session:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(24), self.clock()
        case = check_case_ref(case_ref) if case_ref else ""
        expires = now + self.session_ttl
        with connect(self.path) as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            conn.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?)",
                         (_digest(token), user.username, csrf, case, now, now, expires))
        return Session(user, csrf, case, expires, token)

    def session(self, token: str) -> Session:
        """The live session of a cookie value (and mark it used); InvalidCredentials if none."""
        now = self.clock()
        with connect(self.path) as conn:
            row = conn.execute(
                "SELECT s.*, u.role, u.disabled, u.created_at AS u_created FROM sessions s "
                "JOIN users u ON u.username = s.username WHERE s.token_hash=?",
                (_digest(token),)).fetchone()
            if row is None:
                raise InvalidCredentials("no such session; log in again")
            expired = row["expires_at"] < now or row["last_seen"] + self.session_idle < now or row["disabled"]
            if expired:
                conn.execute("DELETE FROM sessions WHERE token_hash=?", (row["token_hash"],))
            else:
                conn.execute("UPDATE sessions SET last_seen=? WHERE token_hash=?", (now, row["token_hash"]))
        if expired:
            raise InvalidCredentials("session expired; log in again")
        user = User(row["username"], row["role"], bool(row["disabled"]), row["u_created"])
        return Session(user, row["csrf"], row["case_ref"], row["expires_at"])

    def set_case_ref(self, token: str, case_ref: str) -> Session:
        case = check_case_ref(case_ref)
        self.session(token)
        with connect(self.path) as conn:
            conn.execute("UPDATE sessions SET case_ref=? WHERE token_hash=?", (case, _digest(token)))
        return self.session(token)

    def end_session(self, token: str) -> None:
        with connect(self.path) as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash=?", (_digest(token),))

    # --- API tokens ----------------------------------------------------------------------------
    def create_token(self, username: str, name: str, *, ttl_days: float | None = 90) -> tuple[str, dict[str, Any]]:
        """A new API token for the user: (secret shown once, its public record)."""
        if self.get(username).disabled:
            raise AuthError(f"user {username!r} is disabled")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id, now = secrets.token_hex(6), self.clock()
        expires = now + ttl_days * 86400 if ttl_days else None
        with connect(self.path) as conn:
            conn.execute("INSERT INTO tokens VALUES (?,?,?,?,?,?,0)",
                         (token_id, _digest(secret), username, name[:80], now, expires))
        return secret, {"id": token_id, "name": name[:80], "username": username, "created_at": now,
                        "expires_at": expires, "revoked": False}

    def user_for_token(self, secret: str) -> User:
        """The owner of a live token; InvalidCredentials when unknown, revoked or expired."""
        with connect(self.path) as conn:
            row = conn.execute(
                "SELECT t.expires_at, t.revoked, u.* FROM tokens t JOIN users u ON u.username = t.username "
                "WHERE t.token_hash=?", (_digest(secret),)).fetchone()
        if row is None or row["revoked"] or row["disabled"]:
            raise InvalidCredentials("invalid API token")
        if row["expires_at"] is not None and row["expires_at"] < self.clock():
            raise InvalidCredentials("API token expired")
        return self._user(row)

    def tokens(self, username: str | None = None) -> list[dict[str, Any]]:
        with connect(self.path) as conn:
            rows = conn.execute(
                "SELECT id, name, username, created_at, expires_at, revoked FROM tokens "
                + ("WHERE username=? " if username else "") + "ORDER BY created_at",
                (username,) if username else ()).fetchall()
        return [dict(r) | {"revoked": bool(r["revoked"])} for r in rows]

    def revoke_token(self, token_id: str, *, username: str | None = None) -> None:
        """Revoke a token (only the owner's, when `username` is given); NotFound otherwise."""
        with connect(self.path) as conn:
            sql, args = "UPDATE tokens SET revoked=1 WHERE id=?", [token_id]
            if username:
                sql, args = sql + " AND username=?", [token_id, username]
            if conn.execute(sql, args).rowcount == 0:
                raise NotFound(f"no token {token_id!r}")
