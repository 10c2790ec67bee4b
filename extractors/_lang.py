"""Language identification restricted to the languages we serve (py3langid, loaded once).

py3langid scores byte n-grams found by a walk of its automaton, one Python step per byte: most of
a page's cost. ``_CachedWalk`` walks word by word instead and remembers, per (automaton state,
word), the state it ends in and the n-gram features it met, so words seen before (market pages
repeat their vocabulary) cost one dict lookup. The features come out in the same order, so the
scores are bit-identical to ``classify`` (tests/extractors/test_lang.py compares them).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["SERVED", "detect_lang"]

SERVED = ("nl", "fr", "es", "en", "de")
_MIN_LETTERS = 12
_NOISE = re.compile(r"[^\w\s]|\d")


_WALK_CACHE_MAX = 50_000  # (state, word) entries kept, ~265 bytes each (~13 MB); cleared when full


class _CachedWalk(LanguageIdentifier):
    """py3langid's identifier with a memoised automaton walk (same features, same order)."""

    __slots__ = ("_walks",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._walks: dict[tuple[int, bytes], tuple[int, tuple[int, ...]]] = {}

    def _raw_score(self, text: bytes):  # type: ignore[no-untyped-def]  # py3langid's signature
        visits = self._visit_counts(text)
        if visits:
            return self._sparse_score(visits, self.nb_ptc)
        return super()._raw_score(b"")  # no feature: py3langid's own "abstain" scores

    def _visit_counts(self, text: bytes) -> Counter[int] | None:
        walks = self._walks
        if len(walks) > _WALK_CACHE_MAX:
            walks.clear()
        state, indexes = 0, []
        extend = indexes.extend
        *words, last = text.split(b" ")
        for word in words:  # each is followed by one space: the key stands for ``word + b" "``
            hit = walks.get((state, word))
            if hit is None:
                hit = walks[(state, word)] = self._walk(state, word + b" ")
            state, found = hit
            if found:
                extend(found)
        if last:
            extend(self._walk(state, last)[1])
        return Counter(indexes) if indexes else None

    def _walk(self, state: int, piece: bytes) -> tuple[int, tuple[int, ...]]:
        """py3langid's ``visit_counts`` loop from ``state``: (end state, features in order)."""
        nextmove, rowbase, output = self.tk_nextmove, self._rowbase, self.tk_output
        found = []
        for letter in piece:
            state = nextmove[rowbase[state] + letter]
            feature = output[state]
            if feature >= 0:
                found.append(feature)
        return state, tuple(found)


def _walk_supported() -> bool:
    """The py3langid internals the cached walk relies on are there (0.4.x)."""
    names = ("tk_nextmove", "_rowbase", "tk_output", "_sparse_score", "_raw_score", "nb_ptc")
    return all(hasattr(LanguageIdentifier, n) for n in names)


@functools.cache
def _identifier() -> LanguageIdentifier:
    cls = _CachedWalk if _walk_supported() else LanguageIdentifier
    ident = cls.from_model_file(MODEL_FILE, norm_probs=True)
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
