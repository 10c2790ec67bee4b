"""The two entry points: ``extract_html`` and ``extract_text`` -> ``Extraction``.

Hostile input policy: bytes are decoded leniently; input beyond ``MAX_INPUT_CHARS`` is cut;
binary-looking input and anything the parsers reject give an ``other`` page with no
listings; a page taking longer than ``TIME_BUDGET_S`` stops adding optional parts. Neither
function raises on content.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace

from extractors._cards import find_cards, find_priced_cards
from extractors._countries import split_countries
from extractors._entities import find_entities
from extractors._html import Document, Line, parse_html
from extractors._labels import find_labelled
from extractors._lang import detect_lang
from extractors._listing import Fields, choose_price, logged_in_users, main_fields
from extractors._logistics import with_logistics
from extractors._posts import forum_posts
from extractors._prices import find_prices, find_quantity
from extractors._products import classify_category, find_products
from extractors._rates import to_eur
from extractors._recruit import score_many, score_recruitment
from extractors._result import Extraction
from extractors._timestamps import has_time
from extractors._vendor import clean_handle, handle_from_url, vendor_from_links
from extractors.exceptions import InputError
from extractors.model import (
    Entities,
    Listing,
    Post,
    Product,
    Recruitment,
    listing_id,
    normalise_vendor,
)

__all__ = ["MAX_INPUT_CHARS", "TIME_BUDGET_S", "Extraction", "extract_html", "extract_text", "extract_texts"]

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 3_000_000  # characters kept of one page (a 20 MB page is cut, not parsed whole)
MAX_TEXT_CHARS = 200_000  # characters of visible text analysed for entities and products
QUANTITY_BODY_CHARS = 3000  # body text read for a quantity when the title has none
TIME_BUDGET_S = 5.0  # per document; past it optional steps (cards, products) are skipped
PAGE_TYPES = ("listing", "vendor", "index", "forum_post", "channel_message", "other")


def _decode(data: str | bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    if isinstance(data, bytes):
        text = data[: MAX_INPUT_CHARS * 2].decode("utf-8", errors="replace")
    elif isinstance(data, str):
        text = data
    else:
        raise InputError(f"expected str or bytes, got {type(data).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        notes.append(f"truncated to {MAX_INPUT_CHARS} characters")
        text = text[:MAX_INPUT_CHARS]
    return text, notes


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # control characters but \t \n \f \r; U+FFFD


def _looks_binary(text: str) -> bool:
    """More than 10% of the first 4096 characters are controls or replacement characters."""
    sample = text[:4096]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > 0.1


def _make_listing(f: Fields, site: str, url: str, lang: str, entities: Entities,
                  products: tuple[Product, ...], quantity_text: str, body: str = "") -> Listing:
    """A Listing from raw fields; the quantity from ``quantity_text`` (the title), else from ``body``."""
    canonical = url or f"{site}#{f.title}#{f.vendor}"
    quantity = find_quantity(quantity_text) or (find_quantity(body[:QUANTITY_BODY_CHARS]) if body else None)
    return Listing(
        id=listing_id(site, canonical), site=site, url=url, title=f.title[:500],
        description=f.description[:5000], vendor=f.vendor, vendor_id=normalise_vendor(f.vendor) if f.vendor else "",
        price=f.price, prices=f.prices, price_eur=to_eur(f.price), price_reason=f.price_reason, quantity=quantity,
        ships_from=f.ships_from, ships_to=f.ships_to, category=f.category, products=products,
        lang=lang, entities=entities,
    )


def _apply_selectors(doc: Document, f: Fields, selectors: dict[str, str], lang: str) -> None:
    """Site-config CSS selectors override the template-free values they name."""
    if doc.root is None:
        return
    from lxml.cssselect import CSSSelector

    for name, css in selectors.items():
        try:
            found = CSSSelector(css)(doc.root)
        except Exception as exc:  # cssselect raises its own SelectorError family
            log.warning("bad selector for %s: %s (%s)", name, css, exc)
            continue
        if not found:
            continue
        value = " ".join(found[0].text_content().split())
        if name == "title":
            f.title = value
        elif name == "vendor":
            f.vendor = clean_handle(value) or f.vendor
        elif name == "price":
            price, prices, _ = choose_price([Line(value)], lang, 0)
            if price:
                f.price, f.prices, f.price_reason = price, prices, "site selector"
        elif name == "ships_from":
            places = split_countries(value)
            f.ships_from = places[0] if places else f.ships_from
        elif name == "ships_to":
            f.ships_to = split_countries(value) or f.ships_to
        elif name == "category":
            f.category = value
        elif name == "description":
            f.description = value
        f.rules[name] = "selector"


_CATEGORY_HREF = re.compile(r"categor|[?&](?:cid|csid|cat|category_id)=|/c/\d", re.IGNORECASE)


def _card_listings(doc: Document, site: str, lang: str, started: float, few: bool = False) -> list[Listing]:
    """Listings of the page's repeated cards; with ``few``, of its one or two priced cards."""
    out: list[Listing] = []
    exclude = logged_in_users(doc)
    base = doc.meta.get("__base__", "")
    found = find_priced_cards(doc.root, base, lambda text: bool(find_prices(text, lang))) if few else \
        find_cards(doc.root, base)
    for title, url, card in found:
        if time.monotonic() - started > TIME_BUDGET_S:
            break
        f = Fields(title=title)
        vendors = [clean_handle(h.value) for h in find_labelled(card.lines, "vendor")]
        f.vendor = next((v for v in vendors if v and v.casefold() not in exclude), "") or vendor_from_links(card.links, exclude)
        f.price, f.prices, f.price_reason = choose_price(card.lines, lang, 0)
        text = "\n".join(line.text for line in card.lines)
        for name in ("ships_from", "ships_to"):
            for hit in find_labelled(card.lines, name):
                places = split_countries(hit.value)
                if places:
                    if name == "ships_from":
                        f.ships_from = places[0]
                    else:
                        f.ships_to = places
                    break
        products = find_products(title, lang)
        crumbs = [t for t, h in card.links if _CATEGORY_HREF.search(h) and 1 < len(t) < 50]
        f.category = " > ".join(dict.fromkeys(crumbs)) or classify_category(title, products)
        out.append(_make_listing(f, site, url, lang, Entities(), products, title + "\n" + text))
    return out


