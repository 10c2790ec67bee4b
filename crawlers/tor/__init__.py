"""Tor for the crawl layer: stem control, tor processes, SOCKS error codes, private test network.

Blocking stem calls live in ``control.py`` only; call them off the reactor thread.
"""

from crawlers.tor.control import TorControl, TorStatus, split_endpoint
from crawlers.tor.exceptions import (
    OnionUnreachable,
    TestNetworkError,
    TorControlError,
    TorError,
    TorRefused,
    TorUnavailable,
)

__all__ = [
    "OnionUnreachable",
    "TestNetworkError",
    "TorControl",
    "TorControlError",
    "TorError",
    "TorRefused",
    "TorStatus",
    "TorUnavailable",
    "split_endpoint",
]
