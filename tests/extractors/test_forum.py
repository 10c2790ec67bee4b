"""Forum thread pages -> posts: the demo forum against its ground truth, and other layouts."""

from __future__ import annotations

import re

import pytest

from extractors import extract_html, listing_id
from extractors._posts import thread_url
from extractors._timestamps import find_times, parse_time


@pytest.fixture(scope="module")
def forum(demo_world):
    """(truth posts, {(path, post id): Post}, {path: Extraction}) over every thread page."""
    truth = demo_world.truth
    found, pages = {}, {}
    for thread in truth["threads"]:
        for page in range(1, thread["pages"] + 1):
            path = thread["path"] if page == 1 else f"{thread['path']}?page={page}"
            result = extract_html(demo_world.sites["forum"].pages[path], url=f"http://forum.demo{path}", site="forum")
            pages[path] = result
            for post in result.posts:
                found[(path, re.sub(r"\D", "", post.url.rsplit("#", 1)[-1]))] = post
    return truth, found, pages


def test_every_demo_post_found_with_author_time_and_own_text(forum):
    truth, found, pages = forum
    assert {r.page_type for r in pages.values()} == {"forum_post"}
    assert len(found) == len(truth["posts"]) == sum(len(r.posts) for r in pages.values())
    for row in truth["posts"]:
        post = found[(row["path"], str(row["post_id"]))]
        assert (post.author, post.posted_at, post.text) == (row["author"], row["posted_at"], row["text"]), row


def test_quotes_are_kept_apart_from_the_own_text(forum):
    truth, found, _ = forum
    quoting = [row for row in truth["posts"] if row["quoted"]]
    assert len(quoting) > 50
    for row in quoting:
        post = found[(row["path"], str(row["post_id"]))]
        assert [q.text for q in post.quotes] == [row["quoted"]]
        assert row["quoted"] not in post.text or row["quoted"] in row["text"]
    plain = [found[(r["path"], str(r["post_id"]))] for r in truth["posts"] if not r["quoted"]]
    assert all(not p.quotes for p in plain)


def test_thread_title_board_and_stable_ids(forum, demo_world):
    truth, _found, pages = forum
    thread = next(t for t in truth["threads"] if t["pages"] >= 2)
    first, second = pages[thread["path"]], pages[f"{thread['path']}?page=2"]
    for post in (*first.posts, *second.posts):
        assert post.channel == post.title == thread["title"]
        assert post.thread_url == f"http://forum.demo{thread['path']}"
        assert post.board and post.site == "forum"
    titles = {t["path"]: t["title"] for t in truth["threads"]}
    assert all(p.title == titles[path.split("?")[0]] for path, r in pages.items() for p in r.posts)
    ids = [p.id for r in pages.values() for p in r.posts]
    assert len(set(ids)) == len(ids)
    anchor = first.posts[0].url.rsplit("#", 1)[-1]
    assert first.posts[0].id == listing_id("forum", f"http://forum.demo{thread['path']}#{anchor}")
    again = extract_html(demo_world.sites["forum"].pages[thread["path"]], url=f"http://forum.demo{thread['path']}",
                         site="forum")
    assert [p.id for p in again.posts] == [p.id for p in first.posts]


def test_posts_carry_entities_language_and_scored_recruitment(forum):
    truth, found, _ = forum
    with_onion = [r for r in truth["onions"] if r["site"] == "forum"]
    assert with_onion
    posts = list(found.values())
    onions = {o for p in posts for o in (m.value for m in p.entities.onions)}
    assert {r["address"] for r in with_onion if r["valid"]} <= onions
    assert all(p.recruitment is not None and 0.0 <= p.recruitment.score <= 1.0 for p in posts)
    assert {p.lang for p in posts} >= {"nl", "fr", "es", "en"}


def test_board_pages_are_not_market_indexes(demo_world):
    board = next(p for p in demo_world.sites["forum"].pages if p.startswith("/board/"))
    result = extract_html(demo_world.sites["forum"].pages[board], url=f"http://forum.demo{board}", site="forum")
    assert result.page_type != "index" and not result.listings


