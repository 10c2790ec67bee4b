"""Errors of distributed crawling.

CrawlError (crawlers.exceptions)
 └── DistributedError       Redis is unreachable or a job's shared state is unusable
"""

from __future__ import annotations

from crawlers.exceptions import CrawlError

__all__ = ["DistributedError"]


class DistributedError(CrawlError):
    """Shared crawl state in Redis cannot be used; carries the Redis URL (without password)."""

    def __init__(self, message: str, *, redis_url: str = ""):
        self.redis_url = redis_url
        super().__init__(f"{message} ({redis_url})" if redis_url else message)
