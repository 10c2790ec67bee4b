"""The policy files: `config/rights.yaml` (legal basis, minimisation) and `config/retention.yaml`.

Both are validated with pydantic; an unknown key is an error naming the file, line and field.
A missing file means the defaults below (strict: a legal basis is required, personal data of
non-targets is pseudonymised, nothing is kept forever except the audit log).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nachtwacht import settings as app_settings
from nachtwacht.rights._yaml import load_model

__all__ = ["DATA_CLASSES", "Hold", "LegalBasisPolicy", "MinimisationPolicy", "RetentionPolicy",
           "RightsPolicy", "load_retention", "load_rights", "parse_days"]

#: Data classes of the retention policy, in the order `retention apply` handles them.
DATA_CLASSES = ("documents", "captures", "personal_data", "alerts", "audit_log")
_DAYS = re.compile(r"^\s*(\d+)\s*([dwy]?)\s*$")
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "y": 365}
_CASE_RE = r"^[A-Za-z0-9][A-Za-z0-9 ._/:#-]{0,63}$"


def parse_days(value: Any) -> int | None:
    """Days from `30`, "30d", "12w", "2y"; None for "forever" / null (kept without limit)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("forever", "never")):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    else:
        match = _DAYS.match(str(value))
        if not match:
            raise ValueError(f"not a retention period: {value!r} (use e.g. 90d, 26w, 2y or forever)")
        days = int(match.group(1)) * _UNIT_DAYS[match.group(2)]
    if days < 1:
        raise ValueError("a retention period is at least 1 day")
    return days


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- config/rights.yaml -------------------------------------------------------------------------
class LegalBasisPolicy(_Strict):
    required: bool = True  # False turns the check off for every crawl (never in production)
    exempt_loopback: bool = True  # targets on 127.0.0.0/8, ::1, localhost: local test and demo services
    exempt_sites: list[str] = []  # site names (exact) that need none: the bundled synthetic demo market
    max_validity_days: int = Field(730, ge=1, le=3650)  # an authorisation's expiry at most this far ahead


class MinimisationPolicy(_Strict):
    enabled: bool = True
    key_env: str = "NACHTWACHT_PSEUDONYM_KEY"  # environment variable holding the key (>= 32 chars)
    key_file: str = ""  # a file holding the key, outside the index; env NACHTWACHT_PSEUDONYM_KEY_FILE
    create_key: bool = True  # no key configured: create <data_dir>/keys/pseudonym.key (0600)
    post_authors: bool = True  # authors of posts that are not targets
    contact_kinds: list[Literal["phone", "email", "telegram", "wickr", "jabber", "session", "threema",
                                "signal"]] = ["phone", "email"]
    targets: list[str] = []  # handles never pseudonymised: the case's targets

    @field_validator("key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not re.match(r"^[A-Z_][A-Z0-9_]*$", value):
            raise ValueError("must be an environment variable name (A-Z, 0-9, _)")
        return value


class RightsPolicy(_Strict):
    legal_basis: LegalBasisPolicy = LegalBasisPolicy()
    minimisation: MinimisationPolicy = MinimisationPolicy()


# --- config/retention.yaml ----------------------------------------------------------------------
class Periods(_Strict):
    """Days each data class is kept after it was last seen (None: kept without limit)."""

    documents: int | None = 365  # listings, posts, pages, observations, vendor profiles
    captures: int | None = 365  # evidence WARC files, after they were sealed
    personal_data: int | None = 180  # pseudonym vault entries (re-identification), after last use
    alerts: int | None = 730  # alert events, after they were last raised
    audit_log: int | None = 3650  # kept at least this long; the log itself is append-only

    @field_validator("*", mode="before")
    @classmethod
    def _days(cls, value: Any) -> int | None:
        return parse_days(value)


class Hold(_Strict):
    """A legal hold: everything captured under `case` is kept past its retention, until `until`."""

    case: str = Field(pattern=_CASE_RE)
    reason: str = Field(min_length=3)
    until: date | None = None  # None: until released


class RetentionPolicy(_Strict):
    retention: Periods = Periods()
    holds: list[Hold] = []


def _config(name: str, path: str | Path | None) -> Path:
    return Path(path) if path else app_settings.config_dir() / name


def load_rights(path: str | Path | None = None) -> RightsPolicy:
    """`config/rights.yaml` (or `path`); the strict defaults when the file does not exist."""
    file = _config("rights.yaml", path)
    if path is None and not file.exists():
        return RightsPolicy()
    return load_model(file, RightsPolicy)


def load_retention(path: str | Path | None = None) -> RetentionPolicy:
    """`config/retention.yaml` (or `path`); the defaults when the file does not exist."""
    file = _config("retention.yaml", path)
    if path is None and not file.exists():
        return RetentionPolicy()
    return load_model(file, RetentionPolicy)
