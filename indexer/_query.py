"""Parser for the analyst query language (Lucene / Kibana query_string style) into a small AST.

Grammar (AND binds tighter than OR; juxtaposition means AND)::

    query   := [or_expr]                      empty or "*" matches everything
    or_expr := and_expr (("OR" | "||") and_expr)*
    and_expr:= clause (["AND" | "&&"] clause)*
    clause  := ("NOT" | "!" | "-") clause | "+" clause | primary
    primary := "(" or_expr ")" | NAME ":" (value | "(" or_expr ")") | value
    value   := '"' phrase '"' ["~" INT] | ("[" | "{") bound "TO" bound ("]" | "}")
             | (">" | ">=" | "<" | "<=") bound | "*" | term      term may hold * and ?

Every node keeps the character offset where it starts; errors raise QueryError with it.
Fuzzy (``~`` after a term) and boosts (``^``) are refused with a position, not ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .exceptions import QueryError

__all__ = [
    "And",
    "Exists",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Range",
    "Term",
    "parse",
]


@dataclass(frozen=True, slots=True)
class MatchAll:
    pos: int = 0


@dataclass(frozen=True, slots=True)
class Term:
    field: str | None
    text: str
    pos: int
    wildcard: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    field: str | None
    text: str
    pos: int
    slop: int = 0


@dataclass(frozen=True, slots=True)
class Range:
    """``lo``/``hi`` are raw strings (None = open); comparisons become one-sided ranges."""

    field: str
    lo: str | None
    hi: str | None
    include_lo: bool
    include_hi: bool
    pos: int
    lo_pos: int = field(default=-1, compare=False)
    hi_pos: int = field(default=-1, compare=False)


@dataclass(frozen=True, slots=True)
class Exists:
    field: str
    pos: int


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    pos: int


Node = MatchAll | Term | Phrase | Range | Exists | And | Or | Not

_STOP = set(' \t\r\n()"')
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    # -- helpers ---------------------------------------------------------------------------
    def error(self, message: str, pos: int | None = None) -> QueryError:
        return QueryError(message, query=self.s, position=self.i if pos is None else pos)

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek_word(self) -> str:
        """The bare word at the cursor (for operators), without consuming it."""
        j = self.i
        while j < len(self.s) and self.s[j] not in _STOP:
            j += 1
        return self.s[self.i : j]

    def at_operator(self, *ops: str) -> str | None:
        self.skip_ws()
        for op in ops:
            if op in ("&&", "||"):
                if self.s.startswith(op, self.i):
                    return op
            elif self.peek_word() == op:
                return op
        return None

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> Node:
        self.skip_ws()
        if self.i >= len(self.s):
            return MatchAll(0)
        node = self.or_expr(None)
        self.skip_ws()
        if self.i < len(self.s):
            if self.s[self.i] == ")":
                raise self.error("unbalanced ')'")
            raise self.error(f"unexpected {self.s[self.i]!r}")
        return node

    def or_expr(self, field: str | None) -> Node:
        items = [self.and_expr(field)]
        while op := self.at_operator("OR", "||"):
            op_pos = self.i
            self.i += len(op)
            self.skip_ws()
            if self.i >= len(self.s) or self.s[self.i] == ")":
                raise self.error(f"{op} needs a clause after it", op_pos)
            items.append(self.and_expr(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, field: str | None) -> Node:
        items = [self.clause(field)]
        while True:
            self.skip_ws()
            if self.i >= len(self.s) or self.s[self.i] == ")" or self.at_operator("OR", "||"):
                break
            if op := self.at_operator("AND", "&&"):
                op_pos = self.i
                self.i += len(op)
                self.skip_ws()
                if self.i >= len(self.s) or self.s[self.i] == ")":
                    raise self.error(f"{op} needs a clause after it", op_pos)
            items.append(self.clause(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def clause(self, field: str | None) -> Node:
        self.skip_ws()
        start = self.i
        if self.i >= len(self.s):
            raise self.error("expected a search term")
        ch = self.s[self.i]
        if self.at_operator("NOT") or ch in "!-":
            self.i += 3 if self.s.startswith("NOT", self.i) else 1
            self.skip_ws()
            if self.i >= len(self.s) or self.s[self.i] == ")":
                raise self.error("NOT needs a clause after it", start)
            return Not(self.clause(field), start)
        if ch == "+":
            self.i += 1
            return self.clause(field)
        if self.at_operator("AND", "OR", "&&", "||"):
            raise self.error(f"{self.peek_word() or self.s[self.i : self.i + 2]} needs a clause before it")
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        start = self.i
        if self.s[self.i] == "(":
            self.i += 1
            self.skip_ws()
            if self.i < len(self.s) and self.s[self.i] == ")":
                raise self.error("empty group '()'", start)
            node = self.or_expr(field)
            self.skip_ws()
            if self.i >= len(self.s) or self.s[self.i] != ")":
                raise self.error("missing ')' for the '(' here", start)
            self.i += 1
            return node
        if self.s[self.i] == ")":
            raise self.error("unbalanced ')'")
        # NAME ":" ?
        j = self.i
        while j < len(self.s) and self.s[j] in _NAME_CHARS:
            j += 1
        if j > self.i and j < len(self.s) and self.s[j] == ":":
            if field is not None:
                raise self.error("a field inside a field group", start)
            name = self.s[self.i : j]
            self.i = j + 1
            if self.i >= len(self.s) or self.s[self.i].isspace():
                raise self.error(f"field {name!r} has no value", start)
            if self.s[self.i] == "(":
                return self.primary(name)
            return self.value(name, start)
        return self.value(field, start)

    def value(self, field: str | None, start: int) -> Node:
        ch = self.s[self.i]
        if ch == '"':
            return self.phrase(field, start, self.i)
        if ch in "[{":
            if field is None:
                raise self.error("a range needs a field, like price_eur:[10 TO 50]")
            return self.range(field, start)
        if ch in "<>":
            if field is None:
                raise self.error("a comparison needs a field, like seen:>now-7d")
            return self.comparison(field, start)
        text, wildcard = self.term()
        if not text:
            raise self.error("expected a search term", start)
        if text == "*":
            return MatchAll(start) if field is None else Exists(field, start)
        return Term(field, text, start, wildcard)

    def term(self) -> tuple[str, bool]:
        out: list[str] = []
        wildcard = False
        while self.i < len(self.s) and self.s[self.i] not in _STOP:
            ch = self.s[self.i]
            if ch == "\\":
                if self.i + 1 >= len(self.s):
                    raise self.error("dangling '\\' at the end")
                out.append(self.s[self.i + 1])
                self.i += 2
                continue
            if ch in "~^":
                what = "fuzzy search ('~')" if ch == "~" else "boosts ('^')"
                raise self.error(f"{what} not supported; escape it as '\\{ch}' to search for it")
            if ch in "*?":
                wildcard = True
            out.append(ch)
            self.i += 1
        return "".join(out), wildcard

    def phrase(self, field: str | None, start: int, quote: int) -> Node:
        self.i += 1
        out: list[str] = []
        while True:
            if self.i >= len(self.s):
                raise self.error("unterminated phrase: missing '\"'", quote)
            ch = self.s[self.i]
            if ch == "\\" and self.i + 1 < len(self.s):
                out.append(self.s[self.i + 1])
                self.i += 2
                continue
            self.i += 1
            if ch == '"':
                break
            out.append(ch)
        slop = 0
        if self.i < len(self.s) and self.s[self.i] == "~":
            self.i += 1
            j = self.i
            while self.i < len(self.s) and self.s[self.i].isdigit():
                self.i += 1
            if j == self.i:
                raise self.error("'~' after a phrase needs a number (the slop)")
            slop = int(self.s[j : self.i])
        if self.i < len(self.s) and self.s[self.i] == "^":
            raise self.error("boosts ('^') not supported")
        text = "".join(out)
        if not text.strip():
            raise self.error("empty phrase", quote)
        return Phrase(field, text, start, slop)

    def bound(self) -> tuple[str, int]:
        self.skip_ws()
        j = self.i
        while self.i < len(self.s) and not self.s[self.i].isspace() and self.s[self.i] not in "]}()":
            self.i += 1
        if j == self.i:
            raise self.error("expected a range bound")
        return self.s[j : self.i], j

    def range(self, field: str, start: int) -> Node:
        include_lo = self.s[self.i] == "["
        bracket = self.i
        self.i += 1
        lo, lo_pos = self.bound()
        self.skip_ws()
        if self.peek_word() != "TO":
            raise self.error("expected 'TO' in the range")
        self.i += 2
        hi, hi_pos = self.bound()
        self.skip_ws()
        if self.i >= len(self.s) or self.s[self.i] not in "]}":
            raise self.error("missing ']' or '}' to close the range", bracket)
        include_hi = self.s[self.i] == "]"
        self.i += 1
        return Range(
            field,
            None if lo == "*" else lo,
            None if hi == "*" else hi,
            include_lo,
            include_hi,
            start,
            lo_pos,
            hi_pos,
        )

    def comparison(self, field: str, start: int) -> Node:
        op = self.s[self.i]
        self.i += 1
        inclusive = self.i < len(self.s) and self.s[self.i] == "="
        if inclusive:
            self.i += 1
        if self.i >= len(self.s) or self.s[self.i].isspace():
            raise self.error(f"'{op}' needs a value right after it")
        value, at = self.bound()
        if op == ">":
            return Range(field, value, None, inclusive, True, start, at, at)
        return Range(field, None, value, True, inclusive, start, at, at)


def parse(query: str) -> Node:
    """Parse an analyst query; raises QueryError (with ``position``) on a syntax error."""
    return _Parser(query).parse()