# Two layouts the demo does not use: a table-based board (vBulletin-like, "Posted by X on ...",
# no author class) and an <article>/<time datetime> thread (Discourse-like, profile links).
TABLE_FORUM = """<html><head><title>Re: looking for work - Old Board</title></head><body>
<h1>Old Board</h1><div class="crumbs">Index &raquo; Jobs &raquo; looking for work</div>
<h2>looking for work</h2>
<table class="t">
<tr id="post_11"><td class="meta">Posted by <b>Anna K</b> on 03/14/2024 09:05 pm</td></tr>
<tr id="post_11b"><td class="body">Anyone knows a job in a warehouse? I can start Monday.</td></tr>
</table>
<table class="t">
<tr id="post_12"><td class="meta">Posted by <b>bob_77</b> on 15/03/2024 10:00</td></tr>
<tr><td class="body"><div class="q">Anna K said:<br>Anyone knows a job in a warehouse?</div>Try the port, they hire every week.
</td></tr></table>
</body></html>"""

ARTICLE_FORUM = """<html><head><title>Cherche chauffeur | Le Coin</title></head><body>
<header><h1>Le Coin</h1></header><main>
<h2>Cherche chauffeur</h2>
<article data-post="501"><a href="/u/marco13">marco13</a>
<time datetime="2024-05-01T10:00:00+02:00">1 mai</time>
<div class="cooked"><p>Besoin d'un chauffeur pour un go fast vers Lyon, 2000 le trajet, DM sur Signal.</p></div></article>
<article data-post="502"><a href="/u/lea_b">lea_b</a>
<time datetime="2024-05-01T11:30:00+02:00">1 mai</time>
<div class="cooked"><blockquote>Besoin d'un chauffeur</blockquote><p>Non merci, c'est comme ça qu'on finit en prison.</p></div>
</article></main></body></html>"""


def test_table_layout_with_posted_by_lines():
    result = extract_html(TABLE_FORUM, url="http://old.example/showthread.php?t=9&page=2", site="old")
    assert result.page_type == "forum_post"
    assert [(p.author, p.posted_at) for p in result.posts] == [
        ("Anna K", "2024-03-14T21:05:00Z"), ("bob_77", "2024-03-15T10:00:00Z")]
    assert result.posts[0].text == "Anyone knows a job in a warehouse? I can start Monday."
    assert result.posts[1].text == "Try the port, they hire every week."
    assert [(q.author, q.text) for q in result.posts[1].quotes] == [("Anna K", "Anyone knows a job in a warehouse?")]
    assert result.posts[0].thread_url == "http://old.example/showthread.php?t=9"


def test_article_layout_with_time_elements_and_profile_links():
    result = extract_html(ARTICLE_FORUM, url="http://coin.example/t/cherche-chauffeur/77", site="coin")
    assert result.page_type == "forum_post"
    first, second = result.posts
    assert (first.author, first.posted_at, first.lang) == ("marco13", "2024-05-01T08:00:00Z", "fr")
    assert first.text.startswith("Besoin d'un chauffeur pour un go fast")
    assert (second.author, second.text) == ("lea_b", "Non merci, c'est comme ça qu'on finit en prison.")
    assert [q.text for q in second.quotes] == ["Besoin d'un chauffeur"]
    assert ("signal" in {m.value for m in first.recruitment.evidence}) or first.recruitment.evidence


def test_single_post_on_a_last_page(demo_world):
    thread = next(t for t in demo_world.truth["threads"] if t["post_count"] % 10 == 1 and t["pages"] > 1)
    path = f"{thread['path']}?page={thread['pages']}"
    result = extract_html(demo_world.sites["forum"].pages[path], url=f"http://forum.demo{path}", site="forum")
    assert result.page_type == "forum_post" and len(result.posts) == 1