def extract_html(html: str | bytes, *, source: str = "", url: str = "", site: str = "",
                 selectors: dict[str, str] | None = None) -> Extraction:
    """Extract one HTML page. Never raises on content (see the module docstring)."""
    started = time.monotonic()
    text, notes = _decode(html)
    if _looks_binary(text):
        return Extraction(source=source, lang="", page_type="other", url=url, site=site,
                          notes=(*notes, "binary input"))
    try:
        doc = parse_html(text, url)
    except Exception:  # the parser is a boundary with C code: any failure makes an 'other' page
        log.exception("html parse failed for %s", source or url)
        return Extraction(source=source, lang="", page_type="other", url=url, site=site, notes=(*notes, "parse failed"))
    doc.meta["__base__"] = url
    body = doc.text[:MAX_TEXT_CHARS]
    lang = detect_lang(body)
    entities = find_entities(body)
    links = tuple(dict.fromkeys(h for _, h in doc.links))[:2000]
    listings: list[Listing] = []
    posts: tuple[Post, ...] = ()
    page_type = "other"
    fields = main_fields(doc, lang)
    if selectors:
        _apply_selectors(doc, fields, selectors, lang)
    cards = _card_listings(doc, site, lang, started)
    few = [] if cards or not fields.price else _card_listings(doc, site, lang, started, few=True)
    products = find_products(fields.title, lang) if fields.title else ()
    profile_handle = handle_from_url(url) if url else ""
    if profile_handle and fields.rules.get("vendor") != "profile title":
        fields.vendor, fields.rules["vendor"] = profile_handle, "profile url"
    if fields.rules.get("vendor") in ("profile title", "profile url"):
        page_type = "vendor"
        listings = [replace(c, vendor=c.vendor or fields.vendor, vendor_id=c.vendor_id or normalise_vendor(fields.vendor))
                    for c in cards or few]
        if not listings:
            listings = [_profile_record(fields, site, url, lang, entities)]
    elif (posts := _thread_posts(doc, fields, cards, url, site, lang, started + TIME_BUDGET_S)):
        page_type = "forum_post"
    elif len(cards) >= 3 and 3 * sum(1 for c in cards if c.price) >= len(cards) and \
            not ("selector" in fields.rules.values() and fields.price):
        page_type, listings = "index", cards  # cards without prices are a list of links (topics, news)
    elif few and _price_in_cards(fields, few):
        page_type, listings = "index", few  # the page's only price is a card's: an index with one or two cards
    elif fields.price and fields.title and fields.vendor:
        page_type = "listing"
        fields.category = fields.category or classify_category(fields.title, products)
        listings = [_make_listing(fields, site, url, lang, entities, products, fields.title, _after_title(doc, fields))]
    elif fields.vendor and _is_profile(doc, fields):
        page_type = "vendor"
        listings = [_profile_record(fields, site, url, lang, entities)]
    elif fields.price and fields.title:
        page_type = "listing"
        listings = [_make_listing(fields, site, url, lang, entities, products, fields.title, _after_title(doc, fields))]
    if time.monotonic() - started > TIME_BUDGET_S:
        notes.append(f"time budget of {TIME_BUDGET_S}s exceeded: optional steps skipped")
    all_products = _merge_products(products, *(c.products for c in listings), *(p.products for p in posts))
    recruitment = max((p.recruitment for p in posts if p.recruitment), key=lambda r: (r.label, r.score), default=None)
    return with_logistics(Extraction(source=source, lang=lang, page_type=page_type, listings=tuple(listings),
                                     posts=posts, products=all_products, entities=entities,
                                     recruitment=recruitment, links=links, url=url, site=site,
                                     notes=tuple(notes)), body)


