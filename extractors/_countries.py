"""Country and region names in nl/fr/es/en/de (from CLDR via babel) to one English name."""

from __future__ import annotations

import functools
import re
import unicodedata

from babel import Locale

__all__ = ["normalise_country", "split_countries"]

WORLDWIDE = "Worldwide"
_EXTRA = {
    "worldwide": WORLDWIDE, "world wide": WORLDWIDE, "world-wide": WORLDWIDE, "ww": WORLDWIDE,
    "everywhere": WORLDWIDE, "international": WORLDWIDE, "world": WORLDWIDE, "global": WORLDWIDE,
    "wereldwijd": WORLDWIDE, "overal": WORLDWIDE, "monde entier": WORLDWIDE, "monde": WORLDWIDE,
    "international shipping": WORLDWIDE, "mundial": WORLDWIDE, "todo el mundo": WORLDWIDE,
    "weltweit": WORLDWIDE, "all countries": WORLDWIDE, "any": "",
    "eu": "EU", "europe": "Europe", "europa": "Europe", "european union": "EU", "union européenne": "EU",
    "europese unie": "EU", "unión europea": "EU",
    "usa": "United States", "us": "United States", "u.s.a.": "United States", "u.s.": "United States",
    "america": "United States", "united states of america": "United States", "uk": "United Kingdom",
    "u.k.": "United Kingdom", "great britain": "United Kingdom", "britain": "United Kingdom",
    "england": "United Kingdom", "holland": "Netherlands", "the netherlands": "Netherlands",
    "nl": "Netherlands", "be": "Belgium", "fr": "France", "es": "Spain", "de": "Germany",
    "benelux": "Benelux", "scandinavia": "Scandinavia", "north america": "North America",
    "south america": "South America", "oceania": "Oceania", "asia": "Asia", "africa": "Africa",
    "antarctica": "Antarctica", "australia": "Australia", "belgië": "Belgium", "belgie": "Belgium",
}
_CODES_AS_NAMES = frozenset({"nl", "be", "fr", "es", "de", "uk", "us", "eu", "ww"})


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^\w\s.'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .-")


@functools.cache
def _names() -> dict[str, str]:
    english = Locale("en").territories
    names: dict[str, str] = {}
    for lang in ("de", "es", "fr", "nl", "en"):  # English last: it wins on clashes
        for code, name in Locale(lang).territories.items():
            if code.isalpha() and len(code) == 2 and code in english:
                names[_key(name)] = english[code]
    for name, canon in _EXTRA.items():
        names[_key(name)] = canon
    return names


def normalise_country(text: str) -> str:
    """English name for a country/region name in any served language; ``""`` if unknown."""
    key = _key(text)
    if not key or len(key) > 40:
        return ""
    return _names().get(key, "")


_SPLIT_RE = re.compile(r"\s*(?:,|;|/|\||\+|&|\band\b|\ben\b|\bet\b|\by\b|\bund\b|\n)\s*", re.IGNORECASE)


def split_countries(text: str) -> tuple[str, ...]:
    """Recognised places in a list such as ``Europe, Germany & NL``, in order, deduplicated."""
    out: list[str] = []
    whole = normalise_country(text)
    parts = [text] if whole else _SPLIT_RE.split(text)
    for part in parts[:60]:
        name = normalise_country(part)
        if name and name not in out:
            out.append(name)
    return tuple(out)
