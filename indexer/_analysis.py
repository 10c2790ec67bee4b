"""Text analysis, done once in our code for every backend.

Tantivy runs these analyzers as its tokenizers; for Elasticsearch/OpenSearch we send the
analysed tokens joined by spaces to ``whitespace``-analysed fields and analyse query text the
same way, so every backend sees the very same terms (and the integ-test nodes need no
analysis-common module). Pipeline: split on non-alphanumerics, drop tokens over MAX_TOKEN
bytes, lowercase, ASCII-fold, then the Snowball stemmer for ``stem_<lang>`` fields.
"""

from __future__ import annotations

from functools import cache

import tantivy

from ._mapping import LANGS

__all__ = ["MAX_TOKEN", "analyze", "analyzer_name", "analyzers"]

_STEMMERS = {"en": "english", "fr": "french", "nl": "dutch", "es": "spanish"}
#: Longest token kept, in bytes.
MAX_TOKEN = 255


def analyzer_name(field: str) -> str:
    """Analyzer of a text field: ``nw_<lang>`` for ``stem_<lang>``, else ``nw_std``."""
    return f"nw_{field.removeprefix('stem_')}" if field.startswith("stem_") else "nw_std"


def _build(lang: str | None) -> tantivy.TextAnalyzer:
    b = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN + 1))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if lang is not None:
        b = b.filter(tantivy.Filter.stemmer(_STEMMERS[lang]))
    return b.build()


@cache
def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Analyzer name -> analyzer; register all of them on every tantivy Index opened."""
    out = {"nw_std": _build(None)}
    out.update({f"nw_{lang}": _build(lang) for lang in LANGS})
    return out


def analyze(field: str, text: str) -> list[str]:
    """The terms a text field indexes for ``text`` (and that a query on it must use)."""
    return list(analyzers()[analyzer_name(field)].analyze(text))
