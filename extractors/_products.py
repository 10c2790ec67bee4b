"""Products (canonical name + category) and the category of a listing title or text."""

from __future__ import annotations

from collections import defaultdict

from extractors._nlp import match_lexicons
from extractors.model import Product

__all__ = ["classify_category", "find_products"]

PRODUCT_WEIGHT = 3.0
_MAX_CHARS = 20_000


def find_products(text: str, lang: str = "en") -> tuple[Product, ...]:
    """Every distinct product mentioned, first mention's span and the matched phrase."""
    out: dict[str, Product] = {}
    for label, span in match_lexicons(text[:_MAX_CHARS], lang):
        kind, name, category = label.split("|", 2)
        if kind == "P" and name not in out:
            out[name] = Product(name, category, span.text, span.start_char, span.end_char, "lexicon:products")
    return tuple(out.values())


def classify_category(text: str, products: tuple[Product, ...] = (), lang: str = "en") -> str:
    """Category path (``Top > Sub[ > Leaf]``) with the highest lexicon weight; drugs win ties.

    Each distinct phrase counts once; top levels add up their sub-paths' weights, then the
    best sub-path under the winning top level is returned. ``""`` when nothing matched.
    """
    scores: dict[str, float] = defaultdict(float)
    seen: set[str] = set()
    for label, span in match_lexicons(text[:_MAX_CHARS], lang):
        kind, first, rest = label.split("|", 2)
        path, weight = (rest, PRODUCT_WEIGHT) if kind == "P" else (first, float(rest))
        key = span.text.lower()
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
