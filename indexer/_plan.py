"""Resolve a parsed query into a backend-neutral plan: fields, normalised values, absolute dates.

Everything that could make backends disagree is decided here, once: alias lookup, keyword
normalisation, number parsing, date math (``now-7d``, ``now/d``, ``2025-03``) resolved to UTC
instants. Backends only render the plan (``_tantivy_render``, ``_es_render``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import _query as q
from ._mapping import DEFAULT_KEYWORD_FIELDS, DEFAULT_TEXT_FIELDS, FIELDS, FieldSpec, resolve_field
from .exceptions import QueryError

__all__ = [
    "P",
    "PAll",
    "PBool",
    "PKeyword",
    "PNone",
    "PRange",
    "PText",
    "PWildcard",
    "compile_query",
    "fold",
]


@dataclass(frozen=True, slots=True)
class PAll:
    pass


@dataclass(frozen=True, slots=True)
class PNone:
    pass


@dataclass(frozen=True, slots=True)
class PKeyword:
    """Exact match of one of ``values`` (already normalised) on a keyword field."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PWildcard:
    """``*``/``?`` pattern on a keyword field or on the terms of an analysed text field."""

    field: str
    pattern: str


@dataclass(frozen=True, slots=True)
class PText:
    """Analysed text on ``fields``: each backend analyses with the field's analyzer.

    One token is a term query, several tokens a phrase (with ``slop``), zero tokens match nothing.
    """

    fields: tuple[str, ...]
    text: str
    slop: int = 0


@dataclass(frozen=True, slots=True)
class PRange:
    """Range on a number (float bounds) or date (aware UTC datetime bounds) field."""

    field: str
    lo: float | datetime | None
    hi: float | datetime | None
    include_lo: bool = True
    include_hi: bool = True


@dataclass(frozen=True, slots=True)
class PBool:
    """All ``must``, none of ``must_not``, and at least one ``should`` when there are any."""

    must: tuple[P, ...] = ()
    should: tuple[P, ...] = ()
    must_not: tuple[P, ...] = ()


P = PAll | PNone | PKeyword | PWildcard | PText | PRange | PBool


