"""Errors of the Tor layer (a branch of the crawl layer's hierarchy).

CrawlError                      (crawlers.exceptions)
 └── TorError                   anything Tor-related went wrong
      ├── TorUnavailable        no usable Tor: not configured, SOCKS port closed, not bootstrapped
      │    └── TorRefused       the fail-closed handler refused a request that would leave without Tor
      ├── OnionUnreachable      Tor works but the onion service cannot be reached (ExtendedErrors 0xF0-0xF7)
      ├── TorControlError       the control port refused us or answered nonsense
      └── TestNetworkError      the private test network could not be built or started
"""

from __future__ import annotations

from crawlers.exceptions import CrawlError


class TorError(CrawlError):
    """Root of the Tor errors."""


class TorUnavailable(TorError):
    """Tor cannot carry traffic right now (down, closed port, not bootstrapped, not configured)."""

    def __init__(self, message: str, *, endpoint: str = "", url: str = ""):
        self.endpoint = endpoint
        self.url = url
        super().__init__(message)


class TorRefused(TorUnavailable):
    """A request was about to leave without Tor; it was refused (fail closed)."""


class OnionUnreachable(TorError):
    """Tor is healthy but the destination is not: descriptor missing, intro failed, bad address."""

    def __init__(self, message: str, *, code: int, url: str = ""):
        self.code = code
        self.url = url
        super().__init__(message)


class TorControlError(TorError):
    """The control port could not be reached, authenticated, or answered an error."""


class TestNetworkError(TorError):
    """The private Tor network could not be built, started, or failed its privacy check."""

    __test__ = False  # not a pytest test class despite the name
