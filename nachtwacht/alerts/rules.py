"""Alert rules and delivery channels (`config/alerts/*.yaml`): schema, loading, errors with file and line.

A rule file holds `channels:` (where events go) and `rules:` (what raises them); every file of a
folder is read and merged, names must be unique across files. Secrets (SMTP password, webhook
key) are never in the file: the file names the environment variable that holds them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawlers.yamlconfig import line_of, load_yaml_model
from nachtwacht.alerts._safe_regex import check_pattern
from nachtwacht.alerts.exceptions import RuleError

__all__ = ["SEVERITIES", "Channel", "Rule", "RuleSet", "load_rules", "parse_duration"]

SEVERITIES = ("info", "low", "medium", "high", "critical")
Severity = Literal["info", "low", "medium", "high", "critical"]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_NAME = r"^[a-z0-9][a-z0-9_.-]*$"


def parse_duration(value: int | float | str) -> float:
    """Seconds from a number or "30s", "15m", "12h", "7d", "2w"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 15m, 12h, 7d)")
    return float(match.group(1)) * _SECONDS[match.group(2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- channels ---------------------------------------------------------------------------------
class _ChannelBase(_Strict):
    name: str = Field(pattern=_NAME)
    min_severity: Severity = "info"
    attempts: int = Field(4, ge=1, le=20, description="delivery attempts before dead-lettering")
    backoff: float = Field(2.0, ge=0, le=3600, description="seconds before the 2nd attempt; doubles")
    timeout: float = Field(10.0, gt=0, le=300, description="seconds per attempt")


class SmtpChannel(_ChannelBase):
    type: Literal["smtp"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False
    username: str = ""
    password_env: str = ""  # environment variable holding the SMTP password
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[Nachtwacht]"
    ca_file: str = ""  # CA bundle to verify the server (default: the system's)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WebhookChannel(_ChannelBase):
    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_env: str = ""  # environment variable holding the HMAC-SHA256 key
    headers: dict[str, str] = {}


class FileChannel(_ChannelBase):
    type: Literal["file"]
    path: str  # JSON Lines, appended; relative paths are under the data directory


class HookChannel(_ChannelBase):
    """A channel a plugin provides (`nachtwacht_alert_channels` in nachtwacht/hookspecs.py)."""

    type: Literal["hook"]
    kind: str
    options: dict[str, Any] = {}


Channel = Annotated[SmtpChannel | WebhookChannel | FileChannel | HookChannel, Field(discriminator="type")]


# --- rules ------------------------------------------------------------------------------------
class _RuleBase(_Strict):
    name: str = Field(pattern=_NAME)
    description: str = ""
    enabled: bool = True
    severity: Severity = "medium"
    notify: list[str] | None = None  # channel names; None = every channel
    dedupe_window: float = Field(7 * 86400, ge=0, description="one event per rule and entity per window")
    rate_limit: int = Field(0, ge=0, description="events per hour delivered for this rule; 0 = no limit")
    sites: list[str] = []  # only these sites (empty: all)

    @field_validator("dedupe_window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)


class NewVendorRule(_RuleBase):
    type: Literal["new_vendor"]


class VendorLinkRule(_RuleBase):
    type: Literal["vendor_link"]
    min_confidence: float = Field(0.5, ge=0, le=1)


class NewListingRule(_RuleBase):
    type: Literal["new_listing"]
    severity: Severity = "low"
    include_baseline: bool = False  # also on a site's first crawl (floods: every listing is new)


class PriceChangeRule(_RuleBase):
    type: Literal["price_change"]
    threshold_pct: float = Field(20.0, gt=0, description="percent change that raises an event")


class ListingGoneRule(_RuleBase):
    type: Literal["listing_gone"]
    severity: Severity = "low"


class MarketDownRule(_RuleBase):
    type: Literal["market_down"]
    severity: Severity = "high"
    unreachable_crawls: int = Field(3, ge=1, description="consecutive crawls with no page")
    vanished_fraction: float = Field(0.5, gt=0, le=1, description="share of listings gone in one crawl")
    min_listings: int = Field(10, ge=1, description="listings known before the fraction counts")


class RecruitmentRule(_RuleBase):
    type: Literal["recruitment"]
    severity: Severity = "high"
    min_score: float = Field(0.5, ge=0, le=1)


class WatchlistRule(_RuleBase):
    type: Literal["watchlist"]
    severity: Severity = "high"
    wallets: list[str] = []
    pgp: list[str] = []
    handles: list[str] = []
    onions: list[str] = []
    keywords: list[str] = []
    regexes: list[str] = []
    kinds: list[Literal["listing", "post", "vendor"]] = ["listing", "post", "vendor"]

    @field_validator("regexes")
    @classmethod
    def _safe(cls, values: list[str]) -> list[str]:
        for value in values:
            check_pattern(value)
        return values

    @model_validator(mode="after")
    def _not_empty(self) -> WatchlistRule:
        if not any((self.wallets, self.pgp, self.handles, self.onions, self.keywords, self.regexes)):
            raise ValueError("a watch list needs at least one of wallets, pgp, handles, onions, keywords, "
                             "regexes")
        return self


class SavedSearchRule(_RuleBase):
    type: Literal["saved_search"]
    query: str
    kind: Literal["listing", "post", "vendor"] | None = "listing"

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        from indexer import IndexerError, compile_matcher

        try:
            compile_matcher(value)
        except IndexerError as exc:
            raise ValueError(str(exc)) from exc
        return value


class HubRule(_RuleBase):
    """Logistics hubs to watch (issue 12): a new listing or post naming one of `hubs` (canonical
    names of config/lexicons/logistics.yaml, or a phrase naming one), of `kinds`, or in `countries`."""

    type: Literal["hub"]
    hubs: list[str] = []
    kinds: list[Literal["seaport", "airport", "postal", "locker", "method"]] = []
    countries: list[str] = []
    on: list[Literal["listing", "post"]] = Field(["listing", "post"], min_length=1)
    new_only: bool = True  # only documents seen for the first time (False: every sighting, deduplicated)

    @model_validator(mode="before")
    @classmethod
    def _yaml11_on(cls, data: Any) -> Any:
        """YAML 1.1 reads the key `on` as the boolean true: give it its name back."""
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @field_validator("hubs")
    @classmethod
    def _known_hubs(cls, values: list[str]) -> list[str]:
        from nachtwacht.alerts.hubs import canonical_hubs

        return canonical_hubs(values)

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        out = [v.strip().upper() for v in values]
        bad = [v for v in out if not re.fullmatch(r"[A-Z]{2}", v)]
        if bad:
            raise ValueError(f"countries are ISO 3166-1 alpha-2 codes (NL, BE, FR, ES), got {bad[0]!r}")
        return out

    @model_validator(mode="after")
    def _not_empty(self) -> HubRule:
        if not any((self.hubs, self.kinds, self.countries)):
            raise ValueError("a hub rule needs at least one of hubs, kinds, countries")
        return self


Rule = Annotated[NewVendorRule | VendorLinkRule | NewListingRule | PriceChangeRule | ListingGoneRule
                 | MarketDownRule | RecruitmentRule | WatchlistRule | SavedSearchRule | HubRule,
                 Field(discriminator="type")]


class RuleFile(_Strict):
    channels: list[Channel] = []
    rules: list[Rule] = []


class RuleSet(BaseModel):
    """Every rule and channel of the loaded files; `sources` maps names to "file:line"."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rules: list[Any] = []
    channels: list[Any] = []
    sources: dict[str, str] = {}

    def of_type(self, rule_type: str) -> list[Any]:
        return [r for r in self.rules if r.type == rule_type and r.enabled]

    def rule(self, name: str) -> Any:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def channels_for(self, rule: Any) -> list[Any]:
        """Channels an event of `rule` goes to (named in `notify`, or all), by severity."""
        rank = SEVERITIES.index(rule.severity)
        chosen = self.channels if rule.notify is None else [c for c in self.channels if c.name in rule.notify]
        return [c for c in chosen if SEVERITIES.index(c.min_severity) <= rank]


_TAGS = {"smtp", "webhook", "file", "hook", "new_vendor", "vendor_link", "new_listing", "price_change",
         "listing_gone", "market_down", "recruitment", "watchlist", "saved_search", "hub"}


def _field_name(loc: tuple[Any, ...], data: Any) -> str:
    """Readable field path: rules[2](watch-x).regexes[0] rather than rules.2.watchlist.regexes.0."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(key, str) and key in _TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue  # the discriminator tag pydantic adds for unions
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            label = f"[{key}]" + (f"({name})" if name else "")
            parts[-1:] = [(parts[-1] if parts else "") + label]
            node = item
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(str(key))
    return ".".join(parts)


def load_rule_file(path: str | Path) -> RuleFile:
    """Load and validate one rule file. Raises `RuleError` naming file, line and field."""
    return load_yaml_model(path, RuleFile, error=RuleError, empty={},
                           expected="a mapping with `channels:` and `rules:`", field_name=_field_name)


def load_rules(*paths: str | Path) -> RuleSet:
    """Load rule files and folders (every `*.yaml`/`*.yml` in them, sorted) into one `RuleSet`.

    Raises `RuleError` on the first invalid file, a duplicate name, or a rule naming a channel
    that no file defines.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p]
    rules: list[Any] = []
    channels: list[Any] = []
    sources: dict[str, str] = {}
    for file in files:
        loaded = load_rule_file(file)
        node = yaml.compose(file.read_text(encoding="utf-8"))
        for section, items in (("channels", loaded.channels), ("rules", loaded.rules)):
            for i, item in enumerate(items):
                key = f"{section}:{item.name}"
                line = line_of(node, (section, i))
                if key in sources:
                    raise RuleError(f"duplicate name {item.name!r} (first defined at {sources[key]})",
                                    path=str(file), line=line, field=f"{section}[{i}].name")
                sources[key] = f"{file}:{line}"
        rules += loaded.rules
        channels += loaded.channels
    known = {c.name for c in channels}
    for rule in rules:
        for name in rule.notify or ():
            if name not in known:
                where = sources[f"rules:{rule.name}"]
                file, _, line = where.rpartition(":")
                raise RuleError(f"unknown channel {name!r} (known: {sorted(known) or 'none'})",
                                path=file, line=int(line) if line.isdigit() else None,
                                field=f"rules({rule.name}).notify")
    return RuleSet(rules=rules, channels=channels, sources=sources)
