"""Write an `Intel` selection as a MISP event with PyMISP's data model (offline: no MISP server).

Vendors become `user-account` objects (one per market handle), wallets `coin-address` objects
(address relation by chain, symbol), PGP keys `pgp-meta` objects, onions `onion-address`
attributes, e-mails `email` attributes, contacts `jabber-id`/`text` attributes; objects of one
vendor reference each other. The event carries the analyst's TLP tag and a tag per category.
"""

from __future__ import annotations

from typing import Any

from pymisp import MISPEvent, MISPObject

from nachtwacht.exchange.selection import Intel, VendorIntel

__all__ = ["misp_tlp_tag", "to_misp"]

_CHAIN_RELATION = {"btc": "address", "xmr": "address-xmr"}


def misp_tlp_tag(tlp: str) -> str:
    return "tlp:clear" if tlp in ("clear", "white") else f"tlp:{tlp}"


def _wallet(address: str, chain: str) -> MISPObject:
    obj = MISPObject("coin-address", standalone=False)
    obj.add_attribute(_CHAIN_RELATION.get(chain, "address-crypto"), value=address)
    if chain and chain != "unknown":
        obj.add_attribute("symbol", value=chain.upper())
    return obj


def _pgp(fingerprint: str) -> MISPObject:
    obj = MISPObject("pgp-meta", standalone=False)
    obj.add_attribute("key-id", value=fingerprint)
    return obj


def _vendor_objects(event: MISPEvent, vendor: VendorIntel) -> None:
    accounts = []
    for site, handle in sorted(vendor.handles.items()) or [("", vendor.vendor_id)]:
        obj = MISPObject("user-account", standalone=False)
        obj.add_attribute("username", value=handle)
        obj.add_attribute("user-id", value=vendor.vendor_id)
        obj.add_attribute("description", value=f"vendor on {site}" if site else "vendor")
        if vendor.first_seen:
            obj.add_attribute("created", value=vendor.first_seen)
        obj.comment = f"nachtwacht vendor {vendor.vendor_id}; {vendor.listing_count} listing(s)"
        accounts.append(obj)
    owned = [_wallet(a, c) for a, c in sorted(vendor.wallets.items())] + [_pgp(f) for f in sorted(vendor.pgp)]
    for obj in accounts + owned:
        event.add_object(obj)
    for account in accounts:
        for obj in owned:
            account.add_reference(obj.uuid, "uses")
        for other in accounts:
            if other is not account:
                account.add_reference(other.uuid, "alias-of")
    for onion in sorted(vendor.onions):
        event.add_attribute("onion-address", onion, comment=f"vendor {vendor.vendor_id}")
    for email in sorted(vendor.emails):
        event.add_attribute("email", email, comment=f"vendor {vendor.vendor_id}")
    for contact in sorted(vendor.contacts):
        kind, _, value = contact.partition(":")
        event.add_attribute("jabber-id" if kind == "jabber" else "text", value,
                            comment=f"vendor {vendor.vendor_id} contact ({kind})")


def to_misp(intel: Intel, *, tlp: str, info: str = "", org: str = "Nachtwacht") -> MISPEvent:
    """The MISP event of `intel`, marked with `tlp` (clear, green, amber, amber+strict, red)."""
    event = MISPEvent()
    event.info = info or f"Nachtwacht export: {intel.description}"
    event.distribution = 0  # this organisation only; sharing is decided in the partner's MISP
    event.threat_level_id = 2
    event.analysis = 1
    event.add_tag(misp_tlp_tag(tlp))
    event.add_tag("nachtwacht:source=\"dark-web monitoring\"")
    for category in sorted({c for v in intel.vendors.values() for c in v.categories}):
        event.add_tag(f"nachtwacht:category=\"{category}\"")
    for vendor in sorted(intel.vendors.values(), key=lambda v: v.vendor_id):
        _vendor_objects(event, vendor)
    for address, chain in sorted(intel.wallets.items()):
        event.add_object(_wallet(address, chain))
    for fingerprint in sorted(intel.pgp):
        event.add_object(_pgp(fingerprint))
    for onion in sorted(intel.onions):
        event.add_attribute("onion-address", onion)
    for email in sorted(intel.emails):
        event.add_attribute("email", email)
    for link in intel.links:
        event.add_attribute("text", f"{link['a']} <-> {link['b']}",
                            comment=f"vendor link, confidence {link.get('confidence')}: "
                                    + ", ".join(r.get("reason", "") for r in link.get("reasons") or []))
    return event


def misp_json(intel: Intel, *, tlp: str, info: str = "") -> dict[str, Any]:
    """The MISP event as a JSON-able dict (`{"Event": {...}}`, what MISP imports)."""
    import json

    return {"Event": json.loads(to_misp(intel, tlp=tlp, info=info).to_json())}
