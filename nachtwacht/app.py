"""The application layer: one object the CLI, the API and the jobs call. No parsing, no query logic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawlers.runner import CrawlJob, CrawlSummary, run_crawls
from crawlers.siteconfig import SiteConfig, load_site
from nachtwacht import settings as app_settings

__all__ = ["Nachtwacht"]


class Nachtwacht:
    """Wires crawlers, extractors and indexer over one data directory."""

    def __init__(self, data_dir: str | Path | None = None, *, backend: str | None = None,
                 backend_url: str | None = None):
        self.data_dir = app_settings.data_dir(data_dir)
        self.backend_settings = app_settings.backend_settings(self.data_dir, backend, backend_url)

    # --- crawling ------------------------------------------------------------------------------
    def load_site(self, path: str | Path) -> SiteConfig:
        return load_site(path)

    def crawl(self, sites: list[SiteConfig], *, via: str | None = None, max_pages: int | None = None,
              job_id: str | None = None, fresh: bool = False, tor_socks: list[str] | None = None,
              tor_control: list[str] | None = None,
              progress: Callable[[str, dict[str, Any]], None] | None = None,
              overrides: dict[str, Any] | None = None) -> list[CrawlSummary]:
        """Crawl the sites (concurrently, one process) into this data directory's index."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        jobs = [CrawlJob(site=s, job_id=job_id if job_id and len(sites) == 1 else "", via=via or "",
                         max_pages=max_pages, fresh=fresh) for s in sites]
        return run_crawls(jobs, data_dir=self.data_dir, tor_socks=tor_socks, tor_control=tor_control,
                          backend=self.backend_settings, progress=progress,
                          overrides={**self.alert_settings(), **(overrides or {})})

    def alert_settings(self) -> dict[str, Any]:
        """Scrapy settings that turn on alerting (issue 6) with the rules in `config/alerts/`."""
        from crawlers import settings as crawl_defaults

        return {"EXTENSIONS": {**crawl_defaults.EXTENSIONS, "nachtwacht.alerts.extension.AlertExtension": 600},
                "NACHTWACHT_ALERT_RULES": [str(app_settings.config_dir() / "alerts")],
                "NACHTWACHT_ALERT_DATA": str(self.data_dir)}

    # --- reading -------------------------------------------------------------------------------
    def _reader(self) -> Any:
        from indexer import get_backend

        return get_backend(self.backend_settings, readonly=True)

    def search(self, query: str, *, kind: str | None = "listing", limit: int = 20,
               offset: int = 0) -> Any:
        """Search the index with the analysts' query language."""
        backend = self._reader()
        try:
            return backend.search(query, kind=kind, limit=limit, offset=offset)
        finally:
            backend.close()

    def vendors(self, *, query: str = "*", limit: int = 200) -> list[dict[str, Any]]:
        """Vendor profiles, most listings first."""
        backend = self._reader()
        try:
            result = backend.search(query, kind="vendor", limit=limit)
        finally:
            backend.close()
        return sorted(result.hits, key=lambda v: (-int(v.get("listing_count", 0)), v.get("vendor_id", "")))
