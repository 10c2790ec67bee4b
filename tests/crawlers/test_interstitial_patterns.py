"""The interstitial phrase patterns carry a first-letter lookahead (speed only): they must find
exactly what the same alternation without it finds, on any text and in any letter case; the hint check in front of them never skips a match."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.render.interstitial import (
    _CHALLENGE,
    _CHALLENGE_HINTS,
    _QUEUE,
    _QUEUE_HINTS,
    _folded,
    _search,
)

PHRASES = ["please wait", "You are now in the queue", "QUEUE POSITION", "position in queue",
           "waiting room", "Just a moment", "checking your browser", "DDoS-Guard", "anti-ddos",
           "verifying that you are a human", "endgame", "Wachtrij", "even geduld",
           "veuillez patienter", "file d'attente", "Por favor espere", "cola de espera",
           "CAPTCHA", "solve the puzzle", "I am not a robot", "prove you are human", "ſolve the challenge"]


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its leading `(?=[...])(?:` ... `)` wrapper."""
    body = re.sub(r"^\(\?=\[[a-z]+\]\)\(\?:", "", pattern.pattern)
    assert body != pattern.pattern and body.endswith(")")
    return re.compile(body[:-1], pattern.flags)


texts = st.lists(st.one_of(st.sampled_from(PHRASES), st.text(max_size=12)), max_size=6).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=texts, upper=st.booleans())
def test_lookahead_patterns_find_what_the_plain_ones_find(text, upper):
    text = text.upper() if upper else text
    for pattern in (_QUEUE, _CHALLENGE):
        fast, plain = pattern.search(text), _plain(pattern).search(text)
        assert (fast and (fast.span(), fast.group(0))) == (plain and (plain.span(), plain.group(0)))


def test_every_phrase_is_found():
    for phrase in PHRASES:
        assert _QUEUE.search(phrase) or _CHALLENGE.search(phrase), phrase


# Characters `re.IGNORECASE` matches as an ASCII letter although they are not one.
_LOOKALIKES = {"i": ["\u0131", "\u0130"], "s": ["\u017f"], "k": ["\u212a"]}


@st.composite
def disguised(draw: st.DrawFn) -> str:
    """A text around a phrase whose letters are each in a drawn case or a case-insensitive look-alike."""
    phrase = draw(st.sampled_from(PHRASES))
    letters = []
    for char in phrase:
        options = [char.lower(), char.upper(), *_LOOKALIKES.get(char.lower(), [])]
        letters.append(draw(st.sampled_from(options)))
    return draw(st.text(max_size=8)) + "".join(letters) + draw(st.text(max_size=8))


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(disguised(), texts, st.text(max_size=40)))
def test_the_hint_check_never_skips_a_text_the_pattern_matches(text):
    folded = _folded(text)
    for pattern, hints in ((_QUEUE, _QUEUE_HINTS), (_CHALLENGE, _CHALLENGE_HINTS)):
        fast, full = _search(pattern, hints, text, folded), pattern.search(text)
        assert (fast and (fast.span(), fast.group(0))) == (full and (full.span(), full.group(0)))


def test_a_text_without_hints_is_not_searched():
    assert _search(_QUEUE, _QUEUE_HINTS, "Cocaine 1g, 50 EUR", _folded("Cocaine 1g, 50 EUR")) is None
    assert _search(_QUEUE, _QUEUE_HINTS, "PLEASE WAIT", _folded("PLEASE WAIT")) is not None
