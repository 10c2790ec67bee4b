"""Listing helpers: the logged-in account, found in one scan, as a line-by-line search finds it."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors._html import Document, Line
from extractors._listing import logged_in_users
from extractors._timestamps import TIME_RE, has_time

_PER_LINE = re.compile(r"(?:logged in as|welcome|bienvenue|welkom|bienvenido|hi),?\s+([\w.\-]{2,40})", re.IGNORECASE)


def _reference(lines: list[str]) -> frozenset[str]:
    hits = (_PER_LINE.search(text) for text in lines[:80])
    return frozenset(m.group(1).casefold() for m in hits if m)


def test_logged_in_users_examples():
    lines = ["Welcome", "hi bob", "Logged in as Alice.B - hi carol", "bienvenue,  Zoé", "Welkom", ""]
    assert logged_in_users(Document(lines=[Line(t) for t in lines])) == frozenset({"bob", "alice.b", "zoé"})
    late = [f"line {i}" for i in range(80)] + ["welcome dave"]
    assert logged_in_users(Document(lines=[Line(t) for t in late])) == frozenset()


_WORDS = st.sampled_from(["welcome", "Welcome,", "hi", "HI", "logged in as", "bob", "a", "x.y", "-", " ", "  ",
                          "\t", "bienvenido", "zoé", "ok"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=6).map(" ".join), max_size=90))
def test_logged_in_users_equals_line_by_line_search(lines):
    assert logged_in_users(Document(lines=[Line(t) for t in lines])) == _reference(lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789:hH -/.TZ+apmAPMFebfévrier2024 ", max_size=40))
def test_has_time_equals_time_re(text):
    assert has_time(text) == bool(TIME_RE.search(text))
