"""Money flows from stored documents: wallet sightings per vendor and market (a timeline),
wallets shared between vendors or markets (a strong link), and money-mule recruitment posts
tied to the same vendors by wallet, contact or handle.

Works on plain index documents (listings, posts, vendor profiles); only addresses that
validate are used, and pseudonymised values (``anon-...``) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from nachtwacht.rights.pseudonym import is_pseudonym

__all__ = ["MULE_CUES", "MoneyFlows", "MuleLead", "SharedWallet", "Sighting", "build_flows", "collect"]

#: Money-mule vocabulary (nl/fr/es/en): a recruitment post using one of these asks for accounts or cards.
MULE_CUES = re.compile(
    r"\b(?:bank ?rekening(?:en)?|rekening(?:en)?|bankpas(?:sen)?|pinpas(?:sen)?|geldezel\w*|katvanger\w*|"
    r"money ?mules?|bank accounts?|cash ?out|receive (?:money|transfers?)|iban|"
    r"comptes? bancaires?|cartes? bancaires?|prête[rz]? ton compte|mules? financi[eè]res?|virements?|"
    r"cuentas? bancarias?|tu cuenta|transferencias?|mula de dinero|tarjetas? bancarias?|sacar efectivo)\b",
    re.IGNORECASE,
)


@dataclass
class Sighting:
    """One address seen with one vendor (or post author) on one market, first to last time."""

    address: str
    chain: str
    vendor_id: str
    site: str
    first_seen: str = ""
    last_seen: str = ""
    documents: int = 0
    evidence: str = ""  # the first document's evidence: WARC file#record, else URL@sha256, else URL
    role: str = "vendor"  # vendor | author (a forum/channel poster)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SharedWallet:
    """An address used by several vendors, or by one vendor on several markets."""

    address: str
    chain: str
    vendors: list[str]
    sites: list[str]
    first_seen: str
    last_seen: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MuleLead:
    """A recruitment post asking for bank accounts/cards/wallets, and who it ties to."""

    post_id: str
    site: str
    author: str
    posted_at: str
    url: str
    score: float
    cues: list[str]
    wallets: list[str] = field(default_factory=list)
    tied_to: list[dict[str, str]] = field(default_factory=list)  # {vendor_id, reason, value}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MoneyFlows:
    sightings: list[Sighting] = field(default_factory=list)
    shared: list[SharedWallet] = field(default_factory=list)
    mules: list[MuleLead] = field(default_factory=list)
    invalid_wallets: int = 0

    def timeline(self, vendor_id: str) -> list[Sighting]:
        """The vendor's addresses, oldest first sighting first."""
        return sorted((s for s in self.sightings if s.vendor_id == vendor_id),
                      key=lambda s: (s.first_seen, s.site, s.address))

    def to_dict(self) -> dict[str, Any]:
        return {"sightings": [s.to_dict() for s in self.sightings],
                "shared": [s.to_dict() for s in self.shared],
                "mules": [m.to_dict() for m in self.mules],
                "invalid_wallets": self.invalid_wallets}


def _evidence(doc: dict[str, Any]) -> str:
    ev = doc.get("evidence") or {}
    if ev.get("warc_file") and ev.get("warc_record_id"):
        return f"{ev['warc_file']}#{ev['warc_record_id']}"
    if ev.get("url") and ev.get("sha256"):
        return f"{ev['url']}@sha256:{ev['sha256']}"
    return str(ev.get("url") or doc.get("url") or "")


def _norm(handle: str) -> str:
    kept = "".join(ch for ch in handle.casefold() if ch.isalnum())
    return kept or handle.strip().casefold()


def _chain(address: str) -> str:
    from extractors import validate_address

    info = validate_address(address)
    return info.chain if info is not None else ""


