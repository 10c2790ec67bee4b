"""What every Nachtwacht spider takes: a site config, a job and its limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import scrapy

from crawlers.siteconfig import SiteConfig, load_site

__all__ = ["SiteSpider"]


class SiteSpider(scrapy.Spider):
    """Base of the site spiders (no `name`: Scrapy does not list it).

    Arguments: `site` (a `SiteConfig` or a YAML path), `job_dir` (where the job's state lives),
    `job_id`, `max_pages` (per run; the rest waits for the next run), `fresh` (start over).
    """

    def __init__(self, site: SiteConfig | str | None = None, job_dir: str | Path | None = None,
                 job_id: str = "", max_pages: int | str | None = None, fresh: bool | str = False,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if site is None:
            raise ValueError(f"{type(self).__name__} needs site=<config path>")
        self.site = site if isinstance(site, SiteConfig) else load_site(site)
        self.job_id = job_id or self.site.name
        self.job_dir = Path(job_dir or Path(".scrapy") / "jobs" / self.job_id)
        self.max_pages = int(max_pages) if max_pages else self.site.limits.pages
        self.fresh = str(fresh).lower() in ("1", "true", "yes")
        self.allowed_domains = list(self.site.allowed_hosts)
        self.resumed = False
