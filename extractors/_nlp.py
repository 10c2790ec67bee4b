"""spaCy pipelines: blank tokenizers tuned for market text, with a PhraseMatcher over the
product and category lexicons. Built once per process and language.

The languages we serve share spaCy's English tokenizer rules (plus ours): ``spacy.blank("fr")``
compiles its tokenizer-exception regex for 7-19 s and ``"nl"`` for ~4 s at every process
start (measured here, spaCy 3.8), which would dominate a CLI call and every worker, while
lexicon matching on lower-cased tokens gains nothing from them. ``_BASE`` says which rules
each language uses; change it there if a statistical pipeline is added.
"""

from __future__ import annotations

import functools

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans

from extractors._lexicons import load_categories, load_products

__all__ = ["LANGS", "load_pipeline", "match_lexicons", "tokenize"]

LANGS = ("nl", "fr", "es", "en")
_BASE = {"nl": "en", "fr": "en", "es": "es", "en": "en"}
# units glued to numbers: 0,5g  500tabs  10x  3.5G  28gr  100mg  250ug
_UNIT_SUFFIX = r"(?<=[0-9])(?:[gG][rR]?|[kK][gG]|[mM][gG]|[uUµμ][gG]|[mM][cC][gG]|[mM][lL]|[oO][zZ]|[tT][aA][bB][sS]?|[pP][iI][lL][lL][sS]?|[xX])"
_CURRENCY_PREFIX = r"[€$£฿₿ɱΞ]"
_NUM_INFIX = r"(?<=[0-9])[xX×](?=[0-9])"  # 10x100mg -> 10 x 100mg


def _tune_tokenizer(nlp: Language) -> None:
    defaults = nlp.Defaults
    prefixes = [_CURRENCY_PREFIX, *defaults.prefixes]
    suffixes = [_UNIT_SUFFIX, *defaults.suffixes]
    infixes = [_NUM_INFIX, *defaults.infixes]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # A special case hit stops spaCy caching every later chunk of that Doc (spaCy #1250 guard),
    # and the whitespace specials ("\n" ends nearly every line) would hit on almost every text:
    # dropped, they tokenize to the same single token (no prefix/suffix/infix matches whitespace)
    # and the chunk cache works again (~3x fewer affix searches; same tokens, see tests).
    nlp.tokenizer.rules = {key: value for key, value in nlp.tokenizer.rules.items()
                           if not (key.isspace() and value == [{ORTH: key}])}


@functools.cache
def load_pipeline(lang: str) -> Language:
    """Blank pipeline for ``lang`` (unknown languages use English rules), tokenizer tuned."""
    base = _BASE.get(lang, "en")
    if base != lang:
        return load_pipeline(base)
    nlp = spacy.blank(base)
    _tune_tokenizer(nlp)
    return nlp


def _matcher(lang: str) -> PhraseMatcher:
    return _matcher_for(_BASE.get(lang, "en"))


@functools.cache
def _matcher_for(lang: str) -> PhraseMatcher:
    nlp = load_pipeline(lang)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for entry in load_products():
        matcher.add(f"P|{entry.name}|{entry.category}", [nlp.make_doc(t) for t in entry.terms])
    for cat in load_categories():
        matcher.add(f"C|{cat.path}|{cat.weight}", [nlp.make_doc(t) for t in cat.terms])
    return matcher


def tokenize(text: str, lang: str = "en") -> Doc:
    """The tokens of ``text``. Callers only read the Doc: the same text is tokenized once for
    products, categories and logistics (a small per-process cache of recent texts)."""
    lang = lang if lang in LANGS else "en"
    return _tokenize(text, _BASE.get(lang, "en"))


@functools.lru_cache(maxsize=64)
def _tokenize(text: str, base: str) -> Doc:
    return load_pipeline(base).make_doc(text)


def match_lexicons(text: str, lang: str = "en") -> list[tuple[str, Span]]:
    """Lexicon hits (label, span), overlapping hits resolved to the longest."""
    lang = lang if lang in LANGS else "en"
    doc = tokenize(text, lang)
    matcher = _matcher(lang)
    spans = [Span(doc, start, end, label=doc.vocab.strings[mid]) for mid, start, end in matcher(doc)]
    return [(span.label_, span) for span in filter_spans(spans)]
