"""Repeated listing cards of index pages (search results, categories), found from the DOM.

A card is the largest element around a listing link that holds no other listing link of the
same URL shape; the shape shared by most distinct links with title-like text wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from extractors._html import Card, _Walker
from extractors._vendor import handle_from_url

__all__ = ["find_cards"]

_NAV_WORDS = re.compile(r"categor|login|logout|register|faq|support|message|order|balance|deposit|"
                        r"wallet|favou?rite|report|feedback|page=|sort|tab=|lang|captcha|news|forum|"
                        r"search|addblock|\bcart\b|wishlist", re.IGNORECASE)
MIN_CARDS = 3


def _shape(href: str) -> str:
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    path = re.sub(r"[0-9a-f]{16,}", "H", parts.path.lower())
    path = re.sub(r"\d+", "9", path)
    segs = path.rstrip("/").split("/")
    if len(segs) > 2 and not re.search(r"[9H]", segs[-1]):
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
