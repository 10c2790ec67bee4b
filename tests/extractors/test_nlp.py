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
        ("Lemon Kush - 15g - Weed", "Drugs & Chemicals"),
        ("Glock 19 with 50 rounds", "Weapons"),
        ("FUD crypter + android RAT", "Software & Malware"),
        ("Premium NordVPN account 1 year", "Security & Hosting"),
        ("nothing to see", ""),
    ],
)
def test_category_top_level(title, top):
    assert classify_category(title).split(" > ")[0] == top


def _stock_pipeline(lang):
    """spaCy's blank pipeline with our affix rules but its own special cases (whitespace included)."""
    import spacy
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    from extractors import _nlp

    nlp = spacy.blank(lang)
    d = nlp.Defaults
    nlp.tokenizer.prefix_search = compile_prefix_regex([_nlp._CURRENCY_PREFIX, *d.prefixes]).search
    nlp.tokenizer.suffix_search = compile_suffix_regex([_nlp._UNIT_SUFFIX, *d.suffixes]).search
    nlp.tokenizer.infix_finditer = compile_infix_regex([_nlp._NUM_INFIX, *d.infixes]).finditer
    return nlp


def _signature(doc):
    return [(t.orth_, t.idx, t.whitespace_, t.norm_, t.lower_, t.is_space, t.is_punct) for t in doc]


@pytest.mark.parametrize("base", ["en", "es"])
def test_whitespace_special_cases_dropped_without_changing_tokens(base):
    """The whitespace specials are gone (they disabled spaCy's chunk cache for the rest of a Doc),
    and every text still tokenizes exactly as with spaCy's stock special cases."""
    import random

    from extractors._nlp import load_pipeline

    ours, stock = load_pipeline(base), _stock_pipeline(base)
    assert "\n" in stock.tokenizer.rules and "\n" not in ours.tokenizer.rules
    assert "\xa0" in ours.tokenizer.rules  # it sets a NORM: kept
    rnd = random.Random(10)
    alphabet = [" ", "\n", "\t", "\xa0", "\r", "\u3000", "a", "B", ".", ",", "'", "s", "(", ")", "-", "1", "g",
                "€", ":", '"', "x", "5", "!", "/", "don't", "e.g.", "Rotterdam", "0,5g", ":)"]
    texts = ["a \n b\n\nc\t d \xa0e", "line one\nline two's\n", "  \n\t \n", "x\n:)\n's\ne.g.\n10x100mg\n"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40))) for _ in range(3000)]
    for text in texts:
        assert _signature(ours.make_doc(text)) == _signature(stock.make_doc(text)), repr(text)
        assert _signature(ours.make_doc(text)) == _signature(stock.make_doc(text)), repr(text)  # cached path


@pytest.mark.parametrize("text", ["2x Cocaine 1g uncut peru", "mdma 84% crystal 5g and xtc pills " * 20, "nothing here"])
def test_product_hits_memo_matches_the_matcher(text):
    """Titles' lexicon hits are memoised: asked twice, both answers equal the matcher's own spans."""
    from extractors._nlp import match_lexicons

    direct = tuple((label, s.text, s.start_char, s.end_char) for label, s in match_lexicons(text, "en"))
    expected: dict[str, tuple] = {}
    for label, matched, start, end in direct:
        kind, name, category = label.split("|", 2)
        if kind == "P" and name not in expected:
            expected[name] = (name, category, matched, start, end)
    for _ in range(2):
        got = tuple((p.name, p.category, p.text, p.start, p.end) for p in find_products(text, "en"))
        assert got == tuple(expected.values())
    assert bool(direct) == (text != "nothing here")


@pytest.mark.parametrize("text", ["Shipped with DHL from the port of Rotterdam, container hidden", "no hubs here",
                                  "stealth via PostNL " * 30])
def test_logistics_memo_of_short_texts_matches_the_matcher(text):
    """Short texts' logistics mentions are memoised: asked twice, both equal the uncached search."""
    from extractors._logistics import _find, find_logistics

    expected = _find(text, "en")
    assert find_logistics(text, "en") == expected and find_logistics(text, "en") == expected
    assert bool(expected) == (text != "no hubs here")
