"""The demo forum: threads, pagination, quotes kept apart from a post's own text, labels."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import lxml.html
import pytest

from nachtwacht.demomarket import DemoWorld, generate


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(7)


def test_forum_has_threads_posts_and_both_labels_in_every_language(world: DemoWorld) -> None:
    posts = world.truth["posts"]
    assert len(world.truth["threads"]) >= 40 and len(posts) >= 300
    by_lang = Counter((p["lang"], p["recruitment"]) for p in posts)
    for lang in ("nl", "fr", "es", "en", "mixed"):
        assert by_lang[(lang, True)] > 0 and by_lang[(lang, False)] > 0, lang
    negatives = {p["kind"] for p in posts if not p["recruitment"]}
    assert {"prevention", "news", "job_ad", "drug_sale", "warning"} <= negatives
    share = sum(p["recruitment"] for p in posts) / len(posts)
    assert 0.05 < share < 0.4


def test_hard_negatives_use_the_same_vocabulary_as_recruitment(world: DemoWorld) -> None:
    words = re.compile(r"uithaler|koerier|guetteur|mule|lancha|geldezel|charbonn", re.I)
    hits = {p["kind"] for p in world.truth["posts"] if not p["recruitment"] and words.search(p["text"])}
    assert {"prevention", "news"} <= hits


def test_quoted_recruitment_inside_a_negative_reply_exists(world: DemoWorld) -> None:
    by_id = {p["post_id"]: p for p in world.truth["posts"]}
    tricky = [p for p in world.truth["posts"]
              if p["quoted_post_id"] and by_id[p["quoted_post_id"]]["recruitment"] and not p["recruitment"]]
    assert len(tricky) >= 10


def test_every_post_is_on_its_page_with_quote_and_own_text_apart(world: DemoWorld) -> None:
    site = world.sites["forum"]
    pages: dict[str, lxml.html.HtmlElement] = {}
    for p in world.truth["posts"]:
        if p["path"] not in pages:
            pages[p["path"]] = lxml.html.fromstring(site.pages[p["path"]])
        node = pages[p["path"]].get_element_by_id(f"p{p['post_id']}")
        assert node.xpath("string(.//*[@class='username'])") == p["author"]
        assert node.xpath("string(.//*[@class='posted'])") == p["posted_shown"]
        content = node.xpath(".//div[@class='content']")[0]
        quotes = content.xpath("./blockquote")
        own = " ".join(el.text_content() for el in content if el.tag != "blockquote")
        assert own == p["text"]
        if p["quoted"] is None:
            assert not quotes
        else:
            assert quotes[0].get("data-post-id") == str(p["quoted_post_id"])
            assert quotes[0].text_content().endswith(p["quoted"])


def test_posted_times_use_both_formats_and_match_the_truth(world: DemoWorld) -> None:
    formats = Counter()
    for p in world.truth["posts"]:
        truth = datetime.strptime(p["posted_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        shown = p["posted_shown"]
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown):
            formats["iso"] += 1
            parsed = datetime.strptime(shown, "%Y-%m-%dT%H:%M:%SZ")
        else:
            formats["dmy"] += 1
            parsed = datetime.strptime(shown, "%d-%m-%Y %H:%M")
        assert parsed.replace(tzinfo=UTC) == truth
    assert formats["iso"] > 50 and formats["dmy"] > 50


def test_thread_and_board_pagination(world: DemoWorld) -> None:
    site = world.sites["forum"]
    multi = [t for t in world.truth["threads"] if t["pages"] > 1]
    assert multi
    for t in world.truth["threads"]:
        for n in range(1, t["pages"] + 1):
            assert site.resolve(f"/thread/{t['id']}?page={n}").status == 200
        assert site.resolve(f"/thread/{t['id']}?page={t['pages'] + 1}").status == 404
        first = site.pages[t["path"]].decode()
        if t["pages"] > 1:
            assert f'href="/thread/{t["id"]}?page=2"' in first
    assert site.resolve("/board/werk?page=2").status == 200
    home = site.pages["/"].decode()
    boards = re.findall(r'href="(/board/[^"?]+)"', home)
    linked = {m for b in boards for m in re.findall(r'href="(/thread/\d+)"', _all_board_pages(site, b))}
    assert linked == {t["path"] for t in world.truth["threads"]}


def _all_board_pages(site, board: str) -> str:
    out, n = "", 1
    while True:
        reply = site.resolve(f"{board}?page={n}")
        if reply.status != 200:
            return out
        out += reply.body.decode()
        n += 1
