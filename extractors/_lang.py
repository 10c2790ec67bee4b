"""Language identification restricted to the languages we serve (py3langid, loaded once)."""

from __future__ import annotations

import functools
import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["SERVED", "detect_lang"]

SERVED = ("nl", "fr", "es", "en", "de")
_MIN_LETTERS = 12
_NOISE = re.compile(r"[^\w\s]|\d")


@functools.cache
def _identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(SERVED))
    return ident


def _enough_letters(sample: str) -> bool:
    """At least _MIN_LETTERS alphabetic characters (stops counting there)."""
    count = 0
    for ch in sample:
        if ch.isalpha():
            count += 1
            if count >= _MIN_LETTERS:
                return True
    return False


@functools.lru_cache(maxsize=512)
def detect_lang(text: str, default: str = "en") -> str:
    """Most likely served language of ``text``; ``default`` when too short to tell.

    Pure, so cached: a page asks about the same block several times (page, listing, post).
    """
    sample = _NOISE.sub(" ", text[:5000])
    if not _enough_letters(sample):
        return default
    lang, _prob = _identifier().classify(sample)
    return str(lang)
