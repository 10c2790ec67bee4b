"""Request and response bodies of the API (pydantic), so the OpenAPI schema says what is accepted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CaseIn", "LoginIn", "LoginOut", "SavedSearchIn", "SearchOut", "TokenIn", "UserIn", "UserPatch",
    "WatchIn",
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
