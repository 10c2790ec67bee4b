"""Post blocks of forum threads and channel pages, found from the DOM without templates.

A post is a repeated element holding exactly one timestamp, an author and text of its own.
Each timestamp outside quotes anchors one candidate: the largest ancestor holding no other
timestamp and no page heading (h1/h2). Candidates sharing the most common element shape are
the posts (one candidate alone is a post when it has an author and text). Quotes
(``<blockquote>`` or quote-classed elements) are kept apart from the post's own text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import lxml.html

from extractors._timestamps import find_times, has_time, parse_time
from extractors._vendor import handle_from_url

__all__ = ["MAX_ANCHORS", "RawPost", "find_post_blocks"]

MAX_ANCHORS = 400  # timestamps considered per page (a page with more is not read past them)
_SKIP = frozenset({"script", "style", "noscript", "select", "option", "textarea", "svg", "template",
                   "iframe", "object", "embed", "canvas", "head", "button", "input", "form"})
_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                    "section", "article", "header", "footer", "pre", "blockquote", "dd", "dt", "dl", "hr",
                    "td", "th", "aside", "main", "figure", "figcaption", "address"})
_QUOTE_CLASS = re.compile(r"(?:^|[\s_-])(?:quote|quotecontent|bbcode_quote|bbquote|quoted|reply-quote)(?:$|[\s_-])",
                          re.IGNORECASE)
_SIG_CLASS = re.compile(r"(?:^|[\s_-])(?:signature|sig|postfooter|post-footer)(?:$|[\s_-])", re.IGNORECASE)
_AUTHOR_CLASS = re.compile(
    r"(?:^|[\s_-])(?:author|username|user-?name|poster|postauthor|nick|nickname|from_name|message-author|"
    r"display-?name|byline)(?:$|[\s_-])", re.IGNORECASE)
_BY = re.compile(r"(?:^|\s|\W)(?:posted by|written by|geplaatst door|gepost door|écrit par|posté par|publicado por|"
                 r"escrito por|by|door|par|por|von|van)\s+@?(?P<h>[\w.\-]{2,40}(?: [A-Z][\w.\-]{1,20})?)",
                 re.IGNORECASE)
_WROTE = re.compile(r"^\s*@?(?P<h>.{2,40}?)\s+(?:wrote|said|schreef|zei|a écrit|a dit|escribió|dijo|schrieb)\b",
                    re.IGNORECASE)
_HANDLE_OK = re.compile(r"^[\w.\-@ ]{2,40}$")
_BY_PREFIX = re.compile(r"^(?:by|door|par|por|von|posted by|@)\s*", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_NUMBERS = re.compile(r"[0-9]+")
_STOP_AUTHORS = frozenset({"quote", "reply", "posts", "joined", "by", "door", "par", "por", "report", "top", "guest",
                           "citeren", "citer", "citar", "profile", "pm", "message"})


@dataclass(frozen=True, slots=True)
class RawPost:
    """One post as read from the page: own text, quotes (author, text) apart."""

    author: str
    posted_at: str
    text: str
    quotes: tuple[tuple[str, str], ...]
    anchor: str  # id of the post in the page (element id or data-*-id), "" when none
    index: int  # position among the page's posts, from 0


def _tag(el: lxml.html.HtmlElement) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


_QUOTE_HEAD = re.compile(r"^\s*\S.{0,40}\s(?:wrote|said|schreef|zei|a écrit|a dit|escribió|dijo|schrieb)\s*:\s*$",
                        re.IGNORECASE)


def _is_quote(el: lxml.html.HtmlElement) -> bool:
    """A ``<blockquote>``, a quote-classed element, or a div opening with ``X wrote:``."""
    tag = _tag(el)
    if tag == "blockquote" or _QUOTE_CLASS.search(el.get("class") or ""):
        return True
    return tag == "div" and bool(el.text) and bool(_QUOTE_HEAD.match(el.text))


def _hidden(el: lxml.html.HtmlElement) -> bool:
    return _tag(el) in _SKIP or "display:none" in (el.get("style") or "").replace(" ", "")


def _anchors(root: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """(element holding a timestamp, ISO time) outside quotes, hidden parts and <head>, in page order."""
    found: dict[lxml.html.HtmlElement, str] = {}
    for el in root.iter():
        tag = _tag(el)
        if not tag:
            continue
        iso = ""
        for attr in ("datetime", "data-time", "data-timestamp", "title"):
            value = el.get(attr)
            if value and (tag == "time" or attr != "datetime"):
                iso = parse_time(value)
                if iso:
                    break
        if not iso and el.text and has_time(el.text):
            iso = parse_time(el.text)
        holder = el
        if not iso and el.tail and has_time(el.tail):
            iso, holder = parse_time(el.tail), el.getparent()
        if not iso or holder is None or holder in found:
            continue
        if any(_is_quote(a) or _hidden(a) for a in (holder, *holder.iterancestors())):
            continue
        found[holder] = iso
        if len(found) >= MAX_ANCHORS:
            break
    return list(found.items())


def _has_page_heading(el: lxml.html.HtmlElement) -> bool:
    return _tag(el) in ("h1", "h2") or next(el.iter("h1", "h2"), None) is not None


def _blocks(anchors: list[tuple[lxml.html.HtmlElement, str]]) -> list[lxml.html.HtmlElement]:
    owner: dict[lxml.html.HtmlElement, int] = {}
    for i, (el, _iso) in enumerate(anchors):
        for anc in (el, *el.iterancestors()):
            owner[anc] = i if owner.get(anc, i) == i else -1
    out = []
    for i, (el, _iso) in enumerate(anchors):
        block = el
        for anc in el.iterancestors():
            if owner.get(anc) != i or _tag(anc) in ("body", "html") or _has_page_heading(anc):
                break
            block = anc
        out.append(block)
    return out


def _text(el: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement] | None = None,
          quotes: bool = False) -> str:
    """Visible text with line breaks at blocks; quotes (unless ``quotes``), signatures and ``skip`` left out."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = _tag(node)
        if not tag or _hidden(node) or (skip and node in skip):
            return
        if (not quotes and _is_quote(node)) or _SIG_CLASS.search(node.get("class") or ""):
            return
        block = tag in _BLOCK
        if block:
            parts.append("\n")
        if tag == "img" and node.get("alt"):
            parts.append(f" {node.get('alt')} ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    return _lines("".join(parts))


def _lines(raw: str) -> str:
    """Raw text to ``_text``'s form: whitespace runs to one space, empty lines dropped."""
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _raw_texts(root: lxml.html.HtmlElement) -> dict[lxml.html.HtmlElement, str]:
    """Elements under ``root`` (itself included) to their raw ``_text`` (before ``_lines``), in
    one bottom-up pass: ``_lines(raw[el]) == _text(el)``. Hidden parts and quotes map to ``""``
    and their insides are left out (``_content`` does not look inside them); a signature maps to
    ``""`` but its insides have their own text, as ``_text`` gives them."""
    out: dict[lxml.html.HtmlElement, str] = {}

    def raw(node: lxml.html.HtmlElement) -> str:
        tag = _tag(node)
        if not tag or _hidden(node) or _is_quote(node):
            out[node] = ""
            return ""
        signature = bool(_SIG_CLASS.search(node.get("class") or ""))
        parts = []
        block = tag in _BLOCK
        if block:
            parts.append("\n")
        if tag == "img" and node.get("alt"):
            parts.append(f" {node.get('alt')} ")
        if node.text:
            parts.append(node.text)
        for child in node:
            parts.append(raw(child))
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")
        out[node] = text = "" if signature else "".join(parts)
        return text

    raw(root)
    return out


def _link_share(el: lxml.html.HtmlElement, text: str) -> float:
    linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return linked / max(len(text), 1)


def _clean_author(value: str) -> str:
    value = " ".join(value.split()).strip(" :»«|-–,")
    value = _BY_PREFIX.sub("", value).strip()
    if not _HANDLE_OK.match(value) or value.casefold() in _STOP_AUTHORS or value.isdigit():
        return ""
    if has_time(value) or len(value.split()) > 3:
        return ""
    return value


def _author(block: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement,
            quotes: set[lxml.html.HtmlElement]) -> tuple[str, lxml.html.HtmlElement | None]:
    """(author, the element it came from) by class/itemprop, 'by X' beside the time, profile link, bold name."""
    def inside_quote(el: lxml.html.HtmlElement) -> bool:
        return any(q in quotes for q in (el, *el.iterancestors()))

    for el in block.iter():
        if not _tag(el) or inside_quote(el):
            continue
        marked = (el.get("itemprop") or "").lower() in ("author", "creator") or \
            _AUTHOR_CLASS.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if not marked:
            continue
        text = " ".join(el.text_content().split())
        name = _clean_author(text)
        if not name:
            for child in el.iter("strong", "b", "a", "span"):
                name = _clean_author(child.text_content())
                if name:
                    break
        if not name:
            m = _BY.search(text)
            name = _clean_author(m.group("h")) if m else ""
        if name:
            return name, el
    for holder in (anchor, anchor.getparent()):
        if holder is None:
            continue
        m = _BY.search(" ".join(holder.text_content().split()))
        if m and _clean_author(m.group("h")):
            for child in holder.iter("strong", "b", "a"):  # a marked-up name may hold a space
                name = _clean_author(child.text_content())
                if name and name.startswith(m.group("h").split()[0]):
                    return name, child
            return _clean_author(m.group("h")), holder
    for a in block.iter("a"):
        if not inside_quote(a) and a.get("href") and handle_from_url(a.get("href", "")):
            name = _clean_author(a.text_content()) or handle_from_url(a.get("href", ""))
            if name:
                return name, a
    parent = anchor.getparent() if anchor is not block and anchor.getparent() is not None else anchor
    for scope in (parent, block):
        for el in scope.iter("strong", "b", "a"):
            name = _clean_author(el.text_content())
            if name and not inside_quote(el):
                return name, el
    return "", None


def _content(block: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement,
             author_el: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement | None:
    """The descendant holding the post's own text: most non-quote text, not holding the time or
    the author (the header and the profile column), the outermost on ties."""
    avoid = {anchor, *anchor.iterancestors()}
    if author_el is not None:
        avoid |= {author_el, *author_el.iterancestors()}
    line = next((a for a in (anchor, *anchor.iterancestors()) if _tag(a) in _BLOCK), anchor)
    name = " ".join(author_el.text_content().split()) if author_el is not None else ""
    best: lxml.html.HtmlElement | None = None
    best_len = 0
    raws = _raw_texts(block)
    stack = [block]
    while stack:
        el = stack.pop()
        if not _tag(el) or _is_quote(el) or _hidden(el) or (el is line and line is not block):
            continue
        if el not in avoid:
            text = _lines(raws[el]) if el in raws else _text(el)
            n = len(text) if text != name else 0
            if n > best_len:
                best, best_len = el, n
        stack.extend(reversed(el))
    return best


def _anchor_id(block: lxml.html.HtmlElement) -> str:
    for el in (block, *block.iterdescendants()):
        if not _tag(el):
            continue
        for attr in ("data-post-id", "data-postid", "data-message-id", "data-post", "id"):
            value = el.get(attr)
            if value and _DIGIT.search(value):
                return value
        if _tag(el) == "a" and el.get("name") and _DIGIT.search(el.get("name", "")):
            return el.get("name", "")
    return ""


def _quote_parts(q: lxml.html.HtmlElement) -> tuple[str, str]:
    cite = next(q.iter("cite"), None)
    head = " ".join(cite.text_content().split()) if cite is not None else ""
    body = _text(q, skip={cite} if cite is not None else None, quotes=True)
    if cite is None:
        first, _, rest = body.partition("\n")
        if _WROTE.match(first):
            head, body = first, rest
    m = _WROTE.match(head)
    return (_clean_author(m.group("h")) if m else ""), body


def find_post_blocks(root: lxml.html.HtmlElement | None) -> list[RawPost]:
    """The posts of a thread or channel page in page order; ``[]`` when the page has none."""
    if root is None:
        return []
    body = root.find("body")
    anchors = _anchors(body if body is not None else root)
    if not anchors:
        return []
    candidates: list[tuple[str, RawPost]] = []
    for (anchor, iso), block in zip(anchors, _blocks(anchors), strict=True):
        quotes = {q for q in block.iter() if _tag(q) and _is_quote(q)}
        top_quotes = [q for q in quotes if not any(a in quotes for a in q.iterancestors())]
        author, author_el = _author(block, anchor, quotes)
        if not author:
            continue
        content = _content(block, anchor, author_el)
        text = _text(content) if content is not None else ""
        if not text:
            whole = _text(block)
            text = "\n".join(ln for ln in whole.split("\n") if not find_times(ln) and ln.strip() != author)
        if not text or (content is not None and _link_share(content, text) > 0.8):
            continue
        shape = f"{_tag(block)}.{_NUMBERS.sub('', block.get('class') or '')}"
        quoted = tuple(_quote_parts(q) for q in top_quotes)
        candidates.append((shape, RawPost(author, iso, text, quoted, _anchor_id(block), 0)))
    if not candidates:
        return []
    shapes = Counter(shape for shape, _ in candidates)
    shape, count = shapes.most_common(1)[0]
    if count == 1 and len(candidates) > 1:
        candidates = [max(candidates, key=lambda c: len(c[1].text))]
    else:
        candidates = [c for c in candidates if c[0] == shape]
    return [RawPost(p.author, p.posted_at, p.text, p.quotes, p.anchor, i) for i, (_s, p) in enumerate(candidates)]
