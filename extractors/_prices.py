"""Prices and quantities: fiat and crypto amounts with locale-aware decimal separators.

``find_prices`` keeps every mention (with its span); choosing the listing price is the
listing extractor's job. Amounts like ``0.250 XMR`` stay 0.25: a price-parser that strips
"thousands separators" blindly reads 250.
"""

from __future__ import annotations

import re

from extractors.model import Price, Quantity

__all__ = ["CRYPTO", "find_prices", "find_quantity", "parse_amount"]

CRYPTO = frozenset({"BTC", "XMR", "LTC", "ETH", "BCH", "USDT", "DOGE", "DASH", "ZEC", "TRX"})
_CODES = "USD|EUR|GBP|AUD|CAD|CHF|SEK|NOK|DKK|PLN|CZK|RUB|JPY|" + "|".join(sorted(CRYPTO)) + "|XBT"
_SYMBOLS = {
    "US$": "USD", "AU$": "AUD", "A$": "AUD", "CA$": "CAD", "C$": "CAD", "$": "USD", "€": "EUR",
    "£": "GBP", "฿": "BTC", "₿": "BTC", "ɱ": "XMR", "Ξ": "ETH", "Ł": "LTC", "¥": "JPY",
}
_WORDS = {
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "dollar": "USD", "dollars": "USD", "usd": "USD",
    "dólares": "USD", "dollars us": "USD", "bitcoin": "BTC", "bitcoins": "BTC", "monero": "XMR",
    "pounds": "GBP", "pound": "GBP", "gbp": "GBP", "btc": "BTC", "xmr": "XMR",
}
_SYM_RE = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_NUM = r"\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,8})?|\d+(?:[.,]\d{1,8})?|[.,]\d{1,8}"
_PRICE_RE = re.compile(
    rf"(?P<pre>(?<![A-Za-z])(?:{_CODES})(?![A-Za-z])|{_SYM_RE})\s?(?P<n1>{_NUM})(?![\d])"
    rf"|(?<![\w.,])(?P<n2>{_NUM})\s?(?P<post>(?:{_CODES})(?![A-Za-z])|{_SYM_RE}|(?i:euros?|dollars?|bitcoins?|monero|pounds?)\b)"
)
_DECIMAL_COMMA_LANGS = frozenset({"nl", "fr", "es", "de", "it", "pt"})
_QTY_RE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(kg|kilos?|mg|ug|µg|μg|mcg|ml|grams?|gramos?|grammes?|gr|g|oz|lbs?|tabs?|tablets?|pills?|caps|capsules?|blotters?|x)(?![A-Za-z])",
    re.IGNORECASE,
)
_UNITS = {
    "kilo": "kg", "kilos": "kg", "gram": "g", "grams": "g", "gramo": "g", "gramos": "g", "gramme": "g",
    "grammes": "g", "gr": "g", "tabs": "tab", "tablet": "tab",
    "tablets": "tab", "pills": "pill", "capsule": "cap", "capsules": "cap", "caps": "cap",
    "blotters": "blotter", "µg": "ug", "μg": "ug", "mcg": "ug", "x": "unit", "lb": "lbs",
}


def parse_amount(raw: str, lang: str = "en", crypto: bool = False) -> float | None:
    """Read a number written with either decimal convention.

    The last of two different separators is the decimal one; a separator used twice or more
    groups thousands; a single separator followed by exactly three digits is read with the
    page language (``1.500`` is 1500 in nl/fr/es, ``1,500`` is 1500 in en) except for crypto,
    where it is a decimal (``0.250 XMR``).
    """
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ")
    s = s.replace(" ", "")
    if not s or not any(ch.isdigit() for ch in s):
        return None
    seps = [ch for ch in s if ch in ".,"]
    if not seps:
        return float(s)
    last = seps[-1]
    if len(set(seps)) == 2:
        thousands = "," if last == "." else "."
        s = s.replace(thousands, "").replace(last, ".")
    elif len(seps) > 1:
        s = s.replace(last, "")
    else:
        head, tail = s.split(last)
        grouping = len(tail) == 3 and head not in ("", "0") and not crypto
        if grouping:
            grouping = (last == ",") != (lang in _DECIMAL_COMMA_LANGS)
        s = head + tail if grouping else f"{head or '0'}.{tail}"
    try:
        return float(s)
    except ValueError:
        return None


def find_prices(text: str, lang: str = "en", base: int = 0) -> tuple[Price, ...]:
    """Every price mention (amount > 0) in order; ``base`` is added to the spans."""
    out: list[Price] = []
    for m in _PRICE_RE.finditer(text):
        if m.group("pre"):
            token, number = m.group("pre"), m.group("n1")
        else:
            token, number = m.group("post"), m.group("n2")
        currency = _SYMBOLS.get(token) or _WORDS.get(token.lower()) or token.upper()
        if currency == "XBT":
            currency = "BTC"
        amount = parse_amount(number, lang, crypto=currency in CRYPTO)
        if amount is None or amount <= 0 or amount > 1e9:
            continue
        rule = "symbol" if token in _SYMBOLS else "code"
        out.append(Price(amount, currency, m.group(0).strip(), base + m.start(), base + m.end(), rule))
    return tuple(out)


def find_quantity(text: str) -> Quantity | None:
    """First quantity with a unit (``10g``, ``0,5 gr``, ``500tabs``, ``10x``)."""
    for m in _QTY_RE.finditer(text):
        value = parse_amount(m.group(1), "nl" if "," in m.group(1) else "en", crypto=True)
        if value is None or value <= 0:
            continue
        unit = m.group(2).lower()
        return Quantity(value, _UNITS.get(unit, unit), m.group(0))
    return None
