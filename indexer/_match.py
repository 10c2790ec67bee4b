"""Queries evaluated on one document in Python: the same answer a search would give, without an index.

Same parse, same plan, same field derivation and the same analyzers as the backends, so a caller
(saved searches and watch lists in `nachtwacht.alerts`) decides "would the index return this
document for this query?" for documents as they are indexed. On OpenSearch the percolator can do
this server-side; this matcher is the portable path and the reference.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ._analysis import analyze
from ._mapping import FIELDS, prepare
from ._plan import P, PAll, PBool, PKeyword, PNone, PRange, PText, PWildcard, compile_query

__all__ = ["Matcher", "PreparedDocument", "compile_matcher", "has_phrase", "match", "normalise",
           "prepare_document", "terms"]


@lru_cache(maxsize=4096)
def _query_terms(field: str, text: str) -> tuple[str, ...]:
    return tuple(analyze(field, text))


def terms(text: str, field: str = "body") -> list[str]:
    """The terms the text field `field` indexes for `text` (lowercased, ASCII-folded, stemmed for
    `stem_<lang>` fields). Raises KeyError for an unknown field."""
    if FIELDS[field].kind != "text":
        raise KeyError(f"{field!r} is not a text field")
    return analyze(field, text)


def normalise(field: str, value: str) -> str:
    """A keyword value as the index stores and compares it (e.g. `wallet` folds bech32/hex case,
    `pgp` drops spaces and `0x`, `vendor_id` normalises handles). Raises KeyError for an unknown field."""
    return FIELDS[field].norm(value)


def has_phrase(doc_terms: Sequence[str], phrase: Sequence[str], slop: int = 0) -> bool:
    """Do the terms of `phrase` occur in order in `doc_terms`, with at most `slop` terms between them
    in total? (Both sides analysed with `terms`.) An empty phrase never matches."""
    if not phrase:
        return False
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(doc_terms):
        positions.setdefault(tok, []).append(i)
    if any(t not in positions for t in phrase):
        return False
    for start in positions[phrase[0]]:
        prev, gaps, ok = start, 0, True
        for tok in phrase[1:]:
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


class PreparedDocument:
    """A document's searchable fields, derived once and shared by every matcher.

    A document the index would refuse (no `id` or unknown `kind`) has no fields and matches nothing.
    """

    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        try:
            self.fields: dict[str, list[Any]] = prepare(doc).fields
        except ValueError:
            self.fields = {}
        self._terms: dict[str, list[list[str]]] = {}

    def terms(self, field: str) -> list[list[str]]:
        """The analysed terms of each value of text field `field`."""
        if field not in self._terms:
            self._terms[field] = [analyze(field, v) for v in self.fields.get(field, ()) if isinstance(v, str)]
        return self._terms[field]


def prepare_document(doc: dict[str, Any]) -> PreparedDocument:
    """Derive `doc`'s searchable fields once, to match it against many queries."""
    return PreparedDocument(doc)


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern),
                      re.DOTALL)


def _in_range(value: Any, p: PRange) -> bool:
    if p.lo is not None and (value < p.lo or (value == p.lo and not p.include_lo)):
        return False
    return not (p.hi is not None and (value > p.hi or (value == p.hi and not p.include_hi)))


def _evaluate(p: P, d: PreparedDocument) -> bool:
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
            return any(rx.fullmatch(t) for toks in d.terms(p.field) for t in toks)
        return any(isinstance(v, str) and rx.fullmatch(v) for v in d.fields.get(p.field, ()))
    if isinstance(p, PText):
        for field in p.fields:
            query = list(_query_terms(field, p.text))
            if not query:
                continue
            for toks in d.terms(field):
                if (len(query) == 1 and query[0] in toks) or (len(query) > 1 and has_phrase(toks, query, p.slop)):
                    return True
        return False
    if isinstance(p, PBool):
        return (all(_evaluate(x, d) for x in p.must) and not any(_evaluate(x, d) for x in p.must_not)
                and (not p.should or any(_evaluate(x, d) for x in p.should)))
    raise AssertionError(f"unknown plan node {p!r}")


class Matcher:
    """One compiled query; `matches(doc)` tells whether a search for it would return `doc`.

    Relative dates (`first_seen:[now-7d TO *]`) are resolved once, at `now` (default: compile time).
    """

    def __init__(self, query: str, kind: str | None = None, now: datetime | None = None):
        self.query = query
        self.kind = kind
        self.plan = compile_query(query, kind=kind, now=now or datetime.now(UTC))

    def matches(self, doc: dict[str, Any] | PreparedDocument) -> bool:
        prepared = doc if isinstance(doc, PreparedDocument) else PreparedDocument(doc)
        return bool(prepared.fields) and _evaluate(self.plan, prepared)


def compile_matcher(query: str, kind: str | None = None, now: datetime | None = None) -> Matcher:
    """Compile `query` (the analysts' language) once; raises `QueryError` naming the position."""
    return Matcher(query, kind, now)


def match(query: str, doc: dict[str, Any], *, kind: str | None = None) -> bool:
    """Would a search for `query` (restricted to `kind` if given) return `doc`? Raises `QueryError`."""
    return Matcher(query, kind).matches(doc)
