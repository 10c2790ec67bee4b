"""Pure extraction: HTML or text in, plain document-model data out. No network, no Scrapy."""

from extractors._entities import find_entities
from extractors._extract import Extraction, extract_html, extract_text, extract_texts
from extractors._keys import onion_v3_valid, pgp_fingerprint
from extractors._logistics import HUB_KINDS, HubEntry, load_hubs
from extractors._prices import find_prices, parse_amount
from extractors._wallets import validate_address
from extractors._warm import warm_up
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
