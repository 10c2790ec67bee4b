"""A demo site: pre-rendered pages plus dynamic routes, resolved from a request target."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from ._html import Reply, html_reply, redirect

__all__ = ["DemoSite", "Route"]

Route = tuple["re.Pattern[str]", Callable[["re.Match[str]"], Reply | None]]


@dataclass(slots=True)
class DemoSite:
    """Everything one server instance serves.

    ``pages`` maps a canonical target (path, plus the query keys in ``query_keys``
    sorted, e.g. ``/categorie/cocaine?pagina=2``) to the HTML bytes; ``redirects`` maps
    a path to a root-relative Location; ``routes`` are dynamic handlers tried in order.
    A page parameter equal to 1 (``page_param``) serves the page without it. Anything
    else is the site's 404 page: resolving never raises.

    ``members`` are pages behind the login wall: a request whose Cookie header carries
    ``member_cookie`` (``name=value``) gets them, any other falls through to ``redirects``
    (the wall). They are served, never stored in ``pages`` (not saved, not in the truth).
    """

    name: str
    lang: str
    pages: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    query_keys: tuple[str, ...] = ()
    page_param: str = ""
    not_found: bytes = b"<!DOCTYPE html><html><body><h1>404</h1></body></html>"
    assets: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (type, body)
    members: dict[str, Callable[[], Reply]] = field(default_factory=dict)  # path -> members' reply
    member_cookie: str = ""  # "name=value" of the session that opens ``members``

    def canonical(self, target: str) -> str:
        """The key under which ``target`` is stored (irrelevant query keys dropped)."""
        path, _, query = target.partition("?")
        path = path.partition("#")[0] or "/"
        kept = sorted((k, v) for k, v in parse_qsl(query.partition("#")[0]) if k in self.query_keys)
        if self.page_param:
            kept = [(k, v) for k, v in kept if not (k == self.page_param and v == "1")]
        if not kept:
            return path
        return path + "?" + "&".join(f"{k}={v}" for k, v in kept)

    def has_session(self, cookie_header: str) -> bool:
        """Whether a Cookie header carries the members' session cookie."""
        if not self.member_cookie:
            return False
        return any(part.strip() == self.member_cookie for part in cookie_header.split(";"))

    def resolve(self, target: str, cookie: str = "") -> Reply:
        """The reply for a request target (path and query, as sent on the request line);
        ``cookie`` is the request's Cookie header (opens ``members``)."""
        try:
            key = self.canonical(target)
        except ValueError:
            return html_reply(self.not_found, 404)
        page = self.pages.get(key)
        if page is not None:
            return html_reply(page)
        path = key.split("?", 1)[0]
        if path in self.members and self.has_session(cookie):
            return self.members[path]()
        if path in self.redirects:
            return redirect(self.redirects[path])
        if path in self.assets:
            ctype, body = self.assets[path]
            return Reply(200, ctype, body)
        for pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match:
                reply = handler(match)
                if reply is not None:
                    return reply
        return html_reply(self.not_found, 404)
