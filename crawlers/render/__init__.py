"""JavaScript pages through Tor: one Chromium per crawler (scrapy-playwright), one Tor SocksPort per
browser context, nothing unproxied; anti-bot interstitials; operator-imported sessions."""

from crawlers.render.interstitial import Interstitial, detect_interstitial
from crawlers.render.launch import browser_settings, context_kwargs, launch_options

__all__ = ["Interstitial", "browser_settings", "context_kwargs", "detect_interstitial", "launch_options"]
