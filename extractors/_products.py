"""Products (canonical name + category) and the category of a listing title or text."""

from __future__ import annotations

import functools
from collections import defaultdict

from extractors._nlp import match_lexicons
from extractors.model import Product

__all__ = ["classify_category", "find_products"]

PRODUCT_WEIGHT = 3.0
_MAX_CHARS = 20_000
_MEMO_CHARS = 300  # titles: the same one is asked on its index card, its own page and for its category


def _hits(text: str, lang: str) -> tuple[tuple[str, str, int, int], ...]:
    """Lexicon hits of ``text`` as (label, matched text, start_char, end_char)."""
    if len(text) <= _MEMO_CHARS:
        return _short_hits(text, lang)
    return tuple((label, span.text, span.start_char, span.end_char) for label, span in match_lexicons(text, lang))


@functools.lru_cache(maxsize=4096)  # <= 4096 x 300 chars
def _short_hits(text: str, lang: str) -> tuple[tuple[str, str, int, int], ...]:
    return tuple((label, span.text, span.start_char, span.end_char) for label, span in match_lexicons(text, lang))


def find_products(text: str, lang: str = "en") -> tuple[Product, ...]:
    """Every distinct product mentioned, first mention's span and the matched phrase."""
    out: dict[str, Product] = {}
    for label, matched, start, end in _hits(text[:_MAX_CHARS], lang):
        kind, name, category = label.split("|", 2)
        if kind == "P" and name not in out:
            out[name] = Product(name, category, matched, start, end, "lexicon:products")
    return tuple(out.values())


def classify_category(text: str, products: tuple[Product, ...] = (), lang: str = "en") -> str:
    """Category path (``Top > Sub[ > Leaf]``) with the highest lexicon weight; drugs win ties.

    Each distinct phrase counts once; top levels add up their sub-paths' weights, then the
    best sub-path under the winning top level is returned. ``""`` when nothing matched.
    """
    scores: dict[str, float] = defaultdict(float)
    seen: set[str] = set()
    for label, matched, _start, _end in _hits(text[:_MAX_CHARS], lang):
        kind, first, rest = label.split("|", 2)
        path, weight = (rest, PRODUCT_WEIGHT) if kind == "P" else (first, float(rest))
        key = matched.lower()
        if key in seen:
            continue
        seen.add(key)
        scores[path] += weight
    for p in products:
        if p.text.lower() not in seen:
            scores[p.category] += PRODUCT_WEIGHT
    if not scores:
        return ""
    tops: dict[str, float] = defaultdict(float)
    for path, score in scores.items():
        tops[path.split(" > ")[0]] += score
    top = max(tops, key=lambda t: (tops[t], t == "Drugs & Chemicals"))
    best = max((p for p in scores if p.split(" > ")[0] == top), key=lambda p: (scores[p], p.count(">")))
    return best