class _Builder:
    def __init__(self) -> None:
        self.sightings: dict[tuple[str, str, str], Sighting] = {}
        self.invalid = 0
        self.contacts: dict[str, set[str]] = {}  # contact value -> vendor ids
        self.vendors: set[str] = set()

    def see(self, address: str, chain: str, vendor_id: str, site: str, doc: dict[str, Any],
            role: str = "vendor") -> None:
        if not (address and vendor_id and site) or is_pseudonym(address) or is_pseudonym(vendor_id):
            return
        key = (address, vendor_id, site)
        s = self.sightings.get(key)
        first = doc.get("posted_at") or doc.get("first_seen") or doc.get("last_seen") or ""
        last = doc.get("last_seen") or doc.get("posted_at") or first
        if s is None:
            s = self.sightings[key] = Sighting(address, chain, vendor_id, site, first, last, 0, _evidence(doc), role)
        elif first and (not s.first_seen or first < s.first_seen):
            s.first_seen, s.evidence = first, _evidence(doc) or s.evidence
        if last > s.last_seen:
            s.last_seen = last
        s.documents += 1

    def wallets(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        out = []
        for w in (doc.get("entities") or {}).get("wallets") or ():
            if not w.get("address"):
                continue
            if w.get("valid", True) is False:
                self.invalid += 1
                continue
            out.append((str(w["address"]), str(w.get("chain") or "")))
        return out


def build_flows(docs: Iterable[dict[str, Any]]) -> MoneyFlows:
    """Fold listings, posts and vendor profiles into sightings, shared wallets and mule leads."""
    b = _Builder()
    posts: list[dict[str, Any]] = []
    for doc in docs:
        kind = doc.get("kind")
        if kind == "listing":
            vendor = _norm(str(doc.get("vendor_id") or doc.get("vendor") or "")) if (
                doc.get("vendor_id") or doc.get("vendor")) else ""
            if vendor:
                b.vendors.add(vendor)
            for address, chain in b.wallets(doc):
                b.see(address, chain, vendor, str(doc.get("site") or ""), doc)
            for c in (doc.get("entities") or {}).get("contacts") or ():
                if vendor and c.get("value"):
                    b.contacts.setdefault(str(c["value"]).lower(), set()).add(vendor)
        elif kind == "vendor":
            vendor = str(doc.get("vendor_id") or "")
            b.vendors.add(vendor)
            for address in doc.get("wallets") or ():
                chain = _chain(str(address))
                if not chain:
                    b.invalid += 1
                    continue
                for site in (doc.get("handles") or {}):
                    if not any(k[0] == address and k[1] == vendor and k[2] == site for k in b.sightings):
                        b.see(str(address), chain, vendor, site, doc)
        elif kind == "post":
            posts.append(doc)
            author = _norm(str(doc.get("author") or ""))
            for address, chain in b.wallets(doc):
                b.see(address, chain, author, str(doc.get("site") or ""), doc, role="author")
    flows = MoneyFlows(sightings=sorted(b.sightings.values(), key=lambda s: (s.vendor_id, s.first_seen, s.address)),
                       invalid_wallets=b.invalid)
    flows.shared = _shared(flows.sightings)
    flows.mules = _mules(posts, flows.sightings, b.contacts, b.vendors)
    return flows


def _shared(sightings: list[Sighting]) -> list[SharedWallet]:
    by_address: dict[str, list[Sighting]] = {}
    for s in sightings:
        by_address.setdefault(s.address, []).append(s)
    out = []
    for address, group in sorted(by_address.items()):
        vendors = sorted({s.vendor_id for s in group})
        sites = sorted({s.site for s in group})
        if len(vendors) > 1 or len(sites) > 1:
            out.append(SharedWallet(address, group[0].chain, vendors, sites,
                                    min(s.first_seen for s in group), max(s.last_seen for s in group)))
    return out


def _mules(posts: list[dict[str, Any]], sightings: list[Sighting], contacts: dict[str, set[str]],
           vendors: set[str]) -> list[MuleLead]:
    owners: dict[str, set[str]] = {}
    for s in sightings:
        if s.role == "vendor":
            owners.setdefault(s.address, set()).add(s.vendor_id)
    out = []
    for doc in posts:
        rec = doc.get("recruitment") or {}
        text = str(doc.get("text") or "")
        cues = sorted({m.group(0).lower() for m in MULE_CUES.finditer(text)})
        if rec.get("label") is not True or not cues:
            continue
        ents = doc.get("entities") or {}
        wallets = [str(w["address"]) for w in ents.get("wallets") or () if w.get("valid", True) and w.get("address")]
        tied: list[dict[str, str]] = []
        for address in wallets:
            tied += [{"vendor_id": v, "reason": "wallet", "value": address} for v in sorted(owners.get(address, ()))]
        for c in ents.get("contacts") or ():
            value = str(c.get("value") or "").lower()
            tied += [{"vendor_id": v, "reason": "contact", "value": value} for v in sorted(contacts.get(value, ()))]
        author = _norm(str(doc.get("author") or ""))
        if author in vendors:
            tied.append({"vendor_id": author, "reason": "handle", "value": author})
        out.append(MuleLead(str(doc.get("id") or ""), str(doc.get("site") or ""), str(doc.get("author") or ""),
                            str(doc.get("posted_at") or ""), str(doc.get("url") or ""),
                            float(rec.get("score") or 0.0), cues, wallets, tied))
    return sorted(out, key=lambda m: (m.posted_at, m.post_id))


def collect(nw: Any, query: str = "*", *, limit: int = 500_000) -> MoneyFlows:
    """``build_flows`` over the listings, posts and vendor profiles of ``nw`` (a Nachtwacht) matching ``query``."""
    docs = [d for kind in ("listing", "vendor", "post") for d in nw.export(query, kind=kind, limit=limit)]
    return build_flows(docs)