def fold(text: str) -> str:
    """Lowercase and strip accents (what our text analyzers do to terms)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_MATH = re.compile(r"([+-])(\d+)([yMwdhHms])|/([yMwdhHms])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "H": 3600, "d": 86400, "w": 7 * 86400}


def _round_down(dt: datetime, unit: str) -> datetime:
    if unit == "y":
        return dt.replace(month=1, day=1, hour=0, minute=0, second=0)
    if unit == "M":
        return dt.replace(day=1, hour=0, minute=0, second=0)
    if unit == "w":
        dt = dt - timedelta(days=dt.weekday())
        return dt.replace(hour=0, minute=0, second=0)
    if unit == "d":
        return dt.replace(hour=0, minute=0, second=0)
    if unit in "hH":
        return dt.replace(minute=0, second=0)
    if unit == "m":
        return dt.replace(second=0)
    return dt


def _add(dt: datetime, n: int, unit: str) -> datetime:
    if unit in "yM":
        months = dt.year * 12 + dt.month - 1 + (n * 12 if unit == "y" else n)
        year, month = divmod(months, 12)
        day = min(dt.day, 28)
        return dt.replace(year=year, month=month + 1, day=day)
    return dt + timedelta(seconds=n * _UNITS[unit])


def _date_period(raw: str, now: datetime, query: str, pos: int) -> tuple[datetime, datetime]:
    """[start, end) of the period a date expression names (1 s for instants)."""
    text = raw.strip()
    second = timedelta(seconds=1)
    if text.startswith("now"):
        dt = now.replace(microsecond=0)
        rest = text[3:]
        unit_rounded = ""
        at = 0
        while at < len(rest):
            m = _MATH.match(rest, at)
            if not m:
                raise QueryError(f"bad date math {raw!r} (try now-7d or now/d)", query=query, position=pos)
            if m.group(4):
                unit_rounded = m.group(4)
                dt = _round_down(dt, unit_rounded)
            else:
                sign = 1 if m.group(1) == "+" else -1
                dt = _add(dt, sign * int(m.group(2)), m.group(3))
            at = m.end()
        return dt, (_add(dt, 1, unit_rounded) if unit_rounded else dt + second)
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1, tzinfo=UTC)
            return start, _add(start, 1, "y")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
            return start, _add(start, 1, "M")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            start = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return start, start + timedelta(days=1)
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"bad date {raw!r} (use 2025-03-01, 2025-03, 2025-03-01T10:00:00Z or now-7d)",
            query=query,
            position=pos,
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC).replace(microsecond=0)
    return dt, dt + second


class _Compiler:
    def __init__(self, query: str, now: datetime) -> None:
        self.query = query
        self.now = now

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, query=self.query, position=pos)

    def specs(self, field: str, pos: int) -> tuple[FieldSpec, ...]:
        specs = resolve_field(field)
        if not specs or field == "_fields":
            raise self.error(f"unknown field {field!r}", pos)
        return specs

    def node(self, n: q.Node) -> P:
        if isinstance(n, q.MatchAll):
            return PAll()
        if isinstance(n, q.And):
            must: list[P] = []
            must_not: list[P] = []
            for item in n.items:
                if isinstance(item, q.Not):
                    must_not.append(self.node(item.item))
                else:
                    must.append(self.node(item))
            return PBool(must=tuple(must) or (PAll(),), must_not=tuple(must_not))
        if isinstance(n, q.Or):
            return PBool(should=tuple(self.node(i) for i in n.items))
        if isinstance(n, q.Not):
            return PBool(must=(PAll(),), must_not=(self.node(n.item),))
        if isinstance(n, q.Exists):
            return self.exists(n)
        if isinstance(n, q.Range):
            return self.range(n)
        if isinstance(n, q.Phrase):
            return self.text(n.field, n.text, n.pos, slop=n.slop, phrase=True)
        if isinstance(n, q.Term):
            if n.field is not None and n.field.lower() == "_exists_":
                return self.exists(q.Exists(n.text, n.pos))
            if n.wildcard:
                return self.wildcard(n)
            return self.text(n.field, n.text, n.pos)
        raise AssertionError(f"unknown node {n!r}")

    def any_of(self, parts: list[P]) -> P:
        if not parts:
            return PNone()
        return parts[0] if len(parts) == 1 else PBool(should=tuple(parts))

    def exists(self, n: q.Exists) -> P:
        names = [s.name for s in self.specs(n.field, n.pos) if not s.name.startswith("stem_")]
        return self.any_of([PKeyword("_fields", (name,)) for name in names])

    def text(self, field: str | None, text: str, pos: int, *, slop: int = 0, phrase: bool = False) -> P:
        if field is None:
            parts: list[P] = [PText(DEFAULT_TEXT_FIELDS, text, slop)]
            if not phrase:
                for name in DEFAULT_KEYWORD_FIELDS:
                    value = FIELDS[name].norm(text)
                    if value:
                        parts.append(PKeyword(name, (value,)))
            return self.any_of(parts)
        specs = self.specs(field, pos)
        texts = tuple(s.name for s in specs if s.kind == "text")
        parts = [PText(texts, text, slop)] if texts else []
        for spec in specs:
            if spec.kind == "keyword":
                value = spec.norm(text)
                parts.append(PKeyword(spec.name, (value,)) if value else PNone())
            elif spec.kind in ("number", "date"):
                if phrase and spec.kind == "number":
                    raise self.error(f"field {field!r} is a number: use {field}:12.5", pos)
                parts.append(self.bounds(spec, text, text, True, True, pos))
        return self.any_of(parts)

    def wildcard(self, n: q.Term) -> P:
        assert n.field is None or isinstance(n.field, str)
        specs = (
            tuple(FIELDS[f] for f in ("title", "body", *DEFAULT_KEYWORD_FIELDS))
            if n.field is None
            else self.specs(n.field, n.pos)
        )
        parts: list[P] = []
        for spec in specs:
            if spec.kind in ("number", "date"):
                raise self.error(f"wildcards need a text or keyword field, {n.field!r} is a {spec.kind}", n.pos)
            if spec.name.startswith("stem_"):
                continue  # wildcards run on unstemmed terms only
            norm = fold if spec.kind == "text" else spec.norm
            pieces = re.split(r"([*?])", n.text)
            pattern = "".join(p if p in ("*", "?") else norm(p) for p in pieces)
            parts.append(PWildcard(spec.name, pattern))
        return self.any_of(parts)

    def range(self, n: q.Range) -> P:
        parts: list[P] = []
        for spec in self.specs(n.field, n.pos):
            if spec.kind not in ("number", "date"):
                raise self.error(
                    f"ranges need a number or date field, {n.field!r} is {spec.kind}", n.pos
                )
            parts.append(
                self.bounds(spec, n.lo, n.hi, n.include_lo, n.include_hi, n.pos, n.lo_pos, n.hi_pos)
            )
        return self.any_of(parts)

    def bounds(
        self,
        spec: FieldSpec,
        lo: str | None,
        hi: str | None,
        inc_lo: bool,
        inc_hi: bool,
        pos: int,
        lo_pos: int = -1,
        hi_pos: int = -1,
    ) -> P:
        lo_pos = pos if lo_pos < 0 else lo_pos
        hi_pos = pos if hi_pos < 0 else hi_pos
        if spec.kind == "number":
            values: list[float | None] = []
            for raw, at in ((lo, lo_pos), (hi, hi_pos)):
                try:
                    values.append(None if raw is None else float(raw))
                except ValueError:
                    raise self.error(f"field {spec.name!r} needs numbers, got {raw!r}", at) from None
            flo, fhi = values
            return PRange(spec.name, flo, fhi, inc_lo, inc_hi)
        # dates: a bound names a period; inclusive upper bounds cover the whole period.
        dlo = dhi = None
        if lo is not None:
            start, end = _date_period(lo, self.now, self.query, lo_pos)
            dlo = start if inc_lo else end
        if hi is not None:
            start, end = _date_period(hi, self.now, self.query, hi_pos)
            dhi = end if inc_hi else start
        return PRange(spec.name, dlo, dhi, True, False)


def compile_query(
    query: str, *, kind: str | None = None, now: datetime | None = None
) -> P:
    """Parse and resolve ``query``; ``kind`` adds a kind filter. Raises QueryError."""
    node = q.parse(query)
    compiled = _Compiler(query, now or datetime.now(UTC)).node(node)
    if kind is not None:
        kind_filter = PKeyword("kind", (kind.strip().lower(),))
        compiled = kind_filter if isinstance(compiled, PAll) else PBool(must=(compiled, kind_filter))
    return compiled