def _profile_record(fields: Fields, site: str, url: str, lang: str, entities: Entities) -> Listing:
    """The vendor-only record of a profile page without cards: vendor, countries and entities,
    no title and no price (indexers skip it as a listing; it is not one)."""
    fields.title, fields.description, fields.category = "", "", ""
    fields.price, fields.prices, fields.price_reason = None, (), ""
    return _make_listing(fields, site, url, lang, entities, (), "")


def _price_in_cards(fields: Fields, cards: list[Listing]) -> bool:
    """The page's main price is one of the cards' (so it is no listing of its own)."""
    main = fields.price
    return main is not None and any(c.price is not None and c.price.currency == main.currency
                                    and abs(c.price.amount - main.amount) < 1e-9 for c in cards)


def _after_title(doc: Document, fields: Fields) -> str:
    """Page text from the listing's title on (where its description and options are)."""
    text = doc.text
    at = text.find(fields.title) if fields.title else -1
    return text[at + len(fields.title):] if at >= 0 else text


_THREAD_URL = re.compile(r"thread|topic|viewtopic|showthread|/t/|/post|/discussion|/d/|forum", re.IGNORECASE)


def _thread_posts(doc: Document, fields: Fields, cards: list[Listing], url: str, site: str,
                  lang: str, deadline: float) -> tuple[Post, ...]:
    """Posts when the page is a thread: two or more posts, or one on a page without a price
    (or at a thread-like URL); never when most index cards carry a price (a market index)."""
    if len(cards) >= 3 and 2 * sum(1 for c in cards if c.price) >= len(cards):
        return ()
    if doc.root is None or (not has_time(doc.text[:MAX_TEXT_CHARS]) and not doc.root.xpath("boolean(//time)")):
        return ()
    if time.monotonic() > deadline:
        return ()
    def kept(count: int) -> bool:
        return count >= 2 or (count > 0 and (not fields.price or bool(_THREAD_URL.search(url))))

    posts = forum_posts(doc, url, site, lang, deadline, keep=kept)
    return posts if kept(len(posts)) else ()


