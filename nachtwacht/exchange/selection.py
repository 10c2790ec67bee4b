"""What an export contains: vendors with their handles, wallets (with chain), PGP keys, contacts,
plus loose onions, e-mails and wallets, and cross-market vendor links. Built from stored documents;
pseudonymised values (`anon-...`) never leave the unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nachtwacht.exchange.exceptions import SelectionError
from nachtwacht.rights.pseudonym import is_pseudonym

__all__ = ["TLP_LEVELS", "Intel", "VendorIntel", "build_intel", "chain_of"]

#: TLP 2.0 levels an analyst may choose ("white" is accepted for "clear").
TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")


def chain_of(address: str) -> str:
    """The chain of a valid address (btc, xmr, eth, ...), or "" when it does not validate."""
    from extractors import validate_address

    info = validate_address(address)
    return info.chain if info is not None else ""


@dataclass
class VendorIntel:
    vendor_id: str
    handles: dict[str, str] = field(default_factory=dict)  # site -> handle as shown
    wallets: dict[str, str] = field(default_factory=dict)  # address -> chain
    pgp: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)  # kind:value
    emails: set[str] = field(default_factory=set)
    onions: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    first_seen: str = ""
    last_seen: str = ""
    listing_count: int = 0


@dataclass
class Intel:
    """A selection ready to be written as MISP or STIX; `description` says what was selected."""

    description: str
    vendors: dict[str, VendorIntel] = field(default_factory=dict)
    wallets: dict[str, str] = field(default_factory=dict)  # not tied to a vendor
    onions: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    pgp: set[str] = field(default_factory=set)
    links: list[dict[str, Any]] = field(default_factory=list)  # {a, b, confidence, reasons}
    documents: int = 0

    def empty(self) -> bool:
        return not (self.vendors or self.wallets or self.onions or self.emails or self.pgp)


def _clean(values: Iterable[Any]) -> set[str]:
    return {str(v).strip() for v in values if v and str(v).strip() and not is_pseudonym(str(v))}


def _seen(v: VendorIntel, doc: dict[str, Any]) -> None:
    first, last = doc.get("first_seen") or "", doc.get("last_seen") or ""
    if first:
        v.first_seen = min(filter(None, [v.first_seen, first]))
    if last:
        v.last_seen = max(v.last_seen, last)


def build_intel(docs: Iterable[dict[str, Any]], *, description: str,
                links: Iterable[dict[str, Any]] = ()) -> Intel:
    """Fold listings, posts and vendor profiles into an `Intel`. Raises SelectionError if empty."""
    intel = Intel(description=description)
    for doc in docs:
        intel.documents += 1
        ents = doc.get("entities") or {}
        wallets = {w["address"]: w.get("chain") or "" for w in ents.get("wallets") or ()
                   if w.get("valid", True) and w.get("address")}
        wallets |= {a: "" for a in doc.get("wallets") or () if a not in wallets}
        pgp = _clean(k.get("fingerprint") for k in ents.get("pgp_keys") or ()) | _clean(doc.get("pgp_fingerprints") or ())
        onions = _clean(ents.get("onions") or ())
        emails = _clean(ents.get("emails") or ())
        contacts = _clean(f"{c.get('kind')}:{c.get('value')}" for c in ents.get("contacts") or ()
                          if not is_pseudonym(str(c.get("value")))) | _clean(doc.get("contacts") or ())
        vendor_id = doc.get("vendor_id") or ""
        if vendor_id and not is_pseudonym(vendor_id) and doc.get("kind") in ("listing", "vendor"):
            v = intel.vendors.setdefault(vendor_id, VendorIntel(vendor_id))
            if doc.get("kind") == "vendor":
                v.handles.update({s: h for s, h in (doc.get("handles") or {}).items() if not is_pseudonym(h)})
                v.listing_count = max(v.listing_count, int(doc.get("listing_count") or 0))
            elif doc.get("vendor"):
                v.handles.setdefault(str(doc.get("site")), str(doc["vendor"]))
            v.wallets.update({a: c for a, c in wallets.items() if c or a not in v.wallets})
            v.pgp |= pgp
            v.contacts |= {c for c in contacts if not c.startswith("email:")}
            v.emails |= emails | {c.split(":", 1)[1] for c in contacts if c.startswith("email:")}
            v.onions |= onions
            if doc.get("category"):
                v.categories.add(str(doc["category"]))
            _seen(v, doc)
        else:
            intel.wallets.update(wallets)
            intel.pgp |= pgp
            intel.onions |= onions
            intel.emails |= emails
    for items in [intel.wallets, *(v.wallets for v in intel.vendors.values())]:
        for address, chain in list(items.items()):
            items[address] = chain or chain_of(address) or "unknown"
    known = set(intel.vendors)
    intel.links = [lk for lk in links if lk.get("a") in known or lk.get("b") in known]
    if intel.empty():
        raise SelectionError(f"nothing to export for {description}")
    return intel
