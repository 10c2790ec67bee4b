"""Users, roles, API tokens, browser sessions, CSRF and login throttling; saved searches, watch lists.

State lives in ``<data_dir>/state/users.sqlite``. Passwords are argon2id hashes; tokens and
session cookies are stored only as SHA-256 digests.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from nachtwacht.exceptions import NotFound

from ._items import ITEM_TYPES, WATCH_KINDS, UserItems
from ._roles import PERMISSIONS, ROLES, permissions_of
from ._store import CASE_REF_RE, Session, User, UserStore, check_case_ref
from .exceptions import AuthError, Forbidden, InvalidCredentials, LoginThrottled, UserExists

__all__ = [
    "CASE_REF_RE",
    "ITEM_TYPES",
    "PERMISSIONS",
    "ROLES",
    "WATCH_KINDS",
    "AuthError",
    "Forbidden",
    "InvalidCredentials",
    "LoginThrottled",
    "Session",
    "User",
    "UserExists",
    "UserItems",
    "UserStore",
    "check_case_ref",
    "ensure_demo_user",
    "permissions_of",
]

DEMO_USER = "demo"


def ensure_demo_user(data_dir: str | Path) -> tuple[str, str]:
    """Create (or reset) the demo user of a data directory; returns (username, password).

    Role admin, so the demo shows every page. The password is new on every call.
    """
    store = UserStore(data_dir)
    password = secrets.token_urlsafe(12)
    try:
        store.get(DEMO_USER)
        store.update(DEMO_USER, password=password, role="admin", disabled=False)
    except NotFound:
        store.create_user(DEMO_USER, password, "admin")
    return DEMO_USER, password
