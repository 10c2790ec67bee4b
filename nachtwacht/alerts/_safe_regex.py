"""Watch-list regexes that cannot hang the crawl: risky shapes are refused, matching is time-bounded.

Two guards, both needed: a static check refuses the classic catastrophic shapes (a quantified
group holding another unbounded quantifier, `(a+)+`, `(a|a)*`, `(.*)*`), and every match runs
with the `regex` module's timeout on text capped at `MAX_TEXT` characters.
"""

from __future__ import annotations

import logging
import re
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import regex

__all__ = ["MATCH_TIMEOUT", "MAX_TEXT", "SafeRegex", "check_pattern"]

logger = logging.getLogger(__name__)

MATCH_TIMEOUT = 0.25  # seconds per document and pattern
MAX_TEXT = 200_000  # characters of one document scanned by regexes
_MAX_LEN = 500  # characters of a pattern
_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)}
_UNBOUNDED = sre_parse.MAXREPEAT


def _has_unbounded(items: Any) -> bool:
    for op, arg in items:
        if op in _REPEATS and (arg[1] == _UNBOUNDED or arg[1] > 100):
            return True
        if _children_unbounded(op, arg):
            return True
    return False


def _children_unbounded(op: Any, arg: Any) -> bool:
    if op is sre_parse.SUBPATTERN:
        return _has_unbounded(arg[-1])
    if op is sre_parse.BRANCH:
        return any(_has_unbounded(b) for b in arg[1])
    if op in _REPEATS:
        return _has_unbounded(arg[2])
    return False


def _first_chars(items: Any) -> set[Any] | None:
    """Literal first characters of a branch, or None when it can start with anything."""
    for op, arg in items:
        if op is sre_parse.LITERAL:
            return {arg}
        if op is sre_parse.SUBPATTERN:
            return _first_chars(arg[-1])
        return None
    return set()


def _branches(items: Any) -> list[Any]:
    """BRANCH nodes of a repeat body, looking through groups (not through other repeats)."""
    found = []
    for op, arg in items:
        if op is sre_parse.BRANCH:
            found.append(arg[1])
        elif op is sre_parse.SUBPATTERN:
            found += _branches(arg[-1])
    return found


def _overlapping_branches(body: Any) -> bool:
    for branches in _branches(body):
        firsts = [_first_chars(b) for b in branches]
        if any(not f for f in firsts):  # None: starts with a class or anything; empty: matches ""
            return True
        if len(set().union(*firsts)) < sum(len(f) for f in firsts):
            return True
    return False


def _walk(items: Any) -> str | None:
    """The reason the pattern is risky, or None."""
    for op, arg in items:
        if op in _REPEATS:
            body = arg[2]
            unbounded = arg[1] == _UNBOUNDED or arg[1] > 100
            if unbounded and _has_unbounded(body):
                return "nested quantifiers (like (a+)+) can backtrack catastrophically"
            if unbounded and _overlapping_branches(body):
                return "a repeated alternation whose branches overlap (like (a|ab)*) " \
                       "can backtrack catastrophically"
            reason = _walk(body)
            if reason:
                return reason
        elif op is sre_parse.SUBPATTERN:
            reason = _walk(arg[-1])
            if reason:
                return reason
        elif op is sre_parse.BRANCH:
            for branch in arg[1]:
                reason = _walk(branch)
                if reason:
                    return reason
    return None


def check_pattern(pattern: str) -> None:
    """Raise ValueError (with the reason) if `pattern` is invalid or risky."""
    if len(pattern) > _MAX_LEN:
        raise ValueError(f"regex longer than {_MAX_LEN} characters")
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from exc
    reason = _walk(parsed)
    if reason:
        raise ValueError(f"refused regex {pattern!r}: {reason}")
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from exc


class SafeRegex:
    """A checked, case-insensitive pattern whose matches are time-bounded."""

    def __init__(self, pattern: str, *, timeout: float = MATCH_TIMEOUT):
        check_pattern(pattern)
        self.pattern = pattern
        self.timeout = timeout
        self._compiled = regex.compile(pattern, regex.IGNORECASE)

    def search(self, text: str) -> str | None:
        """The first match in `text` (capped), or None; a timeout counts as no match (logged)."""
        try:
            found = self._compiled.search(text[:MAX_TEXT], timeout=self.timeout)
        except TimeoutError:
            logger.warning("watch-list regex %r timed out after %ss; skipped", self.pattern, self.timeout)
            return None
        return found.group(0) if found else None
