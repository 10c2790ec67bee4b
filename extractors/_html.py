"""HTML to structured text: lines that keep headings, links, table cells and card boundaries.

The walk drops what is never content (scripts, styles, forms' option lists, hidden inputs),
keeps the text of ``<textarea>`` (markets show vendors' PGP keys in read-only ones) and of
``<pre>`` line by line, and marks each line with the block it came from, so label/value pairs and repeated cards
can be found without a per-market template.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from extractors._urls import urljoin

__all__ = ["Card", "Document", "Line", "parse_html"]

log = logging.getLogger(__name__)

_DROP = frozenset({"script", "style", "noscript", "select", "option", "optgroup", "svg",
                   "template", "iframe", "object", "embed", "canvas", "head", "button", "input"})
_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5",
                    "h6", "section", "article", "header", "footer", "nav", "aside", "main", "form",
                    "pre", "blockquote", "dd", "dt", "dl", "hr", "td", "th", "fieldset", "legend",
                    "center", "body", "html", "tbody", "thead", "figure", "figcaption", "address",
                    "label", "textarea"})
_PRE = frozenset({"pre", "textarea"})  # line breaks kept: armored PGP keys, signed messages
_CELL = frozenset({"td", "th", "dd", "dt", "label"})
_BOLD = frozenset({"b", "strong", "th"})
_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


@dataclass(slots=True)
class Line:
    """One visual line of text and where it sits in the page."""

    text: str
    heading: int = 0  # 1..6 inside an <hN>, else 0
    href: str = ""  # link of the line when the whole line is one link
    bold: bool = False  # the whole line is <b>/<strong>/<th>
    block: int = 0  # id of the enclosing block element (lines of one cell share it)
    pre: bool = False


@dataclass(slots=True)
class Card:
    """A repeated element on an index page: its lines and links."""

    lines: list[Line]
    links: list[tuple[str, str]]


@dataclass(slots=True)
class Document:
    title: str = ""
    lines: list[Line] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, absolute href)
    meta: dict[str, str] = field(default_factory=dict)
    root: lxml.html.HtmlElement | None = None
    # every element's Python proxy, held while the page is analysed: lxml then hands back the
    # same proxy on each of the page's many walks instead of looking up a class and building one
    nodes: list[lxml.html.HtmlElement] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[Line] = []
        self.links: list[tuple[str, str]] = []
        self.buf: list[str] = []
        self.buf_bold: list[bool] = []
        self.buf_href: list[str] = []
        self.heading = 0
        self.block = 0
        self.pre = 0

    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        if self.pre:
            for part in raw.split("\n"):
                part = _WS.sub(" ", part).strip()
                if part:
                    self.lines.append(Line(part, self.heading, "", False, self.block, True))
        else:
            text = _WS.sub(" ", raw.replace("\n", " ")).strip()
            if text and len(self.buf) == 1:  # one text node (most lines): its own link and weight
                self.lines.append(Line(text, self.heading, self.buf_href[0], self.buf_bold[0], self.block))
            elif text:
                hrefs = {h for h, s in zip(self.buf_href, self.buf, strict=True) if s.strip()}
                href = hrefs.pop() if len(hrefs) == 1 and "" not in hrefs else ""
                bold = all(b for b, s in zip(self.buf_bold, self.buf, strict=True) if s.strip())
                self.lines.append(Line(text, self.heading, href, bold, self.block))
        self.buf.clear()
        self.buf_bold.clear()
        self.buf_href.clear()

    def add(self, text: str | None, bold: bool, href: str) -> None:
        if text:
            self.buf.append(text)
            self.buf_bold.append(bold)
            self.buf_href.append(href)

    def walk(self, el: lxml.html.HtmlElement, bold: bool = False, href: str = "") -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions, entities
            return
        tag = tag.lower()
        if tag in _DROP or not tag:
            return
        get = el.get
        if get("type") == "hidden" or "display:none" in (get("style") or "").replace(" ", ""):
            return
        is_block = tag in _BLOCK
        if is_block:
            self.flush()
            self.block += 1
        level = int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" else 0
        saved = (self.heading, self.block)
        if level:
            self.heading = level
        is_pre = tag in _PRE
        if is_pre:
            self.pre += 1
        tail_bold = tag in _BOLD
        if tail_bold:
            bold = True
        if tag == "a" and get("href"):
            href = urljoin(self.base_url, get("href", "").strip()) if self.base_url else get("href", "").strip()
            text = " ".join(el.text_content().split())
            if text:
                self.links.append((text, href))
        elif tag == "img" and get("alt"):
            self.add(" " + get("alt", "") + " ", bold, href)
        buf, buf_bold, buf_href = self.buf, self.buf_bold, self.buf_href
        text = el.text
        if text:
            buf.append(text)
            buf_bold.append(bold)
            buf_href.append(href)
        walk = self.walk
        for child in el:
            walk(child, bold, href)
            tail = child.tail
            if tail:
                buf.append(tail)
                buf_bold.append(tail_bold)
                buf_href.append(href)
        if is_block:
            self.flush()
        if is_pre:
            self.pre -= 1
        self.heading, block = saved
        if is_block and tag in _CELL:
            self.block = max(self.block, block) + 1


def parse_html(html: str, base_url: str = "") -> Document:
    """Parse (tolerantly) and walk the page. Never raises on malformed markup."""
    doc = Document()
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        log.debug("unparseable html: %s", exc)
        return doc
    doc.root = root
    doc.nodes = list(root.iter())
    title = root.find(".//title")
    doc.title = " ".join(title.text_content().split()) if title is not None else ""
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or ""
        if key and meta.get("content"):
            doc.meta[key.lower()] = meta.get("content", "")
    walker = _Walker(base_url)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    doc.lines = walker.lines
    doc.links = walker.links
    return doc
