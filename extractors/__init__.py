"""Pure extraction: HTML or text in, plain document-model data out. No network, no Scrapy.

The document model and the errors load with the package; the extraction functions (and spaCy,
the lexicons and the models behind them) load on first use, so a process that only handles
documents (the crawl process when extraction runs in workers, the search CLI) does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from extractors._result import Extraction
from extractors.exceptions import ExtractionError
from extractors.model import (
    Contact,
    Entities,
    Evidence,
    HubMention,
    Listing,
    Mention,
    Observation,
    Page,
    PgpKey,
    Post,
    Price,
    PriceEur,
    Product,
    Quantity,
    Quote,
    Recruitment,
    Vendor,
    VendorLink,
    Wallet,
    listing_id,
    normalise_vendor,
    utcnow,
)

if TYPE_CHECKING:
    from extractors._entities import find_entities
    from extractors._extract import extract_html, extract_text, extract_texts
    from extractors._keys import onion_v3_valid, pgp_fingerprint
    from extractors._logistics import HUB_KINDS, HubEntry, load_hubs
    from extractors._prices import find_prices, parse_amount
    from extractors._wallets import validate_address
    from extractors._warm import warm_up

# public name -> the module that defines it, imported when the name is first asked for
_LAZY = {
    "find_entities": "_entities",
    "extract_html": "_extract", "extract_text": "_extract",
    "extract_texts": "_extract",
    "onion_v3_valid": "_keys", "pgp_fingerprint": "_keys",
    "HUB_KINDS": "_logistics", "HubEntry": "_logistics", "load_hubs": "_logistics",
    "find_prices": "_prices", "parse_amount": "_prices",
    "validate_address": "_wallets",
    "warm_up": "_warm",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'extractors' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"extractors.{module}"), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "HUB_KINDS",
    "Contact",
    "Entities",
    "Evidence",
    "Extraction",
    "ExtractionError",
    "HubEntry",
    "HubMention",
    "Listing",
    "Mention",
    "Observation",
    "Page",
    "PgpKey",
    "Post",
    "Price",
    "PriceEur",
    "Product",
    "Quantity",
    "Quote",
    "Recruitment",
    "Vendor",
    "VendorLink",
    "Wallet",
    "extract_html",
    "extract_text",
    "extract_texts",
    "find_entities",
    "find_prices",
    "listing_id",
    "load_hubs",
    "normalise_vendor",
    "onion_v3_valid",
    "parse_amount",
    "pgp_fingerprint",
    "utcnow",
    "validate_address",
    "warm_up",
]
