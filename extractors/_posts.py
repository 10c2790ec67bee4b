"""Forum thread pages to ``Post`` objects: thread title and board, stable ids, per-post analysis.

Ids are stable across crawls: site + canonical thread URL (page parameters dropped) + the post's
anchor in the page, or its page number and position when the post has no anchor. Recruitment is
scored on the post's own text (quotes apart), all posts of a page in one model call. A short
follow-up ("up", "still need people") by the author of a recruiting post on the same page, or
quoting their own recruiting post, is labelled from that context with the rule saying so.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from extractors._entities import find_entities
from extractors._html import Document
from extractors._lang import detect_lang
from extractors._listing import title_of
from extractors._postblocks import RawPost, find_post_blocks
from extractors._products import find_products
from extractors._recruit import score_many
from extractors.model import Entities, Mention, Post, Quote, Recruitment, listing_id

__all__ = ["FOLLOWUP_MAX_WORDS", "forum_posts", "thread_url"]

FOLLOWUP_MAX_WORDS = 14  # a context-labelled follow-up is short; longer posts stand on their own
_PAGE_PARAMS = frozenset({"page", "p", "start", "sid", "pg", "offset"})
_CRUMB_SEP = re.compile(r"\s+[›»>|/]\s+")


def thread_url(url: str) -> tuple[str, int]:
    """(canonical thread URL, page number from 1): page/offset parameters and fragment dropped."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, 1
    page = 1
    kept = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _PAGE_PARAMS:
            if key.lower() in ("page", "pg", "p") and value.isdigit():
                page = max(int(value), 1)
            elif key.lower() in ("start", "offset") and value.isdigit():
                page = int(value) + 1  # an offset: unique per page, good enough for ids
            continue
        kept.append((key, value))
    path = re.sub(r"/page-?(\d+)/?$", "", parts.path)
    m = re.search(r"/page-?(\d+)/?$", parts.path)
    if m:
        page = int(m.group(1))
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), "")), page


def _board(doc: Document, title: str) -> str:
    """The board a thread is on: the breadcrumb segment before the thread title."""
    folded = title.casefold()
    for line in doc.lines[:60]:
        parts = [p.strip() for p in _CRUMB_SEP.split(line.text) if p.strip()]
        if len(parts) >= 2 and parts[-1].casefold() == folded:
            return parts[-2]
    return ""


def _thread_title(doc: Document) -> str:
    """The thread title: a heading also found in <title> that is not a link elsewhere (the
    site name in the header usually links home); else the page's main title."""
    folded = doc.title.casefold()
    for line in doc.lines[:80]:
        if line.heading and 2 <= len(line.text) <= 300 and line.text.casefold() in folded and not line.href:
            return line.text
    return title_of(doc)[0]


def _page_url(url: str, anchor: str) -> str:
    base = url.split("#", 1)[0]
    return f"{base}#{anchor}" if anchor and base else base


def _context_labels(raws: list[RawPost], scored: list[Recruitment]) -> list[Recruitment]:
    """Short follow-ups by an author whose earlier post on the page recruits, or who quotes
    their own recruiting text, take the label of that post (score kept, rule says why)."""
    out = list(scored)
    recruiters: dict[str, float] = {}
    for i, (raw, rec) in enumerate(zip(raws, scored, strict=True)):
        own_quote = any(q_author.casefold() == raw.author.casefold() for q_author, _ in raw.quotes)
        prior = recruiters.get(raw.author.casefold())
        if not rec.label and (prior is not None or own_quote) and len(raw.text.split()) <= FOLLOWUP_MAX_WORDS:
            if prior is None:
                quoted = [t for a, t in raw.quotes if a.casefold() == raw.author.casefold()]
                prior_rec = score_many(quoted[:1])[0] if quoted else None
                if not (prior_rec and prior_rec.label):
                    continue
                prior = prior_rec.score
            out[i] = Recruitment(label=True, score=rec.score, evidence=(
                *rec.evidence, Mention(raw.author, -1, -1, "context:follow-up by a recruiting author")),
                rule=f"{rec.rule}; follow-up of a recruiting post ({prior:.2f})")
        if out[i].label:
            recruiters[raw.author.casefold()] = max(out[i].score, recruiters.get(raw.author.casefold(), 0.0))
    return out


def forum_posts(doc: Document, url: str, site: str, page_lang: str, deadline: float = math.inf,
                keep: Callable[[int], bool] | None = None) -> tuple[Post, ...]:
    """Every post of a thread page, in page order; ``()`` when the page holds no posts. Past
    ``deadline`` (``time.monotonic()``) posts keep their text but get no entities or products.
    ``keep(number of posts)`` false gives ``()`` before any post is analysed (the caller would
    drop them: a listing page with one dated review)."""
    raws = find_post_blocks(doc.root)
    if not raws or (keep is not None and not keep(len(raws))):
        return ()
    title = _thread_title(doc)
    board = _board(doc, title)
    canonical, page = thread_url(url) if url else ("", 1)
    key_base = canonical or title
    scored = _context_labels(raws, score_many([r.text for r in raws]))
    posts = []
    for raw, rec in zip(raws, scored, strict=True):
        key = f"{key_base}#{raw.anchor}" if raw.anchor else f"{key_base}#page{page}.{raw.index}"
        late = time.monotonic() > deadline
        lang = page_lang if late else detect_lang(raw.text, default=page_lang)
        posts.append(Post(
            id=listing_id(site, key), site=site, url=_page_url(url, raw.anchor), channel=title, author=raw.author,
            text=raw.text[:20000], posted_at=raw.posted_at, title=title, lang=lang,
            entities=Entities() if late else find_entities(raw.text), recruitment=rec,
            products=() if late else find_products(raw.text, lang),
            quotes=tuple(Quote(text[:5000], author) for author, text in raw.quotes), board=board,
            thread_url=canonical,
        ))
    return tuple(posts)
