"""Saved searches on documents in Python: the analysts' query language, evaluated without an index.

Same parse, same plan, same field derivation and the same tantivy analyzers as the embedded
backend (`indexer` resolves the query and derives the fields; this module only evaluates),
so a saved search raises an event for exactly the new documents a search would return.
On OpenSearch the percolator can do this server-side; this matcher is the portable path.
"""

from __future__ import annotations

import bisect
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

# Private indexer modules on purpose: one field derivation and one plan, not two (ask: export them).
from indexer._mapping import FIELDS, prepare
from indexer._plan import P, PAll, PBool, PKeyword, PNone, PRange, PText, PWildcard, compile_query

try:  # the indexer moved its analyzers into _analysis; accept both layouts
    from indexer._analysis import analyze as _index_analyze
except ImportError:  # pragma: no cover - older indexer layout
    from indexer._tantivy_render import analyzers as _old_analyzers  # type: ignore[attr-defined]
    from indexer._tantivy_render import text_analyzer_name as _old_name  # type: ignore[attr-defined]

    def _index_analyze(field: str, text: str) -> list[str]:
        return list(_old_analyzers()[_old_name(field)].analyze(text))

__all__ = ["Matcher", "PreparedDoc", "compile_matcher"]


@lru_cache(maxsize=4096)
def _query_tokens(field: str, text: str) -> tuple[str, ...]:
    return tuple(_index_analyze(field, text))


def _tokens(field: str, text: str) -> list[str]:
    return list(_index_analyze(field, text))


class PreparedDoc:
    """A document's searchable fields, derived once and shared by every matcher."""

    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        try:
            self.fields: dict[str, list[Any]] = prepare(doc).fields
        except ValueError:
            self.fields = {}
        self._tokens: dict[str, list[list[str]]] = {}

    def tokens(self, field: str) -> list[list[str]]:
        if field not in self._tokens:
            self._tokens[field] = [_tokens(field, v) for v in self.fields.get(field, ()) if isinstance(v, str)]
        return self._tokens[field]


def _phrase(doc_tokens: list[str], query: list[str], slop: int) -> bool:
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(doc_tokens):
        positions.setdefault(tok, []).append(i)
    if any(t not in positions for t in query):
        return False
    for start in positions[query[0]]:
        prev, gaps, ok = start, 0, True
        for tok in query[1:]:
            cands = positions[tok]
            at = bisect.bisect_right(cands, prev)
            if at == len(cands):
                ok = False
                break
            gaps += cands[at] - prev - 1
            prev = cands[at]
            if gaps > slop:
                ok = False
                break
        if ok:
            return True
    return False


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern),
                      re.DOTALL)


def _in_range(value: Any, p: PRange) -> bool:
    if p.lo is not None and (value < p.lo or (value == p.lo and not p.include_lo)):
        return False
    return not (p.hi is not None and (value > p.hi or (value == p.hi and not p.include_hi)))


def evaluate(p: P, d: PreparedDoc) -> bool:
    """Does the prepared document match the plan node?"""
    if isinstance(p, PAll):
        return True
    if isinstance(p, PNone):
        return False
    if isinstance(p, PKeyword):
        have = d.fields.get(p.field, ())
        return any(v in have for v in p.values)
    if isinstance(p, PRange):
        return any(_in_range(v, p) for v in d.fields.get(p.field, ()))
    if isinstance(p, PWildcard):
        rx = _wildcard_regex(p.pattern)
        if FIELDS[p.field].kind == "text":
            return any(rx.fullmatch(t) for toks in d.tokens(p.field) for t in toks)
        return any(isinstance(v, str) and rx.fullmatch(v) for v in d.fields.get(p.field, ()))
    if isinstance(p, PText):
        for field in p.fields:
            query = list(_query_tokens(field, p.text))
            if not query:
                continue
            for toks in d.tokens(field):
                if (len(query) == 1 and query[0] in toks) or (len(query) > 1 and _phrase(toks, query, p.slop)):
                    return True
        return False
    if isinstance(p, PBool):
        return (all(evaluate(x, d) for x in p.must) and not any(evaluate(x, d) for x in p.must_not)
                and (not p.should or any(evaluate(x, d) for x in p.should)))
    raise AssertionError(f"unknown plan node {p!r}")


class Matcher:
    """One compiled query; `matches(doc)` tells whether the index would return `doc` for it."""

    def __init__(self, query: str, kind: str | None = None, now: datetime | None = None):
        self.query = query
        self.kind = kind
        self.plan = compile_query(query, kind=kind, now=now or datetime.now(UTC))

    def matches(self, doc: dict[str, Any] | PreparedDoc) -> bool:
        prepared = doc if isinstance(doc, PreparedDoc) else PreparedDoc(doc)
        return bool(prepared.fields) and evaluate(self.plan, prepared)


def compile_matcher(query: str, kind: str | None = None) -> Matcher:
    """Compile `query` (raises `indexer.QueryError` with the position of the problem)."""
    return Matcher(query, kind)
