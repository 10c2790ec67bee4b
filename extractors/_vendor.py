"""Vendor handles: from labels, profile links and profile-page titles, never invented."""

from __future__ import annotations

import functools
import re
from collections import Counter
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["clean_handle", "handle_from_url", "vendor_from_links", "vendor_from_title"]

_HANDLE_RE = re.compile(r"[A-Za-z0-9][\w.\-]{0,39}")
_STOP = frozenset({"vendor", "seller", "user", "profile", "store", "shop", "feedback", "the", "by",
                   "level", "trust", "member", "verified", "de", "le", "la", "el", "van", "anonymous",
                   "login", "logout", "register", "home", "view", "contact", "message", "unknown",
                   "edit", "settings", "add", "addblock", "addfavorite", "addfavorite_vendor", "admin"})
_PROFILE_PARAMS = frozenset({"u_id", "uid", "user", "username", "vendor", "seller", "ms_receiver",
                             "receiver", "ss_usr", "usr", "u", "v", "vendor_id", "seller_id", "name",
                             "member", "shop"})
_PROFILE_SEGMENTS = frozenset({"u", "user", "users", "vendor", "vendors", "seller", "sellers", "store",
                               "shop", "profile", "member", "members", "v", "s", "verkoper", "vendeur",
                               "vendedor"})


def clean_handle(value: str) -> str:
    """First handle-like token of a label value: ``nightowl - 0 sold since`` -> ``nightowl``,
    ``DrExample (100%)`` -> ``DrExample``. ``""`` when the value holds no handle."""
    value = value.strip().lstrip("@:-–» ").strip()
    m = _HANDLE_RE.match(value)
    if not m:
        return ""
    handle = m.group(0).rstrip(".-")
    if handle.casefold() in _STOP or handle.isdigit() or len(handle) < 2:
        return ""
    return handle


@functools.lru_cache(maxsize=8192)  # pure; a page asks about each of its links two or three times
def handle_from_url(href: str) -> str:
    """Handle in a profile-looking URL (``user.php?u_id=X``, ``/u/X``, ``/vendor/X``), else ``""``."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    for key, val in parse_qsl(parts.query):
        if key.lower() in _PROFILE_PARAMS and val:
            return clean_handle(unquote(val))
    segs = [unquote(s) for s in parts.path.split("/") if s]
    for i, seg in enumerate(segs[:-1]):
        if seg.lower() in _PROFILE_SEGMENTS and i + 2 >= len(segs) - 0:
            handle = clean_handle(segs[i + 1])
            if handle and handle == segs[i + 1]:
                return handle
    return ""


def vendor_from_links(links: list[tuple[str, str]], exclude: frozenset[str] = frozenset()) -> str:
    """Most linked-to profile handle on a page (the logged-in user excluded)."""
    votes: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for _text, href in links:
        handle = handle_from_url(href)
        if handle and handle.casefold() not in exclude:
            votes[handle.casefold()] += 1
            shown.setdefault(handle.casefold(), handle)
    if not votes:
        return ""
    best, _count = votes.most_common(1)[0]
    return shown[best]


_PROFILE_TITLE = re.compile(
    r"^\s*(?P<a>[\w.\-]{2,40})\s*(?:\([^)]*\)\s*)?(?:\s[|\-–:]\s|[|:])\s*(?:user |vendor |seller |public )?(?:profile|profiel|profil|perfil|store|shop|winkel|boutique|tienda)\b"
    r"|(?:profile|profiel|profil|perfil)\s*(?:of|van|de|von)?\s*[:|\-–]\s*(?P<b>[\w.\-]{2,40})",
    re.IGNORECASE,
)


def vendor_from_title(text: str) -> str:
    """Handle in a profile page title or heading (``X - User Profile``, ``Profile: X``)."""
    m = _PROFILE_TITLE.search(text)
    if not m:
        return ""
    return clean_handle(m.group("a") or m.group("b") or "")