def test_a_listing_page_with_a_dated_review_stays_a_listing():
    html = """<html><body><h1>10g Amnesia Haze</h1><p>Vendor: GreenLeaf</p><p>Price: 80 EUR</p>
    <p>Ships from: Netherlands</p><div class="review"><b>buyer1</b> 2024-01-02 10:00 fast and good</div></body></html>"""
    result = extract_html(html, url="http://m.example/listing/5", site="m")
    assert result.page_type == "listing" and not result.posts


@pytest.mark.parametrize(("shown", "iso"), [
    ("2024-02-02T06:19:00Z", "2024-02-02T06:19:00Z"),
    ("13-02-2024 18:05", "2024-02-13T18:05:00Z"),
    ("02/13/2024 06:05 pm", "2024-02-13T18:05:00Z"),
    ("2024-02-02T08:19:00+02:00", "2024-02-02T06:19:00Z"),
    ("Fri Feb 02, 2024 6:19 am", "2024-02-02T06:19:00Z"),
    ("2 février 2024 à 06:19", "2024-02-02T06:19:00Z"),
    ("5 mrt 2024 14:00", "2024-03-05T14:00:00Z"),
    ("3 de abril 2024 14:00", ""),
    ("31-02-2024 10:00", ""),
    ("version 1.2.3 at 10:00", ""),
])
def test_timestamps(shown, iso):
    assert parse_time(shown) == iso


def test_times_inside_prose_keep_their_spans():
    text = "door Jan » 13-02-2024 18:05 en toen 14-02-2024 09:00"
    assert [(text[s:e], iso) for s, e, iso in find_times(text)] == [
        ("13-02-2024 18:05", "2024-02-13T18:05:00Z"), ("14-02-2024 09:00", "2024-02-14T09:00:00Z")]


def test_thread_url_drops_page_parameters():
    assert thread_url("http://f.onion/viewtopic.php?t=5&start=20#p9") == ("http://f.onion/viewtopic.php?t=5", 21)
    assert thread_url("http://f.onion/thread/3008?page=3") == ("http://f.onion/thread/3008", 3)
    assert thread_url("http://f.onion/threads/x.12/page-4") == ("http://f.onion/threads/x.12", 4)


def test_recruitment_labels_on_the_demo_forum(forum):
    truth, found, _ = forum
    pairs = [(found[(r["path"], str(r["post_id"]))].recruitment, r["recruitment"]) for r in truth["posts"]]
    tp = sum(1 for rec, gold in pairs if rec.label and gold)
    fp = sum(1 for rec, gold in pairs if rec.label and not gold)
    fn = sum(1 for rec, gold in pairs if not rec.label and gold)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.9, (tp, fp, fn)
    labelled = [rec for rec, _ in pairs if rec.label]
    assert all(rec.evidence for rec in labelled if "follow-up" not in rec.rule)


FOLLOW_UP = """<html><head><title>werk - Board</title></head><body><h2>werk</h2>
<div class="m" id="m1"><b>ronselaar_x</b> 01-03-2024 10:00<p>Koeriers gezocht in Gent, 250 per dag cash, geen vragen, snap me</p></div>
<div class="m" id="m2"><b>buurman</b> 01-03-2024 11:00<p>Niet doen jongens, zo beland je in de cel</p></div>
<div class="m" id="m3"><b>ronselaar_x</b> 02-03-2024 09:00<p>Up!</p></div>
<div class="m" id="m4"><b>buurman</b> 02-03-2024 09:30<p>Up!</p></div></body></html>"""


def test_short_follow_up_of_a_recruiter_is_labelled_from_context():
    posts = extract_html(FOLLOW_UP, url="http://b.example/topic/1", site="b").posts
    assert [p.author for p in posts] == ["ronselaar_x", "buurman", "ronselaar_x", "buurman"]
    assert [p.recruitment.label for p in posts] == [True, False, True, False]
    assert "follow-up" in posts[2].recruitment.rule
    assert "ronselaar_x" in [m.value for m in posts[2].recruitment.evidence]
