"""Prices in EUR from the dated rates table ``config/rates.yaml`` (no network, loaded once)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from extractors._lexicons import lexicon_dir
from extractors.exceptions import LexiconError
from extractors.model import Price, PriceEur

__all__ = ["load_rates", "rates_path", "to_eur"]


def rates_path() -> Path:
    """``rates.yaml`` beside the lexicon directory (``config/``)."""
    return lexicon_dir().parent / "rates.yaml"


@functools.cache
def load_rates() -> tuple[str, dict[str, float]]:
    """(date, {currency: EUR per unit}); a missing or malformed table is a ``LexiconError``."""
    path = rates_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("eur_per_unit"), dict) or not data.get("date"):
        raise LexiconError(f"{path}: needs 'date' and an 'eur_per_unit' mapping")
    rates = {}
    for code, value in data["eur_per_unit"].items():
        if not isinstance(value, int | float) or value <= 0:
            raise LexiconError(f"{path}: eur_per_unit.{code}: must be a positive number")
        rates[str(code).upper()] = float(value)
    return str(data["date"]), rates


def to_eur(price: Price | None) -> PriceEur | None:
    """The price in EUR with the rate and its date; ``None`` without a price or a rate."""
    if price is None:
        return None
    date, rates = load_rates()
    rate = rates.get(price.currency.upper())
    if rate is None:
        return None
    return PriceEur(amount=round(price.amount * rate, 2), rate=rate, rate_date=date)
