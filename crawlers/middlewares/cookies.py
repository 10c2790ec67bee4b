"""Cookies without a network side door.

Scrapy's `CookiesMiddleware` splits domains with a module-level `tldextract.TLDExtract`, which on
first use downloads the public suffix list over the clear web, outside Tor (DNS and HTTPS to
publicsuffix.org leak the crawler's address and timing). This middleware is the stock one with that
extractor replaced by one that only reads the snapshot bundled with tldextract.
"""

from __future__ import annotations

import scrapy.downloadermiddlewares.cookies as scrapy_cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from tldextract import TLDExtract

__all__ = ["OFFLINE_SUFFIXES", "OfflineCookiesMiddleware"]

OFFLINE_SUFFIXES = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
# The stock middleware looks the extractor up in its module at call time: replace it there.
scrapy_cookies._split_domain = OFFLINE_SUFFIXES


class OfflineCookiesMiddleware(CookiesMiddleware):
    """`CookiesMiddleware` whose public-suffix checks never touch the network."""
