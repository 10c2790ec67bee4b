"""Pages of the Noordzee market that a plain HTTP crawler cannot read, for the browser tests.

Served by routes (not in ``pages``, not linked, not in the ground truth: crawls and counts of the
generated world are unchanged):

- ``/live/<id>``: the listing page ``/product/<id>`` delivered by JavaScript. The HTML sent holds
  only "Laden..." and a script that, after a short delay, writes the listing page (base64 in the
  script) into the document. Without a browser there is no listing to extract.
- ``/wachtrij``: an anti-DDoS queue page ("Even geduld, u staat in de wachtrij") that refreshes
  itself and never clears: an interstitial that must not be indexed as a listing.
- ``/account`` (the login wall, a redirect to ``/login``) opens for a request carrying the
  members' session cookie of the world (:func:`member_session`, derived from the seed): it then
  serves the members page (a members-only offer and a vendor message) and refreshes the cookie.
  This is what an operator-imported session must reach.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from ._html import Reply, html_reply
from ._site import DemoSite

__all__ = ["JS_PATH", "MEMBER_COOKIE", "QUEUE_PATH", "add_dynamic_pages", "add_member_pages", "member_session"]

JS_PATH = "/live/{id}"
QUEUE_PATH = "/wachtrij"
MEMBER_COOKIE = "nz_sessie"

_JS_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Noordzee Markt</title>
</head><body><div id="app">Laden...</div><script>
setTimeout(function () {{
  var bytes = Uint8Array.from(atob("{payload}"), function (c) {{ return c.charCodeAt(0); }});
  var page = new TextDecoder("utf-8").decode(bytes);
  document.open(); document.write(page); document.close();
}}, 150);
</script></body></html>"""

QUEUE_PAGE = (
    b'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">'
    b"<title>Even geduld</title></head><body><h1>Even geduld...</h1><p>U staat in de wachtrij "
    b"(positie 42). DDoS-bescherming controleert uw browser.</p></body></html>"
)


def add_dynamic_pages(site: DemoSite, listing_path: str = "/product/{id}") -> None:
    """Add the routes above to ``site``; ``/live/<id>`` exists for every listing page it has."""

    def live(match: re.Match[str]) -> Reply | None:
        page = site.pages.get(listing_path.format(id=match[1]))
        if page is None:
            return None
        return html_reply(_JS_PAGE.format(payload=base64.b64encode(page).decode()))

    site.routes.append((re.compile(r"/live/(\d{1,9})"), live))
    site.routes.append((re.compile(re.escape(QUEUE_PATH)), lambda m: html_reply(QUEUE_PAGE)))


def member_session(seed: int, site: str = "noordzee") -> tuple[str, str]:
    """(name, value) of the logged-in session cookie of ``site`` in the world of ``seed``:
    deterministic, so a test can write the cookies.txt an operator would export."""
    value = hashlib.sha256(f"nachtwacht-demo:{seed}:{site}:session".encode()).hexdigest()[:40]
    return MEMBER_COOKIE, value


def add_member_pages(site: DemoSite, seed: int, pages: dict[str, Callable[[], bytes]]) -> None:
    """Open ``pages`` (path -> HTML renderer) to requests carrying :func:`member_session`; each
    such reply refreshes the cookie (Set-Cookie), as a real market's session does."""
    name, value = member_session(seed, site.name)
    site.member_cookie = f"{name}={value}"
    refresh = (("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax"),)

    def serve(render: Callable[[], bytes]) -> Callable[[], Reply]:
        return lambda: Reply(status=200, body=render(), headers=refresh)

    site.members.update({path: serve(render) for path, render in pages.items()})
