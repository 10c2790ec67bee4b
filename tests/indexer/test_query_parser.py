"""The analyst query language: AST shapes, date math, and errors that carry a position."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from indexer import QueryError, parse_query
from indexer._plan import PBool, PKeyword, PRange, PText, compile_query
from indexer._query import And, Exists, MatchAll, Not, Or, Phrase, Range, Term

NOW = datetime(2025, 6, 15, 12, 30, 0, tzinfo=UTC)


def test_precedence_and_implicit_and():
    node = parse_query('vendor:"x y" AND product:cocaine OR ships_from:NL -lang:fr')
    assert node == Or((
        And((Phrase("vendor", "x y", 0), Term("product", "cocaine", 17))),
        And((Term("ships_from", "NL", 36), Not(Term("lang", "fr", 51), 50))),
    ))


def test_values_ranges_comparisons_exists():
    assert parse_query("") == MatchAll(0)
    assert parse_query("*") == MatchAll(0)
    assert parse_query("price_eur:[10 TO *}") == Range("price_eur", "10", None, True, False, 0)
    assert parse_query("seen:>=now-7d") == Range("seen", "now-7d", None, True, True, 0)
    assert parse_query("wallet:*") == Exists("wallet", 0)
    assert parse_query("coca*") == Term(None, "coca*", 0, wildcard=True)
    assert parse_query(r"C\+\+ a\:b") == And((Term(None, "C++", 0), Term(None, "a:b", 6)))
    assert parse_query('"a b"~2') == Phrase(None, "a b", 0, slop=2)
    assert parse_query("email:x@y.org") == Term("email", "x@y.org", 0)


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ('vendor:"abc', 7, "unterminated phrase"),
        ("(cocaine OR heroin", 0, "missing ')'"),
        ("cocaine)", 7, "unbalanced ')'"),
        ("cocaine AND", 8, "AND needs a clause after it"),
        ("OR cocaine", 0, "OR needs a clause before it"),
        ("price_eur:[10 50]", 14, "expected 'TO'"),
        ("price_eur:[10 TO 50", 10, "missing ']'"),
        ("vendor: x", 0, "has no value"),
        ("cocaine~2", 7, "fuzzy search"),
        ("cocaine^2", 7, "boosts"),
        ("[1 TO 2]", 0, "a range needs a field"),
        ("nofield:x", 0, "unknown field 'nofield'"),
        ("a AND price_eur:abc", 6, "needs numbers"),
        ("seen:>yesterday", 6, "bad date"),
        ("seen:>now-7x", 6, "bad date math"),
        ("title:[a TO b]", 0, "ranges need a number or date field"),
        ("price_eur:1*", 0, "wildcards need a text or keyword field"),
        ("x NOT", 2, "NOT needs a clause"),
        ("()", 0, "empty group"),
    ],
)
def test_errors_report_their_position(query, position, message):
    with pytest.raises(QueryError) as info:
        compile_query(query, now=NOW)
    assert info.value.position == position
    assert message in str(info.value)
    assert info.value.caret().splitlines()[1] == " " * position + "^"


def test_keyword_values_are_normalised_like_documents():
    assert compile_query("vendor:Dutch_Magic") == PKeyword("vendor_id", ("dutchmagic",))
    assert compile_query("ships_from:nl") == PKeyword("ships_from", ("NL",))
    assert compile_query("pgp:'8a5c 1f2d'".replace("'", '"')) == PKeyword("pgp", ("8A5C1F2D",))


def test_date_math_resolves_to_absolute_instants():
    assert compile_query("seen:>now-7d", now=NOW) == PRange(
        "seen", datetime(2025, 6, 8, 12, 30, 1, tzinfo=UTC), None, True, False
    )
    assert compile_query("seen:2025-03", now=NOW) == PRange(
        "seen", datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC), True, False
    )
    assert compile_query("first_seen:[2025-01-01 TO 2025-01-31]", now=NOW) == PRange(
        "first_seen", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC), True, False
    )
    assert compile_query("seen:<now/d", now=NOW) == PRange(
        "seen", None, datetime(2025, 6, 15, tzinfo=UTC), True, False
    )


def test_pure_negation_and_kind_filter():
    plan = compile_query("NOT cocaine", kind="listing")
    assert isinstance(plan, PBool) and plan.must[1] == PKeyword("kind", ("listing",))
    inner = plan.must[0]
    assert isinstance(inner, PBool) and inner.must_not and inner.must
    text = compile_query("title:Cocaïne")
    assert text == PText(("title",), "Cocaïne", 0)
