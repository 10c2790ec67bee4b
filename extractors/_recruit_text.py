"""Text normalisation shared by recruitment training and scoring: undo common obfuscation."""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalise"]

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"})
_MIXED = re.compile(r"\b(?=\w*[a-z])(?=\w*[013457@$])[\w@$€]+\b")
_SPACED = re.compile(r"(?<!\S)(?:[a-z0-9@$]\s){2,}[a-z0-9@$](?!\S)")
_DOTTED = re.compile(r"\b(?:[a-z][.\-_*]){2,}[a-z]\b")
_REPEAT = re.compile(r"(.)\1{2,}")


@functools.lru_cache(maxsize=256)  # pure; scoring normalises each text 3 times (cues, 2 vectorizers)
def normalise(text: str) -> str:
    """Lower case, accents stripped, emoji and symbols dropped, leetspeak inside words folded
    (``k03r13r`` -> ``koerier``; plain numbers stay), spaced or dotted letters joined
    (``r u n n e r s`` -> ``runners``), letters repeated 3+ times cut to two."""
    text = unicodedata.normalize("NFKD", text[:20000].casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _MIXED.sub(lambda m: m.group(0).translate(_LEET) if not m.group(0).isdigit() else m.group(0), text)
    text = _DOTTED.sub(lambda m: re.sub(r"[.\-_*]", "", m.group(0)), text)
    text = "".join(ch if (ch.isalnum() or ch.isspace() or ch in "'-+%") else " " for ch in text)
    text = _REPEAT.sub(r"\1\1", text)
    return re.sub(r"\s+", " ", text).strip()
