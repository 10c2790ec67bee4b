"""Logistics mentions: seaports, airports, postal/parcel services, lockers and smuggling methods.

Phrases come from ``config/lexicons/logistics.yaml`` (nl/fr/es/en), each normalised to a
canonical hub with its kind and country. Place names that are also ordinary words or cities
("Rotterdam", "container", "courier") are *ambiguous*: they count only when a cue of the
entry's cue groups (port, air, parcel words) sits within ``window`` tokens, and the mention's
``rule`` names that cue so an analyst can see why it was kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from extractors._lexicons import lexicon_dir
from extractors._nlp import LANGS, load_pipeline, tokenize
from extractors.exceptions import LexiconError
from extractors.model import HubMention

if TYPE_CHECKING:
    from extractors._extract import Extraction

__all__ = ["HUB_KINDS", "HubEntry", "find_logistics", "load_hubs", "with_logistics"]

HUB_KINDS = ("seaport", "airport", "postal", "locker", "method")
RULE = "lexicon:logistics"
MAX_MENTIONS = 200  # per text: a page repeating a hub a thousand times says nothing more
_MAX_CHARS = 200_000
_MEMO_CHARS = 300  # card and post texts this short recur (a listing's card on several index pages): memoised
_FILE = "logistics.yaml"


@dataclass(frozen=True, slots=True)
class HubEntry:
    """One canonical hub or method and the phrases that name it."""

    name: str
    kind: str
    country: str
    terms: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    exact_strict: bool = False
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Lexicon:
    window: int
    hubs: dict[str, HubEntry]
    cues: dict[str, tuple[str, ...]]


def _strings(where: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str | int | float) for t in value):
        raise LexiconError(f"{_FILE}: {where}: must be a list of strings")
    return tuple(str(t).strip() for t in value if str(t).strip())


@functools.cache
def _lexicon() -> _Lexicon:
    path = lexicon_dir() / _FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("hubs"), dict):
        raise LexiconError(f"{path}: top-level mapping 'hubs' missing")
    cues_raw = data.get("cues") or {}
    if not isinstance(cues_raw, dict):
        raise LexiconError(f"{path}: 'cues' must be a mapping of group -> phrases")
    cues = {str(g): _strings(f"cue group '{g}'", v) for g, v in cues_raw.items()}
    window = data.get("window", 8)
    if not isinstance(window, int) or window < 1:
        raise LexiconError(f"{path}: 'window' must be a positive integer")
    hubs: dict[str, HubEntry] = {}
    for name, spec in data["hubs"].items():
        where = f"hub '{name}'"
        if not isinstance(spec, dict):
            raise LexiconError(f"{_FILE}: {where}: must be a mapping")
        kind = spec.get("kind")
        if kind not in HUB_KINDS:
            raise LexiconError(f"{_FILE}: {where}: 'kind' must be one of {', '.join(HUB_KINDS)}")
        country = spec.get("country", "")
        if not isinstance(country, str) or (country and (len(country) != 2 or not country.isupper())):
            raise LexiconError(f"{_FILE}: {where}: 'country' must be an ISO alpha-2 code or \"\"")
        entry = HubEntry(str(name), kind, country, _strings(f"{where}: terms", spec.get("terms")),
                         _strings(f"{where}: ambiguous", spec.get("ambiguous")),
                         _strings(f"{where}: exact", spec.get("exact")), bool(spec.get("exact_strict", False)),
                         _strings(f"{where}: cues", spec.get("cues")))
        unknown = [g for g in entry.cues if g not in cues]
        if unknown:
            raise LexiconError(f"{_FILE}: {where}: unknown cue group(s) {', '.join(unknown)}")
        if (entry.ambiguous or (entry.exact and not entry.exact_strict)) and not entry.cues:
            raise LexiconError(f"{_FILE}: {where}: ambiguous phrases need 'cues'")
        if not (entry.terms or entry.ambiguous or entry.exact):
            raise LexiconError(f"{_FILE}: {where}: no phrases")
        hubs[entry.name] = entry
    return _Lexicon(window, hubs, cues)


def load_hubs() -> tuple[HubEntry, ...]:
    """Every hub and method of the lexicon (raises LexiconError naming the file and entry)."""
    return tuple(_lexicon().hubs.values())


@functools.cache
def _matchers(lang: str) -> tuple[PhraseMatcher, PhraseMatcher]:
    """(case-insensitive matcher of hub phrases and cues, case-sensitive matcher of exact phrases)."""
    nlp = load_pipeline(lang)
    lex = _lexicon()
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    orth = PhraseMatcher(nlp.vocab, attr="ORTH")
    for hub in lex.hubs.values():
        if hub.terms:
            lower.add(f"H|{hub.name}|strict", [nlp.make_doc(t) for t in hub.terms])
        if hub.ambiguous:
            lower.add(f"H|{hub.name}|ambiguous", [nlp.make_doc(t) for t in hub.ambiguous])
        if hub.exact:
            mode = "strict" if hub.exact_strict else "ambiguous"
            orth.add(f"H|{hub.name}|{mode}", [nlp.make_doc(t) for t in hub.exact])
    for group, phrases in lex.cues.items():
        if phrases:
            lower.add(f"C|{group}", [nlp.make_doc(t) for t in phrases])
    return lower, orth


def _cue_near(span: Span, groups: tuple[str, ...], cues: list[Span], window: int) -> Span | None:
    """The nearest cue of ``groups`` within ``window`` tokens of ``span`` (never the span itself)."""
    best: tuple[int, Span] | None = None
    for cue in cues:
        if cue.label_.split("|", 1)[1] not in groups:
            continue
        if cue.end <= span.start:
            gap = span.start - cue.end
        elif cue.start >= span.end:
            gap = cue.start - span.end
        else:
            continue
        if gap < window and (best is None or gap < best[0]):
            best = (gap, cue)
    return best[1] if best else None


def find_logistics(text: str, lang: str = "en") -> tuple[HubMention, ...]:
    """Every logistics mention in ``text``, in text order, with its span and rule.

    Overlapping phrases resolve to the longest ("haven van Rotterdam" over "Rotterdam").
    Ambiguous phrases are kept only with a cue nearby (rule ``lexicon:logistics+cue:<cue>``).
    """
    if not text:
        return ()
    lang = lang if lang in LANGS else "en"
    if len(text) <= _MEMO_CHARS:
        return _find_short(text, lang)
    return _find(text, lang)


@functools.lru_cache(maxsize=4096)  # <= 4096 x 300 chars
def _find_short(text: str, lang: str) -> tuple[HubMention, ...]:
    return _find(text, lang)


def _find(text: str, lang: str) -> tuple[HubMention, ...]:
    doc = tokenize(text[:_MAX_CHARS], lang)
    lower, orth = _matchers("es" if lang == "es" else "en")
    lex = _lexicon()
    hits: list[Span] = []
    cues: list[Span] = []
    for matcher in (lower, orth):
        for match_id, start, end in matcher(doc):
            label = doc.vocab.strings[match_id]
            (hits if label.startswith("H|") else cues).append(Span(doc, start, end, label=label))
    out: list[HubMention] = []
    for span in sorted(filter_spans(hits), key=lambda s: s.start):
        _, name, mode = span.label_.split("|", 2)
        hub = lex.hubs[name]
        rule = RULE
        if mode == "ambiguous":
            cue = _cue_near(span, hub.cues, cues, lex.window)
            if cue is None:
                continue
            rule = f"{RULE}+cue:{cue.text.lower()}"
        out.append(HubMention(hub.name, hub.kind, hub.country, span.text, span.start_char, span.end_char, rule))
        if len(out) >= MAX_MENTIONS:
            break
    return tuple(out)


def with_logistics(extraction: Extraction, text: str) -> Extraction:
    """``extraction`` with logistics mentions of ``text`` (the page or record) filled in.

    The page gets every mention; a single listing gets the page's mentions (its detail page);
    several listings (index cards) and each post get those of their own title/description/text.
    Offsets of listing and post mentions are relative to the text they were found in.
    """
    lang = extraction.lang or "en"
    page = find_logistics(text, lang)
    listings = extraction.listings
    if len(listings) == 1:
        listings = (replace(listings[0], logistics=page),)
    elif listings:
        listings = tuple(replace(lst, logistics=find_logistics(f"{lst.title}\n{lst.description}", lst.lang or lang))
                         for lst in listings)
    posts = tuple(replace(p, logistics=page if p.text == text else find_logistics(p.text, p.lang or lang))
                  for p in extraction.posts)
    return replace(extraction, logistics=page, listings=listings, posts=posts)
