"""`urljoin`, memoised: a page's menus and cards join the same few hundred hrefs to the same base on
every page of a site (~30 joins a page, 10% of extraction's time). Pure, so the cache changes nothing
but the time; bounded, so a long crawl's memory does not grow with it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin as _urljoin

__all__ = ["urljoin"]


@lru_cache(maxsize=65_536)
def urljoin(base: str, url: str) -> str:
    """`urllib.parse.urljoin(base, url)` (str arguments only)."""
    return _urljoin(base, url)
