"""The forum ("Lage Landen Forum"): boards, threads, posts with quotes; phpBB-like HTML."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ._forum_text import (
    AMOUNTS,
    AUTHORS,
    BOARDS,
    EMOJI,
    OFFICIAL,
    QUOTE_INTRO,
    RECRUITERS,
    RECRUITING,
    SLOTS,
    TEXTS,
    THREAD_TITLES,
)
from ._html import esc
from ._site import DemoSite

__all__ = ["POSTS_PER_PAGE", "THREADS_PER_PAGE", "build_forum"]

NAME = "Lage Landen Forum"
POSTS_PER_PAGE = 10
THREADS_PER_PAGE = 15
BASE_TIME = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)

# Thread kinds per board (shuffled per seed).
PLAN = {
    "werk": ("recruitment",) * 7 + ("job_ad",) * 6 + ("drug_sale", "prevention", "prevention"),
    "haven": ("recruitment",) * 4 + ("job_ad", "job_ad", "news", "news"),
    "algemeen": ("drug_talk",) * 5 + ("drug_sale", "drug_sale", "recruitment"),
    "le-coin": ("recruitment",) * 3 + ("drug_talk", "drug_talk", "drug_sale", "prevention"),
    "rincon": ("recruitment",) * 3 + ("drug_talk", "drug_talk", "job_ad", "news"),
    "nieuws": ("news",) * 4 + ("prevention",) * 3,
}
# Reply mix per opening kind: (kind, weight).
REPLIES = {
    "recruitment": (("interest", 3), ("warning", 2), ("recruiter_followup", 1.5), ("reply", 1), ("drug_talk", 0.5)),
    "job_ad": (("interest", 2), ("reply", 2), ("job_ad", 1), ("recruitment", 0.4)),
    "prevention": (("reply", 3), ("warning", 2), ("prevention", 1), ("news", 0.5), ("recruitment", 0.4)),
    "news": (("reply", 3), ("warning", 2), ("news", 1), ("prevention", 0.5)),
    "drug_talk": (("drug_talk", 3), ("drug_sale", 1), ("reply", 1)),
    "drug_sale": (("interest", 1), ("drug_talk", 2), ("reply", 1)),
}
CSS = """body{font-family:Arial,sans-serif;background:#eef;color:#111}.post{background:#fff;margin:8px 0;padding:8px}
blockquote{background:#f4f4f4;border-left:3px solid #99c;margin:4px 0 8px;padding:4px 8px}
.postprofile{float:right;width:150px;font-size:12px}.pagination a{margin:0 3px}
"""


@dataclass(frozen=True, slots=True)
class PostRec:
    post_id: int
    thread: int
    author: str
    kind: str
    lang: str
    text: str
    posted: datetime
    shown: str
    quote: tuple[int, str, str] | None  # (post id, author, text)


@dataclass(frozen=True, slots=True)
class ThreadRec:
    id: int
    board: str
    title: str
    kind: str
    lang: str
    posts: tuple[PostRec, ...]


def thread_path(tid: int, page: int = 1) -> str:
    return f"/thread/{tid}" if page == 1 else f"/thread/{tid}?page={page}"


def board_path(slug: str, page: int = 1) -> str:
    return f"/board/{slug}" if page == 1 else f"/board/{slug}?page={page}"


def _contact(rng: random.Random, name: str) -> str:
    low = name.lower().replace("_", "")
    return rng.choice((f"Telegram @{low}", f"snap: {low}{rng.randrange(10, 99)}", f"Wickr: {low}",
                       "Signal/Session in bio", f"tg @{low}_work", f"Threema {low[:4].upper()}{rng.randrange(1000, 9999)}"))


def _fill(rng: random.Random, kind: str, lang: str, author: str, contact: str | None,
          used: set[str]) -> tuple[str, str]:
    """A text of ``kind``, preferring templates not yet used in the thread: (text, lang).

    When every template of ``lang`` is used, code-mixed posts borrow from nl/en/fr and
    the others from "mixed"/"en", so a long thread does not repeat itself.
    """
    fallback = ("nl", "en", "fr") if lang == "mixed" else ("mixed", "en")
    for pool_lang in (lang, *fallback):
        pool = [t for t in TEXTS[kind].get(pool_lang, ()) if t not in used]
        if pool:
            break
    else:
        pool_lang, pool = lang, list(TEXTS[kind].get(lang) or TEXTS[kind]["en"])
    template = rng.choice(pool)
    used.add(template)
    slot_lang = pool_lang if pool_lang in SLOTS["city"] else "en"
    text = template.format(
        port=rng.choice(SLOTS["port"][slot_lang]), city=rng.choice(SLOTS["city"][slot_lang]),
        amount=rng.choice(AMOUNTS["amount"]), small=rng.choice(AMOUNTS["small"]),
        big=rng.choice(AMOUNTS["big"]), emoji=rng.choice(EMOJI),
        contact=contact or _contact(rng, author),
    )
    return text, pool_lang


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in pairs)
    roll = rng.uniform(0, total)
    for kind, weight in pairs:
        roll -= weight
        if roll <= 0:
            return kind
    return pairs[-1][0]


def _shown(moment: datetime, iso: bool) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if iso else moment.strftime("%d-%m-%Y %H:%M")


def _thread(rng: random.Random, tid: int, board: str, kind: str, langs: tuple[str, ...],
            start: datetime, next_pid: int) -> ThreadRec:
    lang = rng.choice(langs)
    if kind in OFFICIAL:
        opener = rng.choice(OFFICIAL[kind])
    elif kind == "recruitment":
        opener = rng.choice(RECRUITERS)
    else:
        opener = rng.choice(AUTHORS)
    recruiter_contact = _contact(random.Random(f"contact:{opener}"), opener)
    iso = tid % 2 == 0
    count = rng.randrange(3, 26)
    posts: list[PostRec] = []
    used: set[str] = set()
    moment = start
    for n in range(count):
        if n == 0:
            pkind, author = kind, opener
        else:
            pkind = _pick(rng, REPLIES[kind])
            if pkind == "recruiter_followup":
                author = opener
            elif pkind == "recruitment":  # a recruiter hijacking someone else's thread
                author = rng.choice(RECRUITERS)
            elif pkind in OFFICIAL:
                author = rng.choice(OFFICIAL[pkind])
            else:
                author = rng.choice([a for a in AUTHORS if a != opener])
        plang = lang if n == 0 or rng.random() < 0.9 else rng.choice(("mixed", "en"))
        contact = recruiter_contact if author == opener and kind == "recruitment" else None
        text, plang = _fill(rng, pkind, plang, author, contact, used)
        quote = None
        if posts and rng.random() < 0.35:
            target = posts[0] if rng.random() < 0.6 else rng.choice(posts)
            quote = (target.post_id, target.author, target.text)
        posts.append(PostRec(next_pid + n, tid, author, pkind, plang, text, moment,
                             _shown(moment, iso), quote))
        moment += timedelta(minutes=rng.randrange(4, 900))
    title = THREAD_TITLES[kind].get(lang, THREAD_TITLES[kind]["en"])
    if kind in ("recruitment", "drug_sale", "job_ad"):
        title += f" ({rng.choice(SLOTS['city'][lang if lang in SLOTS['city'] else 'en'])})"
    return ThreadRec(tid, board, title, kind, lang, tuple(posts))


MIRROR_TALK = {"nl": "Mirror werkt weer: {onion}", "en": "Working mirror: {onion}",
               "fr": "Miroir qui marche : {onion}", "es": "Espejo que funciona: {onion}",
               "mixed": "mirror werkt, c'est bon: {onion}"}


def _with_onions(rng: random.Random, threads: list[ThreadRec], onions: list[str]) -> list[ThreadRec]:
    """Drop each onion address into one market-talk post (same seed, same posts)."""
    candidates = [(ti, pi) for ti, t in enumerate(threads) for pi, p in enumerate(t.posts)
                  if p.kind in ("drug_talk", "drug_sale")]
    chosen = rng.sample(candidates, min(len(onions), len(candidates)))
    rebuilt = [list(t.posts) for t in threads]
    for (ti, pi), onion in zip(sorted(chosen), onions, strict=False):
        post = rebuilt[ti][pi]
        line = MIRROR_TALK.get(post.lang, MIRROR_TALK["en"]).format(onion=onion)
        rebuilt[ti][pi] = replace(post, text=f"{post.text} {line}")
    return [replace(t, posts=tuple(posts)) for t, posts in zip(threads, rebuilt, strict=True)]


def build_threads(seed: int, onions: list[str] | None = None) -> list[ThreadRec]:
    """All threads of the forum for ``seed``, ids ascending; ``onions`` are mentioned in posts."""
    rng = random.Random(f"{seed}:forum")
    threads: list[ThreadRec] = []
    tid, pid = 3000, 90000
    start = BASE_TIME
    for slug, _labels, langs in BOARDS:
        kinds = list(PLAN[slug])
        rng.shuffle(kinds)
        for kind in kinds:
            tid += rng.randrange(1, 9)
            start += timedelta(minutes=rng.randrange(60, 2880))
            thread = _thread(rng, tid, slug, kind, langs, start, pid)
            pid += len(thread.posts) + rng.randrange(0, 4)
            threads.append(thread)
    return _with_onions(rng, threads, onions or [])


def _layout(title: str, body: str, crumbs: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)} - {NAME}</title>"
        '<link rel="stylesheet" href="/static/forum.css"></head><body>'
        f'<div id="wrap"><div class="headerbar"><h1><a href="/">{NAME}</a></h1>'
        "<p>Praat vrij. Speak freely. Parlez librement.</p></div>"
        f'<div class="navbar"><a href="/">Forumoverzicht</a>{crumbs}</div>'
        f'<div id="page-body">{body}</div>'
        '<div class="copyright">Powered by phpBB® · Alle tijden zijn UTC</div></div></body></html>\n'
    )


def _pagination(pages: int, page: int, path_of: Any) -> str:
    if pages == 1:
        return ""
    links = " ".join(
        f"<strong>{n}</strong>" if n == page else f'<a href="{path_of(n)}">{n}</a>' for n in range(1, pages + 1)
    )
    nxt = f' <a class="next" href="{path_of(page + 1)}">Volgende ›</a>' if page < pages else ""
    return f'<div class="pagination">Pagina {page} van {pages} · {links}{nxt}</div>'


def _post_html(post: PostRec) -> str:
    quote = ""
    if post.quote:
        qid, who, text = post.quote
        intro = QUOTE_INTRO.get(post.lang, QUOTE_INTRO["en"]).format(who=esc(who))
        quote = f'<blockquote data-post-id="{qid}"><cite>{intro}</cite>{esc(text)}</blockquote>'
    return (
        f'<div class="post" id="p{post.post_id}" data-post-id="{post.post_id}">'
        f'<div class="postprofile"><span class="username">{esc(post.author)}</span></div>'
        f'<div class="postbody"><p class="author">door <strong>{esc(post.author)}</strong> » '
        f'<span class="posted">{post.shown}</span></p>'
        f'<div class="content">{quote}<p>{esc(post.text)}</p></div></div></div>'
    )


def build_forum(seed: int, onions: list[str] | None = None,
                generation: int = 0) -> tuple[DemoSite, dict[str, list[dict[str, Any]]]]:
    """The forum site and its ground truth rows (``threads`` and ``posts``).

    ``onions`` (e.g. market mirrors, some deliberately corrupted) are each mentioned in one
    post; the caller knows their validity. ``generation`` > 0 adds one recruiter's thread per
    step (``_evolve.new_forum_thread``); its posts are also listed under ``new_posts``.
    """
    threads = build_threads(seed, onions)
    new_posts: list[int] = []
    if generation:
        from ._evolve import new_forum_thread

        for step in range(1, generation + 1):
            thread = new_forum_thread(threads, seed, step)
            threads.append(thread)
            new_posts += [p.post_id for p in thread.posts]
    site = DemoSite(name="forum", lang="nl", query_keys=("page",), page_param="page")
    truth: dict[str, list[dict[str, Any]]] = {"threads": [], "posts": []}
    board_rows = []
    for slug, labels, _langs in BOARDS:
        mine = [t for t in threads if t.board == slug]
        pages = max(1, -(-len(mine) // THREADS_PER_PAGE))
        for page in range(1, pages + 1):
            rows = "".join(
                f'<li class="row"><a class="topictitle" href="{thread_path(t.id)}">{esc(t.title)}</a>'
                f' door {esc(t.posts[0].author)} · {len(t.posts) - 1} reacties</li>'
                for t in mine[(page - 1) * THREADS_PER_PAGE : page * THREADS_PER_PAGE]
            )
            crumb = f' › <a href="{board_path(slug)}">{esc(labels["nl"])}</a>'
            body = (f'<h2>{esc(labels["nl"])} / {esc(labels["en"])}</h2><ul class="topiclist">{rows}</ul>'
                    + _pagination(pages, page, lambda n, s=slug: board_path(s, n)))
            site.pages[board_path(slug, page)] = _layout(labels["nl"], body, crumb).encode()
        posts = sum(len(t.posts) for t in mine)
        board_rows.append(
            f'<tr><td><a class="forumtitle" href="{board_path(slug)}">{esc(labels["nl"])}</a>'
            f' <small>{esc(labels["en"])}</small></td><td>{len(mine)}</td><td>{posts}</td></tr>'
        )
        for t in mine:
            tpages = -(-len(t.posts) // POSTS_PER_PAGE)
            crumb = (f' › <a href="{board_path(slug)}">{esc(labels["nl"])}</a>'
                     f' › <a href="{thread_path(t.id)}">{esc(t.title)}</a>')
            for page in range(1, tpages + 1):
                chunk = t.posts[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]
                body = (f'<h2 class="topic-title">{esc(t.title)}</h2>'
                        + _pagination(tpages, page, lambda n, i=t.id: thread_path(i, n))
                        + "".join(_post_html(p) for p in chunk)
                        + _pagination(tpages, page, lambda n, i=t.id: thread_path(i, n)))
                path = thread_path(t.id, page)
                site.pages[path] = _layout(t.title, body, crumb).encode()
                for p in chunk:
                    truth["posts"].append({
                        "site": "forum", "path": path, "thread": t.id, "post_id": p.post_id,
                        "board": slug, "author": p.author,
                        "posted_at": p.posted.strftime("%Y-%m-%dT%H:%M:%SZ"), "posted_shown": p.shown,
                        "lang": p.lang, "code_mixed": p.lang == "mixed", "text": p.text,
                        "quoted": p.quote[2] if p.quote else None,
                        "quoted_post_id": p.quote[0] if p.quote else None,
                        "kind": p.kind, "recruitment": p.kind in RECRUITING,
                    })
            truth["threads"].append({
                "site": "forum", "path": thread_path(t.id), "id": t.id, "board": slug, "title": t.title,
                "kind": t.kind, "lang": t.lang, "pages": tpages, "post_count": len(t.posts),
            })
    body = ('<table class="forums"><tr><th>Forum</th><th>Onderwerpen</th><th>Berichten</th></tr>'
            + "".join(board_rows) + "</table>")
    site.pages["/"] = _layout("Forumoverzicht", body).encode()
    site.assets["/static/forum.css"] = ("text/css; charset=utf-8", CSS.encode())
    site.not_found = _layout("Fout", "<h2>404</h2><p>Het gevraagde onderwerp bestaat niet.</p>").encode()
    if generation:
        truth["new_posts"] = [row for row in truth["posts"] if row["post_id"] in set(new_posts)]
    return site, truth
