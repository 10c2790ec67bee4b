"""Errors raised by extraction.

Hierarchy::

    ExtractionError            root of everything ``extractors`` raises
    ├── LexiconError           a lexicon YAML file is missing or malformed (names the file)
    ├── ModelError             the recruitment model file is missing, stale or unreadable
    └── InputError             the caller passed something that is not text or bytes

``extract_html``/``extract_text`` never raise on hostile *content*: oversized or binary input
degrades to an ``other`` page. They raise only for programming errors (wrong types) and broken
package data (lexicons, model).
"""

from __future__ import annotations

__all__ = ["ExtractionError", "InputError", "LexiconError", "ModelError"]


class ExtractionError(Exception):
    """Root of the errors raised by ``extractors``."""


class LexiconError(ExtractionError):
    """A lexicon file is missing or malformed; the message names the file and the entry."""


class ModelError(ExtractionError):
    """The recruitment model cannot be loaded (missing, wrong version, unreadable)."""


class InputError(ExtractionError):
    """The input has the wrong type (neither ``str`` nor ``bytes``)."""
