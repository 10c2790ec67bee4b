"""Post blocks: the one-pass raw texts give ``_text`` of every element ``_content`` looks at."""

from __future__ import annotations

import lxml.html

from extractors._postblocks import _hidden, _is_quote, _lines, _raw_texts, _tag, _text

_PAGE = """<html><body><div class="post" id="p1">
  <div class="author"><a href="/u/alice">alice</a></div><time datetime="2024-02-02T06:19:00Z">2 Feb</time>
  <div class="content">First line<br>second <b>bold</b> line<img alt="pic">
    <blockquote>someone wrote: quoted text</blockquote>
    <div class="signature">sig <span>inside signature</span><p>para in sig</p></div>
    <div style="display: none">hidden <span>deep</span></div><!-- a comment -->
    <p>  spaced   out
       text </p><script>var x = 1;</script>tail text
    <div class="quote-x">not a quote class</div><div>X wrote:<p>reply</p></div>
  </div></div></body></html>"""


def _visited(block):
    """The elements ``_content`` asks about (it does not look inside quotes and hidden parts)."""
    stack, out = [block], []
    while stack:
        el = stack.pop()
        if not _tag(el) or _is_quote(el) or _hidden(el):
            continue
        out.append(el)
        stack.extend(reversed(el))
    return out


def _check(root):
    raws = _raw_texts(root)
    seen = _visited(root)
    assert seen
    for el in seen:
        assert _lines(raws[el]) == _text(el), lxml.html.tostring(el)[:80]


def test_raw_texts_equal_text_on_a_crafted_post():
    _check(lxml.html.document_fromstring(_PAGE).find("body"))


def test_raw_texts_equal_text_on_the_demo_forum(demo_world):
    pages = [body for path, body in demo_world.sites["forum"].pages.items() if "thread" in path][:12]
    assert pages
    for body in pages:
        _check(lxml.html.document_fromstring(body).find("body"))
