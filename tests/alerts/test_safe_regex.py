"""Watch-list regexes: catastrophic shapes are refused up front; matching is bounded anyway."""

from __future__ import annotations

import time

import pytest

from nachtwacht.alerts._safe_regex import SafeRegex, check_pattern


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+$", r"(.*)*x", r"(a|a)*b", r"(a|ab)*c",
                                     r"((ab)*)+", "x" * 600])
def test_risky_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", [r"bc1q[a-z0-9]{20,60}", r"\b(telegram|wickr)\s*:\s*@?\w+",
                                     r"(ab|cd)+", r"[0-9A-F]{40}", r"\bschool\w*"])
def test_useful_patterns_pass(pattern):
    check_pattern(pattern)


def test_invalid_regex_is_an_error():
    with pytest.raises(ValueError, match="invalid regular expression"):
        check_pattern("(unclosed")


def test_match_is_case_insensitive_and_bounded():
    rx = SafeRegex(r"\bwickr\s*:\s*(\w+)", timeout=0.05)
    assert rx.search("contact WICKR: dealer42 now") == "WICKR: dealer42"
    assert rx.search("nothing here") is None
    started = time.monotonic()
    rx.search("wickr " * 50_000)
    assert time.monotonic() - started < 2