_PROFILE_WORDS = re.compile(r"profile|profiel|profil|perfil|vendor|seller|verkoper|vendeur|vendedor|"
                            r"store|feedback|member since|lid sinds|membre depuis|miembro desde", re.IGNORECASE)


def _is_profile(doc: Document, f: Fields) -> bool:
    if f.rules.get("vendor") == "profile title":
        return True
    head = " ".join([doc.title, *[ln.text for ln in doc.lines if ln.heading][:40]])
    return bool(_PROFILE_WORDS.search(head)) or f.vendor.casefold() in doc.title.casefold()


def _merge_products(*groups: tuple[Product, ...]) -> tuple[Product, ...]:
    seen: dict[tuple[str, str], Product] = {}
    for group in groups:
        for p in group:
            seen.setdefault((p.name, p.category), p)
    return tuple(seen.values())


def extract_texts(records: list[tuple[str, str]], *, site: str = "") -> list[Extraction]:
    """``extract_text`` over many ``(source, text)`` records, recruitment scored in one model
    call (per-call overhead of the model is most of a short record's cost). Same results."""
    decoded = [_decode(text)[0][:MAX_TEXT_CHARS] if isinstance(text, str | bytes) else text for _, text in records]
    scores = score_many([t if isinstance(t, str) else "" for t in decoded])
    return [extract_text(text, source=source, site=site, _recruitment=rec)
            for (source, text), rec in zip(records, scores, strict=True)]


def extract_text(text: str, *, source: str = "", url: str = "", site: str = "",
                 _recruitment: Recruitment | None = None) -> Extraction:
    """Extract one text record (message, post, listing string). Never raises on content."""
    text, notes = _decode(text)
    text = text[:MAX_TEXT_CHARS]
    if _looks_binary(text):
        return Extraction(source=source, lang="", page_type="other", url=url, site=site, notes=(*notes, "binary input"))
    lang = detect_lang(text)
    entities = find_entities(text)
    lines = [Line(ln.strip()) for ln in text.splitlines() if ln.strip()]
    products = find_products(text, lang)
    f = Fields()
    f.price, _near, f.price_reason = choose_price(lines, lang, 0)
    f.prices = find_prices(text, lang) if f.price else ()
    for hit in find_labelled(lines, "vendor"):
        f.vendor = clean_handle(hit.value)
        if f.vendor:
            break
    frm = [p for h in find_labelled(lines, "ships_from") for p in split_countries(h.value)]
    f.ships_from = frm[0] if frm else ""
    f.ships_to = tuple(dict.fromkeys(p for h in find_labelled(lines, "ships_to") for p in split_countries(h.value)))
    first = lines[0].text if lines else ""
    f.title = first[:300]
    f.category = classify_category(text[:2000], products)
    recruitment = _recruitment or score_recruitment(text)
    listings: tuple[Listing, ...] = ()
    if f.price or f.vendor or (f.category and len(text) < 400 and not recruitment.label):
        listings = (_make_listing(f, site, url, lang, entities, products, text[:2000]),)
    page_type = "listing" if listings else "channel_message"
    post = Post(id=listing_id(site, url or source or text[:200]), site=site, url=url, channel="", author="",
                text=text[:20000], lang=lang, entities=entities, recruitment=recruitment, products=products)
    return with_logistics(Extraction(source=source, lang=lang, page_type=page_type, listings=listings,
                                     posts=(post,), products=products, entities=entities,
                                     recruitment=recruitment, url=url, site=site, notes=tuple(notes)), text)
