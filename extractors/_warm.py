"""Load every model and lexicon of extraction once, before the first page waits for them."""

from __future__ import annotations

__all__ = ["warm_up"]

_PAGE = ("<html><body><h1>Cocaine 1g</h1><p>Vendor: warmup</p><p>Price: 50 EUR</p>"
         "<p>Ships from: Netherlands</p><p>Ships to: Belgium, France, Spain</p></body></html>")


def warm_up() -> None:
    """Build the spaCy pipelines and matchers of every served language, load the language
    identifier, the country names and the recruitment model. Idempotent; cheap once done."""
    from extractors._extract import extract_html, extract_text
    from extractors._logistics import find_logistics
    from extractors._nlp import LANGS, match_lexicons
    from extractors._recruit import load_model

    for lang in LANGS:
        match_lexicons("warm up 1g", lang)
        find_logistics("warm up via Rotterdam", lang)
    load_model()
    extract_html(_PAGE.encode())
    extract_text("warm up: the recruitment model scores the first post")
