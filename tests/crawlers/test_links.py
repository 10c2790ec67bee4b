"""`crawlers.spiders.links.extract_links` gives the links Scrapy's `LinkExtractor` gave the spider."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawlers.spiders.links import extract_links
from nachtwacht.demomarket import generate

BASE = "http://127.0.0.1:8080"


def _scrapy_links(response: HtmlResponse) -> list[str]:
    """What `MarketSpider` used before: the reference."""
    extractor = LinkExtractor(unique=True, deny_extensions=None, canonicalize=False)
    return [link.url for link in extractor.extract_links(response)]


def _response(path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> HtmlResponse:
    return HtmlResponse(url=BASE + path, body=body, headers={"Content-Type": content_type})


def _demo_pages() -> list[tuple[str, str, HtmlResponse]]:
    pages = []
    for seed, generation in ((7, 0), (8, 1)):
        world = generate(seed, generation)
        for name, site in world.sites.items():
            for path in sorted(site.pages):
                reply = site.resolve(path)
                if "html" in reply.content_type:
                    pages.append((name, path, _response(path, reply.body, reply.content_type)))
    return pages


def test_same_links_as_scrapy_on_every_demo_page():
    pages = _demo_pages()
    assert len(pages) > 300  # three sites, two worlds
    followed = 0
    for name, path, response in pages:
        expected = _scrapy_links(response)
        assert extract_links(response) == expected, f"{name} {path}"
        followed += len(expected)
    assert followed > 3000  # the pages do link to each other: the comparison is not vacuous


TRICKY = b"""<!DOCTYPE html><html><head><base href="/sub/dir/"></head><body>
<a href="  rel/page.html\n">relative to base, whitespace</a>
<a href="/abs?q=1#frag">fragment kept</a><a href="/abs?q=1#other">other fragment</a>
<a href="/abs?q=1#frag">duplicate</a>
<a href="/file.PDF">ignored extension</a><a href="/archive.tar.gz">ignored</a><a href="/.pdf">dot file</a>
<a href="/path;params.pdf">params</a>
<a href="mailto:x@example.org">mail</a><a href="javascript:void(0)">js</a><a href="ftp://h/x">ftp</a>
<a href="/caf\xc3\xa9 menu">non-ascii and space</a><a href="http://[::1">bogus ipv6</a>
<a>no href</a><area href="/map-area" shape="rect"><link href="/not-a-link.css">
<A HREF="/upper">upper case tag</A><!-- <a href="/commented"> -->
<script>var a = '<a href="/in-script">';</script>
<a href="http://other.example/x">other host (the spider checks scope)</a>
</body></html>"""


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html; charset=latin-1", "text/html"])
def test_same_links_as_scrapy_on_tricky_markup(content_type):
    response = _response("/start/page", TRICKY, content_type)
    expected = _scrapy_links(response)
    assert extract_links(response) == expected
    assert BASE + "/sub/dir/rel/page.html" in expected  # the cases are exercised, not skipped
    assert BASE + "/map-area" in expected
    assert BASE + "/file.PDF" not in expected and BASE + "/archive.tar.gz" not in expected
    assert BASE + "/path;params.pdf" in expected  # Scrapy checks the path without ;params: so do we


HREF = st.lists(st.sampled_from([*"abz/.?#&=%:;@[]- \t\nAZ09é~\\\"'<>", "../", "//", "http:", ".pdf"]),
                max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(hrefs=st.lists(HREF, min_size=1, max_size=8), base=st.sampled_from(["", "/b/", "http://h.example/c/"]))
def test_same_links_as_scrapy_on_generated_hrefs(hrefs, base):
    from html import escape

    head = f'<base href="{escape(base)}">' if base else ""
    anchors = "".join(f'<a href="{escape(h)}">x</a>' for h in hrefs)
    response = _response("/p/q", f"<html><head>{head}</head><body>{anchors}</body></html>".encode())
    assert extract_links(response) == _scrapy_links(response)


PAGE_URL = st.builds(
    "".join,
    st.tuples(st.sampled_from(["http://", "https://", "HTTP://"]),
              st.sampled_from(["h.example", "u:p@h.example:8080", "127.0.0.1", "[::1]:81", "xn--caf-dma.onion"]),
              st.sampled_from(["", "/", "/a/b", "/a/b/", "/a;p", "/a/../b"]),
              st.sampled_from(["", "?q=1", "?", "#f"])),
)
ORIGIN_HREF = st.builds(
    "".join,
    st.tuples(st.sampled_from(["/", "//", "http://", "https://"]), HREF),
)


@settings(max_examples=500, deadline=None)
@given(value=ORIGIN_HREF, base=PAGE_URL, page=PAGE_URL, encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_origin_cache_resolves_like_the_full_urls(value, base, page, encoding):
    """Each join on origins gives what it gives with the whole URLs, whenever the cache is used."""
    from w3lib.html import strip_html5_whitespace

    from crawlers.spiders.links import (
        _join_page,
        _join_page_by_origin,
        _join_safe,
        _join_safe_by_origin,
        _origin,
        _origin_only,
    )

    value = strip_html5_whitespace(value)
    if not _origin_only(value):
        return
    safe = _join_safe(base, value, encoding)
    assert _join_safe_by_origin(_origin(base), value, encoding) == safe
    if safe is not None and _origin_only(safe):
        assert _join_page_by_origin(_origin(page), safe) == _join_page(page, safe)


def _rebuilt_links(response) -> list[str] | None:
    """What an extraction worker returns for `response` (it sees only class, URL, body, encoding)."""
    from crawlers.extraction_pool import page_links

    return page_links(response.body, response.url, (type(response).__name__, response.encoding))


def test_a_worker_rebuilds_the_same_links_from_class_url_body_and_encoding():
    from scrapy.http import TextResponse, XmlResponse

    pages = [response for _, _, response in _demo_pages()[:60]]
    for content_type in ("text/html; charset=utf-8", "text/html; charset=latin-1", "text/html"):
        pages.append(_response("/start/page", TRICKY, content_type))
    bom = b"\xef\xbb\xbf" + TRICKY.replace(b"charset", b"x")
    pages.append(_response("/bom", bom, "text/html; charset=latin-1"))  # the BOM wins over the header
    pages.append(TextResponse(BASE + "/t", body=TRICKY, headers={"Content-Type": "text/plain"}))
    pages.append(XmlResponse(BASE + "/x", body=b'<?xml version="1.0"?><r><a href="/x1">x</a></r>'))
    for response in pages:
        assert _rebuilt_links(response) == extract_links(response), response.url
    assert BASE + "/sub/dir/rel/page.html" in _rebuilt_links(pages[-5])


@settings(max_examples=100, deadline=None)
@given(hrefs=st.lists(HREF, min_size=1, max_size=8), encoding=st.sampled_from(["utf-8", "cp1252", "latin-1"]))
def test_a_worker_rebuilds_the_same_links_on_generated_hrefs(hrefs, encoding):
    from html import escape

    anchors = "".join(f'<a href="{escape(h)}">x</a>' for h in hrefs)
    body = f"<html><body>{anchors}</body></html>".encode(encoding, errors="replace")
    response = _response("/p/q", body, f"text/html; charset={encoding}")
    assert _rebuilt_links(response) == extract_links(response)


def test_links_a_worker_cannot_rebuild_are_none():
    from crawlers.extraction_pool import page_links

    assert page_links(b"<a href='/x'>x</a>", BASE + "/", ("NoSuchResponse", "utf-8")) is None
