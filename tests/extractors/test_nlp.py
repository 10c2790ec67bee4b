"""Tokenizer rules and lexicon matching of the blank spaCy pipelines."""

import pytest

from extractors._lexicons import load_categories, load_products
from extractors._nlp import LANGS, tokenize
from extractors._products import classify_category, find_products


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("0,5g", ["0,5", "g"]),
        ("500tabs", ["500", "tabs"]),
        ("10x", ["10", "x"]),
        ("€45", ["€", "45"]),
        ("3.5G", ["3.5", "G"]),
        ("10x100mg", ["10", "x", "100", "mg"]),
    ],
)
def test_tokenizer_splits_market_units(lang, text, tokens):
    assert [t.text for t in tokenize(text, lang)] == tokens


def test_lexicons_load_and_are_not_empty():
    assert len(load_products()) > 20 and all(p.terms for p in load_products())
    assert any(c.path.startswith("Fraud") for c in load_categories())


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("0,5g coke van de beste kwaliteit", "nl", "cocaine"),
        ("vends de la beuh et du shit", "fr", "cannabis_buds"),
        ("vendo farlopa buena", "es", "cocaine"),
        ("2 GR DUTCH MDMA", "en", "mdma"),
    ],
)
def test_products_in_several_languages(text, lang, name):
    assert name in [p.name for p in find_products(text, lang)]


@pytest.mark.parametrize(
    ("title", "top"),
    [
        ("USA FULLZ WITH DOB+SSN, RANDOM STATE", "Fraud"),
        ("Counterfeit Gold Bar 1oz with Veriscan proof", "Jewels & Gold"),
        ("Silver Haze - 20g - Weed", "Drugs & Chemicals"),
        ("Glock 19 with 50 rounds", "Weapons"),
        ("FUD crypter + android RAT", "Software & Malware"),
        ("Premium NordVPN account 1 year", "Security & Hosting"),
        ("nothing to see", ""),
    ],
)
def test_category_top_level(title, top):
    assert classify_category(title).split(" > ")[0] == top
