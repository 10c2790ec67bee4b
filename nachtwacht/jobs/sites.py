"""The site a job crawls: its target (a site config path or name, or a start URL) plus overrides."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.siteconfig import SiteConfig, load_site
from nachtwacht import settings as app_settings
from nachtwacht.jobs.exceptions import JobError
from nachtwacht.jobs.model import Job

__all__ = ["JOB_ID", "is_url", "normalise_target", "site_for", "slug"]

JOB_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def slug(text: str) -> str:
    """A job id from free text: lower-case letters, digits and dashes."""
    value = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    value = re.sub("-+", "-", value).strip("-")[:60]
    return value or "job"


def normalise_target(target: str) -> str:
    """A URL as given; a config path made absolute; a bare name looked up in `config/sites/`."""
    if is_url(target):
        return target
    path = Path(target)
    if path.exists():
        return str(path.resolve())
    named = app_settings.config_dir() / "sites" / f"{target}.yaml"
    if named.exists():
        return str(named)
    raise JobError(f"{target}: not a URL, a site config file, or a site name in {named.parent}")


def site_for(job: Job) -> SiteConfig:
    """The `SiteConfig` to crawl for `job`: loaded or built from a URL, then the job's overrides."""
    if is_url(job.target):
        parts = urlsplit(job.target)
        start = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        site = SiteConfig(name=job.site or slug(parts.hostname or "site"),
                          base_url=f"{parts.scheme}://{parts.netloc}", start_paths=[start],
                          via=job.via or "tor")  # type: ignore[arg-type]
    else:
        site = load_site(job.target)
    if job.base_url:
        site = site.with_base_url(job.base_url)
    data = site.model_dump()
    # Scrapy's allow_domains compares the netloc: a non-default port must be listed with it.
    netlocs = {urlsplit(u).netloc for u in (site.base_url, *site.start_urls)}
    data["allowed_hosts"] = list(dict.fromkeys([*site.allowed_hosts, *sorted(netlocs)]))
    if job.depth is not None:
        data["limits"]["depth"] = job.depth
    return SiteConfig.model_validate(data)
