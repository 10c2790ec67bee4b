"""Import a partner's MISP event (JSON) or STIX 2.1 bundle as a Nachtwacht watch list.

What can be watched for is taken: wallet addresses, PGP fingerprints, onion hostnames, handles
(user accounts, persons, threat actors and their aliases) and e-mail addresses (matched as
contacts). The watch list is written to `<data_dir>/watchlists/<name>.yaml`, validated by the
alert rule loader, and crawls of that data directory raise `watchlist` alerts on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from nachtwacht.exchange.exceptions import PartnerDataError

__all__ = ["PartnerWatchlist", "read_partner_file", "write_watchlist"]

_FPR = re.compile(r"^(?:0x)?[0-9A-Fa-f]{40}$")
_PATTERN = re.compile(r"([a-z0-9][a-z0-9-]*):([A-Za-z0-9_.\[\]'*-]+)\s*=\s*'((?:[^'\\]|\\.)*)'")
_WALLET_RELATIONS = {"address", "address-xmr", "address-crypto", "wallet-address"}
_WALLET_TYPES = {"btc", "xmr", "dash"}
_HANDLE_RELATIONS = {("user-account", "username"), ("user-account", "display-name"), ("person", "handle"),
                     ("person", "alias"), ("telegram-account", "username"), ("keybase-account", "username")}


@dataclass
class PartnerWatchlist:
    """Values to watch for, and where they came from."""

    source: str  # misp | stix
    title: str
    tlp: str = ""
    wallets: set[str] = field(default_factory=set)
    pgp: set[str] = field(default_factory=set)
    onions: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)

    def count(self) -> int:
        return len(self.wallets) + len(self.pgp) + len(self.onions) + len(self.handles)

    def add(self, kind: str, value: str) -> None:
        value = (value or "").strip()
        if not value:
            return
        if kind == "wallet":
            self.wallets.add(value)
        elif kind == "pgp" and _FPR.match(value.replace(" ", "")):
            self.pgp.add(value.replace(" ", "").upper().removeprefix("0X"))
        elif kind in ("onion", "domain", "url"):
            host = (urlsplit(value).hostname if "://" in value else value.split("/")[0]) or ""
            if host.lower().endswith(".onion"):
                self.onions.add(host.lower())
        elif kind in ("handle", "email"):
            self.handles.add(value)


def _from_misp(data: dict[str, Any]) -> PartnerWatchlist:
    from pymisp import MISPEvent

    event = MISPEvent()
    try:
        event.load(data)
    except Exception as exc:
        raise PartnerDataError(f"not a MISP event: {exc}") from None
    tlp = next((t.name for t in event.tags if t.name.lower().startswith("tlp:")), "")
    out = PartnerWatchlist("misp", str(event.info or "MISP event"), tlp)

    def attribute(a: Any, obj: str = "") -> None:
        rel, typ = getattr(a, "object_relation", None) or "", a.type
        if typ in _WALLET_TYPES or (obj in ("coin-address", "btc-wallet") and rel in _WALLET_RELATIONS):
            out.add("wallet", a.value)
        elif typ in ("onion-address", "domain", "hostname", "url", "link"):
            out.add("onion", a.value)
        elif (obj == "pgp-meta" and rel == "key-id") or (typ == "text" and _FPR.match(str(a.value))):
            out.add("pgp", a.value)
        elif (obj, rel) in _HANDLE_RELATIONS or typ in ("threat-actor", "jabber-id"):
            out.add("handle", a.value)
        elif typ in ("email", "email-src", "email-dst"):
            out.add("email", a.value)

    for a in event.attributes:
        attribute(a)
    for obj in event.objects:
        for a in obj.attributes:
            attribute(a, obj.name)
    return out


def _from_stix(data: dict[str, Any]) -> PartnerWatchlist:
    import stix2

    try:
        bundle = stix2.parse(data, allow_custom=True)
    except Exception as exc:
        raise PartnerDataError(f"not a STIX 2.1 bundle: {exc}") from None
    objects = list(getattr(bundle, "objects", None) or [])
    tlp = next((o.get("definition", {}).get("tlp", "") for o in objects if o.get("type") == "marking-definition"
                and o.get("definition_type") == "tlp"), "")
    out = PartnerWatchlist("stix", "STIX bundle " + str(bundle.get("id", "")), f"tlp:{tlp}" if tlp else "")
    for obj in objects:
        kind = obj.get("type")
        if kind == "indicator" and obj.get("pattern_type", "stix") == "stix":
            for sco, prop, value in _PATTERN.findall(obj.get("pattern", "")):
                value = value.replace("\\'", "'").replace("\\\\", "\\")
                if sco == "x-cryptocurrency-wallet" or "wallet" in sco:
                    out.add("wallet", value)
                elif sco == "x-pgp-key" or "pgp" in sco:
                    out.add("pgp", value)
                elif sco in ("domain-name", "url"):
                    out.add("onion", value)
                elif sco == "user-account" and prop in ("account_login", "display_name", "user_id"):
                    out.add("handle", value)
                elif sco == "email-addr":
                    out.add("email", value)
        elif kind == "threat-actor":
            for handle in [obj.get("name"), *(obj.get("aliases") or [])]:
                out.add("handle", str(handle or ""))
        elif kind == "user-account":
            out.add("handle", str(obj.get("account_login") or obj.get("display_name") or ""))
        elif kind == "domain-name":
            out.add("onion", str(obj.get("value") or ""))
        elif kind == "email-addr":
            out.add("email", str(obj.get("value") or ""))
    return out


def read_partner_file(path: str | Path) -> tuple[PartnerWatchlist, str]:
    """Parse a MISP event JSON (`{"Event": ...}` or bare) or a STIX bundle; returns it and its SHA-256.

    Raises PartnerDataError when unreadable or when it holds nothing we can watch for.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise PartnerDataError(f"{path}: cannot read JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PartnerDataError(f"{path}: expected a JSON object")
    if data.get("type") == "bundle":
        found = _from_stix(data)
    elif "Event" in data or "Attribute" in data or "Object" in data or "info" in data:
        found = _from_misp(data)
    else:
        raise PartnerDataError(f"{path}: neither a MISP event nor a STIX bundle")
    if not found.count():
        raise PartnerDataError(f"{path}: no wallet, PGP key, onion, handle or e-mail to watch for")
    return found, hashlib.sha256(raw).hexdigest()


def write_watchlist(data_dir: str | Path, name: str, found: PartnerWatchlist, *, source_file: str = "",
                    sha256: str = "", severity: str = "high") -> Path:
    """Write (or replace) `<data_dir>/watchlists/<name>.yaml`; validated before it is kept."""
    from nachtwacht.alerts.exceptions import RuleError
    from nachtwacht.alerts.rules import load_rule_file

    folder = Path(data_dir) / "watchlists"
    folder.mkdir(parents=True, exist_ok=True)
    rule = {"name": name, "type": "watchlist", "severity": severity,
            "description": f"partner {found.source.upper()} import: {found.title} ({found.tlp or 'no TLP'})",
            "wallets": sorted(found.wallets), "pgp": sorted(found.pgp), "handles": sorted(found.handles),
            "onions": sorted(found.onions)}
    header = (f"# Imported {datetime.now(UTC).isoformat(timespec='seconds')} from {found.source.upper()} "
              f"{source_file} (sha256 {sha256}); {found.tlp or 'no TLP'}: handle accordingly.\n")
    target = folder / f"{name}.yaml"
    tmp = folder / f".{name}.yaml.tmp"
    tmp.write_text(header + yaml.safe_dump({"rules": [rule]}, sort_keys=False, allow_unicode=True),
                   encoding="utf-8")
    try:
        load_rule_file(tmp)
    except RuleError as exc:
        tmp.unlink()
        raise PartnerDataError(f"the imported watch list is invalid: {exc}") from None
    tmp.replace(target)
    return target
