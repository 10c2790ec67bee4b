"""Kept for callers of the old location: the query matcher is public in `indexer` now
(`indexer.compile_matcher`, `indexer.match`, `indexer.prepare_document`); import it from there."""

from __future__ import annotations

from indexer import Matcher, compile_matcher
from indexer import PreparedDocument as PreparedDoc

__all__ = ["Matcher", "PreparedDoc", "compile_matcher"]
