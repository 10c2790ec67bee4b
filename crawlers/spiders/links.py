"""Links to follow from an HTML response: the set Scrapy's `LinkExtractor` gives, at a fraction of its cost.

`MarketSpider` used `LinkExtractor(unique=True, deny_extensions=None, canonicalize=False)`. Per page it
walked every element in Python, built a `Link` (with the anchor's text) per href and parsed URLs
several times; it was ~9% of a crawl's main-process time. `extract_links` keeps its rules:
`<a href>` and `<area href>` in document order, HTML5 whitespace stripped, joined to the page's
`<base href>` (else the page URL), made safe (`w3lib.url.safe_url_string` in the page encoding), joined
to the page URL, only http/https/file/ftp, no URL with one of Scrapy's `IGNORED_EXTENSIONS`, each URL once
(fragments kept: the spider drops them). `tests/crawlers/test_links.py` proves the same list on the demo sites.

Most hrefs are absolute paths or absolute http(s) URLs; for those `urljoin` reads only the scheme
and host of the base and page URLs, so both joins are cached per (origin, string) and menus repeated on
every page cost dict look-ups (`_origin_only` says when; other hrefs take the general path, and
`test_links.py` checks both paths agree).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy.http import TextResponse

__all__ = ["extract_links"]

_SCHEMES = frozenset({"http", "https", "file", "ftp"})
_DENY_EXTENSIONS = tuple(sorted({"." + e for e in IGNORED_EXTENSIONS}))  # str.endswith takes a tuple


@lru_cache(maxsize=65_536)  # pure; menus repeat the same URLs on every page
def _allowed(url: str) -> bool:
    """`LinkExtractor`'s filter: a followable scheme, a path not ending in an ignored extension."""
    if url.split("://", 1)[0] not in _SCHEMES:
        return False
    return not urlparse(url).path.lower().endswith(_DENY_EXTENSIONS)


@lru_cache(maxsize=65_536)
def _safe(url: str, encoding: str) -> str | None:
    """`safe_url_string` (pure; site menus repeat the same absolute URLs on every page), None if bogus."""
    try:
        return safe_url_string(url, encoding=encoding)
    except ValueError:
        return None


def _join_safe(base_url: str, value: str, encoding: str) -> str | None:
    """`value` joined to the base URL and made safe, None when bogus."""
    try:
        url = urljoin(base_url, value)
    except ValueError:
        return None  # bogus link
    return _safe(url, encoding)


def _join_page(page_url: str, safe: str) -> str | None:
    """A safe URL joined to the page URL, None when not followable."""
    url = urljoin(page_url, safe)
    return url if _allowed(url) else None


def _resolve(base_url: str, page_url: str, value: str, encoding: str) -> str | None:
    """The followable URL of one stripped href, None when bogus or not followable (general path)."""
    safe = _join_safe(base_url, value, encoding)
    return None if safe is None else _join_page(page_url, safe)


# The same functions, called with origins for origin-only strings (see `_origin_only`): cached.
_join_safe_by_origin = lru_cache(maxsize=65_536)(_join_safe)
_join_page_by_origin = lru_cache(maxsize=65_536)(_join_page)


def _origin(url: str) -> str | None:
    """`scheme://host` of an http(s) URL, None for any other (or unparsable) URL."""
    try:
        parts = urlparse(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


_NETLOC_END = frozenset("/?#")


def _origin_only(value: str) -> bool:
    """True when `urljoin(base, value)` reads only the scheme and host of `base`: an absolute path,
    or `//host`, `http://host`, `https://host` with a non-empty host. Tabs and newlines (which
    urlsplit deletes, which could empty the host) are left to the general path."""
    if "\t" in value or "\n" in value or "\r" in value:
        return False
    if value.startswith("//"):
        rest = value[2:]
    elif value.startswith("/"):
        return True
    elif value.startswith("http://"):
        rest = value[7:]
    elif value.startswith("https://"):
        rest = value[8:]
    else:
        return False
    return bool(rest) and rest[0] not in _NETLOC_END


def extract_links(response: TextResponse) -> list[str]:
    """Absolute URLs of the `<a>`/`<area>` hrefs of `response`, each once, in document order.

    Raises what lxml/parsel raise on a body they cannot parse (the spider counts and skips it).
    """
    base_url = get_base_url(response)
    page_url = response.url
    encoding = response.encoding
    base_origin = _origin(base_url)
    page_origin = _origin(page_url)
    root = response.selector.root  # parsed once per response; the same tree LinkExtractor walked
    seen_values: set[str] = set()
    seen_urls: set[str] = set()
    links: list[str] = []
    for element in root.iter("a", "area"):
        value = element.get("href")
        if value is None or value in seen_values:
            continue
        seen_values.add(value)  # same attribute value, same URL: computed once per page
        value = strip_html5_whitespace(value)
        if base_origin is not None and _origin_only(value):
            safe = _join_safe_by_origin(base_origin, value, encoding)
        else:
            safe = _join_safe(base_url, value, encoding)
        if safe is None:
            continue
        if page_origin is not None and _origin_only(safe):
            url = _join_page_by_origin(page_origin, safe)
        else:
            url = _join_page(page_url, safe)
        if url is None or url in seen_urls:
            continue
        seen_urls.add(url)
        links.append(url)
    return links
