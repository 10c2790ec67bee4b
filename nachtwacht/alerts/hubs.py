"""Hub rules (issue 12): which logistics mentions of a document a `type: hub` rule watches."""

from __future__ import annotations

import difflib
from typing import Any

from extractors import load_hubs

__all__ = ["HubMatcher", "canonical_hubs"]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def canonical_hubs(names: list[str]) -> list[str]:
    """Canonical hub names for `names` (a canonical name, or a lexicon phrase naming hubs).

    Raises ValueError naming the first unknown value and the closest canonical names.
    """
    hubs = load_hubs()
    by_name = {_fold(h.name): h.name for h in hubs}
    by_phrase: dict[str, list[str]] = {}
    for h in hubs:
        for phrase in (*h.terms, *h.ambiguous, *h.exact):
            by_phrase.setdefault(_fold(phrase), []).append(h.name)
    out: list[str] = []
    for value in names:
        key = _fold(value)
        found = [by_name[key]] if key in by_name else by_phrase.get(key, [])
        if not found:
            close = difflib.get_close_matches(value, [h.name for h in hubs], n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"unknown hub {value!r} (not in config/lexicons/logistics.yaml){hint}")
        out += [name for name in found if name not in out]
    return out


class HubMatcher:
    """One hub rule: the logistics mentions of a document (its `logistics` list) it watches."""

    def __init__(self, rule: Any):
        self.rule = rule
        self.hubs = {_fold(h) for h in rule.hubs}
        self.kinds = set(rule.kinds)
        self.countries = set(rule.countries)

    def hits(self, doc: dict[str, Any]) -> list[dict[str, str]]:
        """The watched mentions of `doc` (hub, kind, country, text), one per hub, in text order."""
        if doc.get("kind") not in self.rule.on:
            return []
        out: list[dict[str, str]] = []
        seen: set[str] = set()
        for m in doc.get("logistics") or ():
            hub, kind, country = str(m.get("hub") or ""), str(m.get("kind") or ""), str(m.get("country") or "")
            if not hub or hub in seen:
                continue
            if self.hubs and _fold(hub) not in self.hubs:
                continue
            if (self.kinds and kind not in self.kinds) or (self.countries and country.upper() not in self.countries):
                continue
            seen.add(hub)
            out.append({"hub": hub, "kind": kind, "country": country, "text": str(m.get("text") or "")[:120]})
        return out
