"""Language identification restricted to the languages we serve (py3langid, loaded once)."""

from __future__ import annotations

import functools
import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["SERVED", "detect_lang"]

SERVED = ("nl", "fr", "es", "en", "de")
_MIN_LETTERS = 12


@functools.cache
def _identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(SERVED))
    return ident


def detect_lang(text: str, default: str = "en") -> str:
    """Most likely served language of ``text``; ``default`` when too short to tell."""
    sample = re.sub(r"[^\w\s]|\d", " ", text[:5000])
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return default
    lang, _prob = _identifier().classify(sample)
    return str(lang)
