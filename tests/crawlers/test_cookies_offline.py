"""The cookie middleware must never fetch the public suffix list (a clear-web request outside Tor)."""

from __future__ import annotations

import socket
import sys

import scrapy.downloadermiddlewares.cookies as scrapy_cookies
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawlers.middlewares.cookies import OFFLINE_SUFFIXES, OfflineCookiesMiddleware


def test_suffix_checks_use_the_bundled_snapshot_without_network(monkeypatch):
    lookups: list[object] = []

    def record(event: str, args: tuple) -> None:
        if event in ("socket.getaddrinfo", "socket.connect"):
            lookups.append(args)

    sys.addaudithook(record)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
    assert scrapy_cookies._split_domain is OFFLINE_SUFFIXES
    fresh = type(OFFLINE_SUFFIXES)(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    assert fresh("shop.example.co.uk").suffix == "co.uk"
    crawler = get_crawler(settings_dict={"COOKIES_ENABLED": True})
    middleware = OfflineCookiesMiddleware.from_crawler(crawler)
    request = Request("http://market.example.co.uk/")
    response = Response("http://market.example.co.uk/", headers={"Set-Cookie": "sid=1; Domain=.co.uk"},
                        request=request)
    middleware.process_response(request, response)
    follow = Request("http://other.example.co.uk/")
    middleware.process_request(follow)
    assert b"sid=1" not in (follow.headers.get(b"Cookie") or b"")  # a public-suffix cookie is refused
    assert lookups == []
