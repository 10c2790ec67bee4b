"""Repeated listing cards of index pages (search results, categories), found from the DOM.

A card is the largest element around a listing link that holds no other listing link of the
same URL shape; the shape shared by most distinct links with title-like text wins. Below
``MIN_CARDS`` such links, ``find_priced_cards`` finds one or two cards by their price instead.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html

from extractors._html import Card, _Walker
from extractors._urls import urljoin
from extractors._vendor import handle_from_url

__all__ = ["MAX_FEW_CARDS", "find_cards", "find_priced_cards"]

_NAV_WORDS = re.compile(r"categor|login|logout|register|faq|support|message|order|balance|deposit|"
                        r"wallet|favou?rite|report|feedback|page=|sort|tab=|lang|captcha|news|forum|"
                        r"search|addblock|\bcart\b|wishlist", re.IGNORECASE)
MIN_CARDS = 3


_HEX_RUN = re.compile(r"[0-9a-f]{16,}")
_DIGITS = re.compile(r"\d+")
_SHAPED = re.compile(r"[9H]")


@functools.lru_cache(maxsize=8192)  # pure; the same links come back on every page of a site
def _shape(href: str) -> str:
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    path = _HEX_RUN.sub("H", parts.path.lower())
    path = _DIGITS.sub("9", path)
    segs = path.rstrip("/").split("/")
    if len(segs) > 2 and not _SHAPED.search(segs[-1]):
        segs[-1] = "S"  # slug
    keys = ",".join(sorted(k for k, _ in parse_qsl(parts.query)))
    return f"{parts.netloc}{'/'.join(segs)}?{keys}"


def find_cards(root: lxml.html.HtmlElement | None, base_url: str = "") -> list[tuple[str, str, Card]]:
    """[(title, absolute url, card)] in page order; empty when no repeated listing links."""
    if root is None:
        return []
    groups: dict[str, dict[str, list[lxml.html.HtmlElement]]] = defaultdict(dict)
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if handle_from_url(href) or _NAV_WORDS.search(href):
            continue
        groups[_shape(href)].setdefault(href, []).append(a)
    best: dict[str, list[lxml.html.HtmlElement]] = {}
    best_score = 0
    for links in groups.values():
        titles = {max((" ".join(e.text_content().split()) for e in els), key=len).casefold() for els in links.values()}
        titled = sum(1 for t in titles if len(t) >= 6)
        if titled > best_score:
            best, best_score = links, titled
    if best_score < MIN_CARDS:
        return []
    owner: dict[int, str] = {}
    alive: list[lxml.html.HtmlElement] = []  # lxml proxies keep their id() only while referenced
    for href, els in best.items():
        for el in els:
            for anc in el.iterancestors():
                alive.append(anc)
                owner.setdefault(id(anc), href)
                if owner[id(anc)] != href:
                    owner[id(anc)] = "\x00"  # shared by two cards
    out: list[tuple[str, str, Card]] = []
    for href, els in best.items():
        title = max((" ".join(e.text_content().split()) for e in els), key=len)
        if len(title) < 3:
            continue
        card_el = els[0]
        for anc in els[0].iterancestors():
            if owner.get(id(anc)) != href:
                break
            card_el = anc
        walker = _Walker(base_url)
        walker.walk(card_el)
        walker.flush()
        url = urljoin(base_url, href) if base_url else href
        out.append((title, url, Card(walker.lines, walker.links)))
    return out


MAX_FEW_CARDS = 2  # find_priced_cards is the fallback below MIN_CARDS repeated links
_CARD_TEXT_MAX = 1500  # characters: an ancestor holding more is a page section, not a card
_MAX_CANDIDATES = 150  # title-like links examined on one page
_MIN_FEW_TITLE = 10  # characters of a lone card's title link ("Buy now" is not a listing title)


def find_priced_cards(root: lxml.html.HtmlElement | None, base_url: str,
                      has_price: Callable[[str], bool]) -> list[tuple[str, str, Card]]:
    """One or two listing cards when ``find_cards`` finds no repeated group (the last page of
    a category, a vendor with few items). A card is the nearest ancestor of a title-like
    listing link that holds a price and no other title-like link, with the link as its first
    line (title before price). Same result shape as ``find_cards``; ``[]`` when none or when
    more than ``MAX_FEW_CARDS`` share a URL shape (then the page is not a few-card page)."""
    if root is None:
        return []
    own = base_url.split("#", 1)[0]
    candidates: dict[str, list[lxml.html.HtmlElement]] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or handle_from_url(href) or \
                _NAV_WORDS.search(href):
            continue
        if (urljoin(base_url, href) if base_url else href).split("#", 1)[0] == own:
            continue
        if len(" ".join(a.text_content().split())) >= _MIN_FEW_TITLE:
            candidates.setdefault(href, []).append(a)
            if len(candidates) > _MAX_CANDIDATES:
                return []
    by_shape: dict[str, list[tuple[str, str, Card]]] = defaultdict(list)
    seen: dict[lxml.html.HtmlElement, list[Any]] = {}  # ancestors the candidates share
    for href, els in candidates.items():
        card_el = _priced_ancestor(els[0], href, candidates, has_price, seen)
        if card_el is None:
            continue
        walker = _Walker(base_url)
        walker.walk(card_el)
        walker.flush()
        title = " ".join(els[0].text_content().split())
        if not walker.lines or not walker.lines[0].text.startswith(title):
            continue
        url = urljoin(base_url, href) if base_url else href
        by_shape[_shape(href)].append((title, url, Card(walker.lines, walker.links)))
    best = max(by_shape.values(), key=len, default=[])
    return best if len(best) <= MAX_FEW_CARDS else []


def _priced_ancestor(link: lxml.html.HtmlElement, href: str, candidates: dict[str, list[lxml.html.HtmlElement]],
                     has_price: Callable[[str], bool],
                     seen: dict[lxml.html.HtmlElement, list[Any]] | None = None) -> lxml.html.HtmlElement | None:
    """The nearest ancestor of ``link`` holding a price and no other candidate link. ``seen``
    keeps each ancestor's text and price test for the page's other candidates (they share them)."""
    memo = {} if seen is None else seen
    for anc in link.iterancestors():
        known = memo.get(anc)
        if known is None:  # [text, has a price (None: not asked yet)]
            known = memo[anc] = [" ".join(anc.itertext()), None]  # text_content() glues "title" and "1.194,73 EUR"
        if len(known[0]) > _CARD_TEXT_MAX:
            return None
        if any((a.get("href") or "").strip() != href for a in anc.iter("a")
               if (a.get("href") or "").strip() in candidates):
            return None
        if known[1] is None:
            known[1] = has_price(known[0])
        if known[1]:
            return anc
    return None
