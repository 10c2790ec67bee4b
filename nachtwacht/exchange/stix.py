"""Write an `Intel` selection as a STIX 2.1 bundle with the `stix2` library.

Vendors become threat actors (handles as name and aliases); every wallet, PGP key, onion, e-mail
and handle becomes an indicator (STIX patterning; wallets and PGP keys use the custom object
types `x-cryptocurrency-wallet` and `x-pgp-key`, which the patterning grammar allows) that
`indicates` its vendor, plus observables (domain-name, email-addr, user-account) for the
standard types. Vendor links are `related-to` relationships with a confidence (0-100). Every
object carries the analyst's TLP marking (TLP:AMBER+STRICT adds a statement marking).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stix2

from nachtwacht.exchange.selection import Intel, VendorIntel

__all__ = ["to_stix"]

_TLP = {"clear": stix2.TLP_WHITE, "white": stix2.TLP_WHITE, "green": stix2.TLP_GREEN,
        "amber": stix2.TLP_AMBER, "amber+strict": stix2.TLP_AMBER, "red": stix2.TLP_RED}


def _time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Writer:
    def __init__(self, tlp: str, org: str):
        self.now = datetime.now(UTC)
        self.markings: list[Any] = [_TLP[tlp]]
        self.objects: list[Any] = [_TLP[tlp]]  # predefined, included so the bundle stands alone
        if tlp == "amber+strict":
            strict = stix2.MarkingDefinition(definition_type="statement", definition=stix2.StatementMarking(
                statement="TLP:AMBER+STRICT: recipients may share only within their own organisation"))
            self.objects.append(strict)
            self.markings.append(strict)
        self.identity = stix2.Identity(name=org, identity_class="organization", object_marking_refs=self.markings)
        self.objects.append(self.identity)

    def sdo(self, cls: Any, **kwargs: Any) -> Any:
        obj = cls(created_by_ref=self.identity, object_marking_refs=self.markings, **kwargs)
        self.objects.append(obj)
        return obj

    def sco(self, cls: Any, **kwargs: Any) -> Any:
        obj = cls(object_marking_refs=self.markings, **kwargs)
        self.objects.append(obj)
        return obj

    def indicator(self, name: str, pattern: str, labels: list[str], target: Any = None) -> Any:
        ind = self.sdo(stix2.Indicator, name=name, pattern=pattern, pattern_type="stix", valid_from=self.now,
                       indicator_types=["malicious-activity"], labels=labels)
        if target is not None:
            self.sdo(stix2.Relationship, relationship_type="indicates", source_ref=ind, target_ref=target)
        return ind

    def related(self, source: Any, target: Any, **kwargs: Any) -> None:
        self.sdo(stix2.Relationship, relationship_type="related-to", source_ref=source, target_ref=target,
                 **kwargs)

    def entities(self, *, wallets: dict[str, str], pgp: set[str], onions: set[str], emails: set[str],
                 owner: Any = None) -> None:
        for address, chain in sorted(wallets.items()):
            self.indicator(f"{chain} wallet {address}", f"[x-cryptocurrency-wallet:address = {_quote(address)}]",
                           ["wallet", f"chain:{chain}"], owner)
        for fingerprint in sorted(pgp):
            self.indicator(f"PGP key {fingerprint}", f"[x-pgp-key:fingerprint = {_quote(fingerprint)}]",
                           ["pgp-key"], owner)
        for onion in sorted(onions):
            self.indicator(f"onion {onion}", f"[domain-name:value = {_quote(onion)}]", ["onion"], owner)
            sco = self.sco(stix2.DomainName, value=onion)
            if owner is not None:
                self.related(owner, sco)
        for email in sorted(emails):
            self.indicator(f"e-mail {email}", f"[email-addr:value = {_quote(email)}]", ["email"], owner)
            sco = self.sco(stix2.EmailAddress, value=email)
            if owner is not None:
                self.related(owner, sco)

    def vendor(self, vendor: VendorIntel) -> Any:
        handles = sorted(set(vendor.handles.values())) or [vendor.vendor_id]
        extra: dict[str, Any] = {}
        first, last = _time(vendor.first_seen), _time(vendor.last_seen)
        if first is not None:
            extra["first_seen"] = first
        if last is not None and (first is None or last >= first):
            extra["last_seen"] = last
        actor = self.sdo(stix2.ThreatActor, name=handles[0], aliases=handles[1:] or None,
                         threat_actor_types=["criminal"], roles=["agent"],
                         description=f"Vendor {vendor.vendor_id} on " + ", ".join(sorted(vendor.handles) or ["?"])
                         + (f"; categories: {', '.join(sorted(vendor.categories))}" if vendor.categories else ""),
                         **extra)
        for site, handle in sorted(vendor.handles.items()):
            account = self.sco(stix2.UserAccount, account_login=handle, display_name=handle,
                               account_type=f"market:{site}")
            self.related(actor, account)
            self.indicator(f"handle {handle} on {site}", f"[user-account:account_login = {_quote(handle)}]",
                           ["handle", f"site:{site}"], actor)
        self.entities(wallets=vendor.wallets, pgp=vendor.pgp, onions=vendor.onions, emails=vendor.emails,
                      owner=actor)
        return actor


def to_stix(intel: Intel, *, tlp: str, org: str = "Nachtwacht") -> stix2.Bundle:
    """The STIX 2.1 bundle of `intel`, every object marked with `tlp`."""
    writer = _Writer(tlp, org)
    actors = {vid: writer.vendor(v) for vid, v in sorted(intel.vendors.items())}
    writer.entities(wallets=intel.wallets, pgp=intel.pgp, onions=intel.onions, emails=intel.emails)
    for link in intel.links:
        a, b = actors.get(link["a"]), actors.get(link["b"])
        if a is not None and b is not None:
            writer.related(a, b, confidence=round(float(link.get("confidence") or 0) * 100),
                           description="vendor link: " + "; ".join(
                               f"{r.get('reason')} {r.get('evidence')}" for r in link.get("reasons") or []))
    return stix2.Bundle(objects=writer.objects)
