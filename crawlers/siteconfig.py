"""Site definitions (`config/sites/*.yaml`): schema, loading and clear errors with file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawlers.exceptions import ConfigError
from crawlers.yamlconfig import load_yaml_model

__all__ = ["FollowRule", "Limits", "Politeness", "SiteConfig", "load_site", "parse_size"]

PageType = Literal["listing", "vendor", "index", "forum_post", "forum_thread", "channel_message", "other"]
SELECTOR_FIELDS = {"title", "vendor", "price", "ships_from", "ships_to", "category", "description"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 10**6, "mb": 10**6,
          "mib": 2**20, "g": 10**9, "gb": 10**9, "gib": 2**30}


def parse_size(value: int | str) -> int:
    """Bytes from an int or a string like "5MB", "512 KiB"."""
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match or (match.group(2) is None and not str(value).strip().isdigit() and match.group(2) != ""):
        raise ValueError(f"not a size: {value!r} (use e.g. 5MB, 512KiB or a number of bytes)")
    unit = (match.group(2) or "").lower()
    if unit not in _UNITS:
        raise ValueError(f"unknown size unit in {value!r}")
    return int(float(match.group(1)) * _UNITS[unit])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FollowRule(_Strict):
    """Links whose URL (path and query) matches `pattern` are followed; `page_type` is a hint."""

    pattern: str
    page_type: PageType | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class Limits(_Strict):
    depth: int = Field(8, ge=0, description="link hops from a start URL")
    pages: int = Field(5000, ge=1, description="pages per crawl run")
    page_size: int = Field(5_000_000, ge=1024, description="bytes; larger bodies are dropped")
    pages_per_pattern: int = Field(200, ge=1, description="pages per URL shape (trap guard)")
    same_shape_chain: int = Field(25, ge=1, description="links in a row of one URL shape (calendars)")
    timeout: float = Field(60.0, gt=0, description="seconds per request (Tor is slow)")

    @field_validator("page_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)


class Politeness(_Strict):
    concurrency: int = Field(4, ge=1, le=64, description="parallel requests to this site")
    delay: float = Field(0.0, ge=0, description="seconds between requests")


class SiteConfig(_Strict):
    """One crawl target: where to start, what to follow, how far, how politely."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    base_url: str
    start_paths: list[str] = ["/"]
    allowed_hosts: list[str] = []
    via: Literal["tor", "direct"] = "tor"
    render: Literal["http", "js"] = "http"
    wait_for: str = ""  # render: js only: CSS selector that must appear before the page is captured
    language: Literal["nl", "fr", "es", "en"] | None = None
    kind: Literal["market", "forum", "channel"] = "market"
    follow: list[FollowRule] = []
    deny: list[str] = []
    limits: Limits = Limits()
    politeness: Politeness = Politeness()
    selectors: dict[str, str] = {}

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
        return value.rstrip("/")

    @field_validator("deny")
    @classmethod
    def _regexes(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
        return values

    @field_validator("selectors")
    @classmethod
    def _selector_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - SELECTOR_FIELDS
        if unknown:
            raise ValueError(f"unknown selector field(s) {sorted(unknown)}; known: {sorted(SELECTOR_FIELDS)}")
        return value

    @model_validator(mode="after")
    def _default_hosts(self) -> SiteConfig:
        if not self.allowed_hosts:
            object.__setattr__(self, "allowed_hosts", [urlsplit(self.base_url).hostname or ""])
        return self

    @property
    def start_urls(self) -> list[str]:
        return [self.base_url + (p if p.startswith("/") else "/" + p) for p in self.start_paths]

    def with_base_url(self, base_url: str) -> SiteConfig:
        """The same site served elsewhere (another port, an onion address)."""
        data = self.model_dump()
        data["base_url"] = base_url
        data["allowed_hosts"] = []
        return SiteConfig.model_validate(data)


def load_site(path: str | Path) -> SiteConfig:
    """Load and validate a site config. Raises `ConfigError` naming file, line and field."""
    return load_yaml_model(path, SiteConfig, error=ConfigError)
