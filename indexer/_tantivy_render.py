"""Tantivy side of the mapping: schema, analyzers, and rendering a query plan to tantivy queries."""

from __future__ import annotations

import tantivy

from ._analysis import analyze, analyzer_name
from ._mapping import FIELDS
from ._plan import P, PAll, PBool, PKeyword, PNone, PRange, PText, PWildcard

__all__ = ["SOURCE_FIELD", "Renderer", "build_schema", "render"]

SOURCE_FIELD = "_source"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_bytes_field(SOURCE_FIELD, stored=True)
    for spec in FIELDS.values():
        if spec.kind == "text":
            sb.add_text_field(spec.name, tokenizer_name=analyzer_name(spec.name))
        elif spec.kind == "keyword":
            sb.add_text_field(spec.name, tokenizer_name="raw", fast=True)
        elif spec.kind == "number":
            sb.add_float_field(spec.name, indexed=True, fast=True)
        else:
            sb.add_date_field(spec.name, indexed=True, fast=True)
    return sb.build()


def _regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch.isalnum() or ord(ch) > 127:
            out.append(ch)
        else:
            out.append(f"\\x{{{ord(ch):x}}}")
    return "".join(out)


class Renderer:
    """Renders plans for one schema (analysis: indexer._analysis, as the tokenizers)."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    def render(self, p: P) -> tantivy.Query:
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(p, PAll):
            return Q.all_query()
        if isinstance(p, PNone):
            return Q.empty_query()
        if isinstance(p, PKeyword):
            if len(p.values) == 1:
                return Q.term_query(self.schema, p.field, p.values[0])
            return Q.term_set_query(self.schema, p.field, list(p.values))
        if isinstance(p, PWildcard):
            return Q.regex_query(self.schema, p.field, _regex(p.pattern))
        if isinstance(p, PRange):
            kind = FIELDS[p.field].kind
            ftype = tantivy.FieldType.Float if kind == "number" else tantivy.FieldType.Date
            return Q.range_query(
                self.schema,
                p.field,
                ftype,
                p.lo,
                p.hi,
                p.include_lo or p.lo is None,  # tantivy: an open side must be "inclusive"
                p.include_hi or p.hi is None,
            )
        if isinstance(p, PText):
            per_field = [self._text(f, p.text, p.slop) for f in p.fields]
            if len(per_field) == 1:
                return per_field[0]
            return Q.boolean_query([(Occur.Should, x) for x in per_field])
        if isinstance(p, PBool):
            subs: list[tuple[tantivy.Occur, tantivy.Query]] = [
                (Occur.Must, self.render(x)) for x in p.must
            ]
            subs += [(Occur.MustNot, self.render(x)) for x in p.must_not]
            if p.should:
                anyq = Q.boolean_query([(Occur.Should, self.render(x)) for x in p.should])
                subs.append((Occur.Must, anyq))
            if not p.must and not p.should:
                subs.append((Occur.Must, Q.all_query()))
            return Q.boolean_query(subs)
        raise AssertionError(f"unknown plan node {p!r}")

    def _text(self, field: str, text: str, slop: int) -> tantivy.Query:
        tokens = analyze(field, text)
        if not tokens:
            return tantivy.Query.empty_query()
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        return tantivy.Query.phrase_query(self.schema, field, tokens, slop=slop)


def render(schema: tantivy.Schema, p: P) -> tantivy.Query:
    """One-off rendering (tests); backends keep a Renderer."""
    return Renderer(schema).render(p)
