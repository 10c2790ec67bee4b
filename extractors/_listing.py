"""The main listing of a page (listing and vendor pages) from labelled lines, without templates."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from extractors._countries import normalise_country, split_countries
from extractors._html import Document, Line
from extractors._labels import find_labelled
from extractors._prices import CRYPTO, find_prices
from extractors._vendor import clean_handle, vendor_from_links, vendor_from_title
from extractors.model import Price

__all__ = ["Fields", "logged_in_users", "main_fields", "title_of"]

_SEPARATORS = re.compile(r"\s+[|\-–—:»]\s+")


@dataclass(slots=True)
class Fields:
    """Raw fields of one listing before they become a ``Listing``."""

    title: str = ""
    vendor: str = ""
    price: Price | None = None
    prices: tuple[Price, ...] = ()
    price_reason: str = ""
    ships_from: str = ""
    ships_to: tuple[str, ...] = ()
    category: str = ""
    description: str = ""
    rules: dict[str, str] = field(default_factory=dict)


def title_of(doc: Document) -> tuple[str, int]:
    """(title, line index): the longest body line contained in the <title>, else the first
    h1/h2, else the <title> without its market-name segments. Index -1 when not in the body."""
    page_title = doc.title.strip()
    best, best_i = "", -1
    if page_title:
        folded = page_title.casefold()
        for i, line in enumerate(doc.lines):
            text = line.text.strip()
            if 4 <= len(text) <= len(page_title) and text.casefold() in folded and len(text) > len(best):
                best, best_i = text, i
        if best and (len(best) >= 0.3 * len(page_title) or len(best) >= 15):
            return best, best_i
    for level in (1, 2):
        for i, line in enumerate(doc.lines):
            if line.heading == level and 4 <= len(line.text) <= 300:
                return line.text, i
    og = doc.meta.get("og:title", "")
    if og:
        return og.strip(), -1
    parts = _SEPARATORS.split(page_title)
    return (max(parts, key=len) if parts else page_title), -1


_LOGGED_IN = re.compile(r"(?:logged in as|welcome|bienvenue|welkom|bienvenido|hi),?\s+([\w.\-]{2,40})", re.IGNORECASE)
_LOGGED_IN_LINES = re.compile(_LOGGED_IN.pattern.replace(r"\s+", r"[^\S\n]+"), re.IGNORECASE)  # never crosses a line
_FROM_PLACE = re.compile(r"(?:from|vanuit|depuis|desde)\s+(?:the\s+)?([A-Z][\w ]{2,20})")


def logged_in_users(doc: Document) -> frozenset[str]:
    """Handles shown as the logged-in account (never the vendor)."""
    return _logged_in(tuple(line.text for line in doc.lines[:80]))


@functools.lru_cache(maxsize=16)  # a page asks three times (main fields, cards, priced cards)
def _logged_in(lines: tuple[str, ...]) -> frozenset[str]:
    # one scan over the lines joined (lines hold no newline and _LOGGED_IN_LINES does not
    # cross one): the first match of each line, as a search line by line finds it
    if any("\n" in text for text in lines):
        hits = (_LOGGED_IN.search(text) for text in lines)
        return frozenset(m.group(1).casefold() for m in hits if m)
    out = set()
    joined = "\n".join(lines)
    seen_line = -1
    for m in _LOGGED_IN_LINES.finditer(joined):
        line_no = joined.count("\n", 0, m.start())
        if line_no != seen_line:
            seen_line = line_no
            out.add(m.group(1).casefold())
    return frozenset(out)


def _pick(hits: list, anchor: int) -> list:
    """Label hits ordered by closeness to the anchor line (the title), after it first."""
    return sorted(hits, key=lambda h: (h.index < anchor, abs(h.index - anchor)))


def choose_price(lines: list[Line], lang: str, anchor: int) -> tuple[Price | None, tuple[Price, ...], str]:
    """Listing price: the labelled one nearest the title, fiat before crypto; else the first
    price after the title. Returns (price, every mention near the listing, reason)."""
    mentions: list[Price] = []
    for hit in _pick(find_labelled(lines, "price"), anchor):
        found = find_prices(hit.value, lang)
        if not found and hit.inline and hit.index + 1 < len(lines):
            found = find_prices(lines[hit.index + 1].text, lang)
        if found:
            fiat = [p for p in found if p.currency not in CRYPTO]
            return (fiat or list(found))[0], found, "labelled price nearest the title"
    start = max(anchor, 0)
    for line in lines[start : start + 80]:
        mentions.extend(find_prices(line.text, lang))
        if mentions:
            fiat = [p for p in mentions if p.currency not in CRYPTO]
            return (fiat or mentions)[0], tuple(mentions), "first price after the title"
    return None, (), ""


def _country_field(lines: list[Line], name: str, anchor: int) -> tuple[str, ...]:
    for hit in _pick(find_labelled(lines, name), anchor):
        found = split_countries(hit.value)
        if found:
            return found
    return ()


def _category(doc: Document, title_index: int) -> str:
    crumbs: list[str] = []
    for i, line in enumerate(doc.lines[: max(title_index, 0)]):
        if line.heading and line.href and "categor" in line.href.lower() and len(line.text) < 60:
            if crumbs and i > 0 and not doc.lines[i - 1].href:
                crumbs = []
            crumbs.append(line.text)
    if crumbs:
        return " > ".join(crumbs)
    hits = find_labelled(doc.lines, "category")
    for hit in _pick(hits, title_index):
        if 2 < len(hit.value) < 80:
            return hit.value
    return ""


def main_fields(doc: Document, lang: str) -> Fields:
    """Fields of the page's main listing (or the vendor of a vendor page)."""
    title, ti = title_of(doc)
    out = Fields(title=title)
    lines = doc.lines
    exclude = logged_in_users(doc)
    for text in [doc.title, *[ln.text for ln in lines if ln.heading in (1, 2, 3)][:20]]:
        handle = vendor_from_title(text)
        if handle and handle.casefold() not in exclude:
            out.vendor, out.rules["vendor"] = handle, "profile title"
            break
    if not out.vendor:
        for hit in _pick(find_labelled(lines, "vendor"), ti):
            handle = clean_handle(hit.value)
            if handle and handle.casefold() not in exclude:
                out.vendor, out.rules["vendor"] = handle, "label"
                break
    if not out.vendor:
        out.vendor = vendor_from_links(doc.links, exclude)
        if out.vendor:
            out.rules["vendor"] = "profile links"
    out.price, out.prices, out.price_reason = choose_price(lines, lang, ti)
    frm = _country_field(lines, "ships_from", ti)
    out.ships_from = frm[0] if frm else ""
    out.ships_to = _country_field(lines, "ships_to", ti)
    out.category = _category(doc, ti)
    if not out.ships_from:
        m = _FROM_PLACE.search(title)
        if m and normalise_country(m.group(1)):
            out.ships_from = normalise_country(m.group(1))
    return out
