"""Errors of the crawl layer.

CrawlError
 ├── ConfigError        a site config (or job config) is invalid; names the file, line and field
 └── CrawlFailed        a crawl could not run (e.g. the site is unreachable, Tor is down)
"""

from __future__ import annotations


class CrawlError(Exception):
    """Root of the crawl layer's errors."""


class ConfigError(CrawlError):
    """A configuration file is invalid. The message names the file, line and field."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, field: str = ""):
        self.path = path
        self.line = line
        self.field = field
        where = path
        if line is not None:
            where = f"{where}:{line}"
        prefix = f"{where}: " if where else ""
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message)


class CrawlFailed(CrawlError):
    """A crawl could not run to completion."""
