"""Items that travel from the spiders through the pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extractors.model import Page

__all__ = ["CrawledPage"]


@dataclass(slots=True)
class CrawledPage:
    """One fetched page; `extraction` is filled in by `ExtractPipeline` (`extracted` once it ran:
    `extraction` stays None when it failed)."""

    page: Page
    frontier_url: str
    page_type_hint: str | None = None
    extraction: Any = None
    extracted: bool = False
