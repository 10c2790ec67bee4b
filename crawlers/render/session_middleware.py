"""Downloader middleware: the operator-imported session of the crawled site, and only that site.

Order 690, just before the cookies middleware (700): the first request of a cookie jar to a host
the session covers carries the session's cookies in `Request.cookies`, which puts them into the
crawl's cookie jar; from then on the jar sends them (and keeps the site's own updates). Requests to
other hosts never see them. Browser requests get them through their context's `storage_state`
(`crawlers.render.middleware`). Values are never logged; the evidence middleware redacts the
`Cookie` and `Set-Cookie` headers it records.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from crawlers.middlewares.evidence import evidence_data_dir
from crawlers.render.sessions import SessionCookie, SessionStore

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["SessionMiddleware", "site_session"]

logger = logging.getLogger(__name__)


def site_session(crawler: Crawler) -> list[SessionCookie]:
    """The live cookies imported for the crawl's site (cached on the crawler; [] without one).

    Raises SessionError when a session exists but does not decrypt: crawling a login-walled site
    silently without the session the operator imported would look like the site changed.
    """
    cached = getattr(crawler, "_nachtwacht_session", None)
    if cached is not None:
        return cached
    spider = getattr(crawler, "spider", None)
    site = getattr(getattr(spider, "site", None), "name", "")
    data_dir = evidence_data_dir(crawler.settings, spider)
    cookies: list[SessionCookie] = []
    if site and data_dir is not None and crawler.settings.getbool("NACHTWACHT_SESSIONS", True):
        cookies = SessionStore(data_dir).load(site)
        if cookies:
            logger.info("using the imported session of %s: %d cookies for %s", site, len(cookies),
                        ", ".join(sorted({c.domain for c in cookies})))
            crawler.stats.set_value("session/cookies", len(cookies))
    crawler._nachtwacht_session = cookies  # type: ignore[attr-defined]
    return cookies


class SessionMiddleware:
    """Seeds each cookie jar with the site's session cookies, once per host. Setting:
    NACHTWACHT_SESSIONS (bool, default true) turns imported sessions off for a crawl."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._seeded: set[tuple[Any, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionMiddleware:
        if not crawler.settings.getbool("NACHTWACHT_SESSIONS", True):
            raise NotConfigured("NACHTWACHT_SESSIONS is off")
        if not crawler.settings.getbool("COOKIES_ENABLED", True):
            raise NotConfigured("cookies are disabled")
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        cookies = site_session(self.crawler)
        if not cookies or request.meta.get("dont_merge_cookies"):
            return None
        host = (urlsplit(request.url).hostname or "").lower()
        jar = request.meta.get("cookiejar")
        if (jar, host) in self._seeded:
            return None
        matching = [c.scrapy_cookie() for c in cookies if c.matches(host)]
        if not matching:
            return None
        self._seeded.add((jar, host))
        existing = request.cookies
        if isinstance(existing, dict):
            existing = [{"name": k, "value": v} for k, v in existing.items()]
        request.cookies = [*(existing or []), *matching]
        self.crawler.stats.inc_value("session/seeded")
        return None
