"""Errors of the demo market.

Hierarchy::

    DemoMarketError
     └── DemoServerError   a site could not be served (address in use, bad host)
"""

from __future__ import annotations

__all__ = ["DemoMarketError", "DemoServerError"]


class DemoMarketError(Exception):
    """Root of the demo market's errors."""


class DemoServerError(DemoMarketError):
    """A demo site could not be served."""
