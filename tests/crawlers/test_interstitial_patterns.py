"""The interstitial phrase patterns carry a first-letter lookahead (speed only): they must find
exactly what the same alternation without it finds, on any text and in any letter case."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.render.interstitial import _CHALLENGE, _QUEUE

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
