"""Request and response bodies of the API (pydantic), so the OpenAPI schema says what is accepted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CaseIn", "JobIn", "LoginIn", "LoginOut", "SavedSearchIn", "ScheduleIn", "SearchOut", "StartIn",
    "TokenIn", "UserIn", "UserPatch", "WatchIn",
]

Kind = Literal["listing", "post", "vendor", "observation", "page", "any"]
Role = Literal["admin", "operator", "analyst", "auditor"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    case_ref: str = Field(default="", max_length=64, description="case reference for this session")


class LoginOut(BaseModel):
    username: str
    role: str
    permissions: list[str]
    case_ref: str
    csrf_token: str
    expires_at: float


class CaseIn(_Strict):
    case_ref: str = Field(min_length=1, max_length=64)


class SearchOut(BaseModel):
    query: str
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]] | None = None


class UserIn(_Strict):
    username: str = Field(min_length=2, max_length=32)
    password: str = Field(min_length=10, max_length=1024)
    role: Role


class UserPatch(_Strict):
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=1024)


class TokenIn(_Strict):
    name: str = Field(min_length=1, max_length=80)
    ttl_days: float | None = Field(default=90, gt=0, le=3650)


class SavedSearchIn(_Strict):
    name: str = Field(min_length=1, max_length=120)
    query: str = Field(min_length=1, max_length=2000)
    kind: Kind = "listing"


class WatchIn(_Strict):
    name: str = Field(default="", max_length=120)
    kind: Literal["vendor", "wallet", "pgp", "term", "product"]
    value: str = Field(min_length=1, max_length=256)


# --- crawl jobs ------------------------------------------------------------------------------------
class JobIn(_Strict):
    target: str = Field(min_length=1, max_length=2000, pattern=r"^(https?://[^\s]{1,2000}|[a-z0-9][a-z0-9_-]{0,79})$",
                        description="a start URL, or the name of a site config in config/sites/")
    name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$", description="job id")
    via: Literal["", "tor", "direct"] = ""
    base_url: str = Field(default="", max_length=2000, pattern=r"^(|https?://[^\s/]{1,255}/?)$",
                          description="serve the site config from another base URL")
    max_pages: int | None = Field(default=None, ge=1, le=10_000_000)
    depth: int | None = Field(default=None, ge=0, le=1000)
    schedule: str = Field(default="", max_length=100, description="`every 6h`, `@daily` or a cron expression")
    jitter: str = Field(default="0", max_length=20, description="random delay per run, e.g. 10m")
    case_ref: str = Field(default="", max_length=64, description="registered case (legal basis)")
    discovery: Literal["review", "follow", "off"] = "review"
    scope: list[str] = Field(default_factory=list, max_length=50)
    replace: bool = False


class ScheduleIn(_Strict):
    schedule: str = Field(max_length=100, description="`every 6h`, `@daily`, a cron expression, or '' (manual)")
    jitter: str = Field(default="0", max_length=20)


class StartIn(_Strict):
    fresh: bool = Field(default=False, description="start over instead of resuming pending pages")
