"""Pseudonymisation in the real pipeline stages (MinimisePipeline -> IndexPipeline -> tantivy):
non-targets' handles and phone numbers are not searchable in clear, the same person links across
documents, targets keep their names, and only an admin with a reason can re-identify (audited)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from scrapy.utils.test import get_crawler

from crawlers.items import CrawledPage
from crawlers.pipelines import IndexPipeline
from extractors import extract_text
from extractors.model import Page, Recruitment
from indexer import get_backend
from nachtwacht.audit import AuditLog
from nachtwacht.rights import ReidentifyRefused, reidentify
from nachtwacht.rights.minimise import MinimisePipeline

KEY = "k" * 40
PHONE = "+32 470 12 34 56"
MESSAGES = [  # (url, author, text, recruitment flag)
    ("http://f.onion/t/1", "JanJanssens", f"Heeft iemand een goede kapper in Gent? Bel me, tel: {PHONE}", False),
    ("http://f.onion/t/2", "jan_janssens", "JanJanssens hier weer: de kapper was top, bedankt!", False),
    ("http://f.onion/t/3", "Recruiter99", "Snel geld verdienen, koerier gezocht, 16+ ok, dm me", True),
]


def _item(url: str, author: str, text: str, recruit: bool) -> CrawledPage:
    page = Page(url=url, site="demo-forum", fetched_at=datetime.now(UTC).replace(microsecond=0), status=200,
                content_type="text/html", body=text.encode(), via="direct", job_id="t")
    extraction = extract_text(text, url=url, site="demo-forum")
    posts = tuple(replace(p, author=author, recruitment=Recruitment(label=recruit, score=0.9 if recruit else 0.1))
                  for p in extraction.posts)
    item = CrawledPage(page=page, frontier_url=url)
    item.extraction = replace(extraction, posts=posts, listings=())
    return item


@pytest.fixture(scope="module")
def minimised(tmp_path_factory):
    data = tmp_path_factory.mktemp("minimise")
    mp = pytest.MonkeyPatch()
    mp.setenv("NACHTWACHT_PSEUDONYM_KEY", KEY)
    backend = {"backend": "embedded", "data_dir": str(data)}
    crawler = get_crawler(settings_dict={"NACHTWACHT_MINIMISE_DATA": str(data), "NACHTWACHT_BACKEND": backend})
    minimise = MinimisePipeline.from_crawler(crawler)
    index = IndexPipeline.from_crawler(crawler)
    index.open_spider()
    for message in MESSAGES:
        index.process_item(minimise.process_item(_item(*message)))
    index.close_spider()
    reader = get_backend(backend, readonly=True)
    yield {"data": data, "reader": reader, "stats": crawler.stats.get_stats()}
    reader.close()
    mp.undo()


def _posts(reader, query):
    return reader.search(query, kind="post", limit=20).hits


def test_clear_handles_and_phones_are_not_searchable(minimised):
    reader = minimised["reader"]
    assert _posts(reader, "author:JanJanssens") == []
    assert _posts(reader, "author:jan_janssens") == []
    assert _posts(reader, f'"{PHONE}"') == [] and _posts(reader, "JanJanssens") == []
    assert minimised["stats"]["minimise/pseudonymised"] >= 3


def test_the_same_person_links_across_documents(minimised):
    reader = minimised["reader"]
    posts = {p["url"]: p for p in _posts(reader, "*")}
    alias = posts["http://f.onion/t/1"]["author"]
    assert alias.startswith("anon-handle-") and posts["http://f.onion/t/2"]["author"] == alias
    linked = _posts(reader, f"author:{alias}")
    assert {p["url"] for p in linked} == {"http://f.onion/t/1", "http://f.onion/t/2"}
    assert alias in posts["http://f.onion/t/2"]["text"]  # the quoted name too
    phone = [c for c in posts["http://f.onion/t/1"]["entities"]["contacts"] if c["kind"] == "phone"]
    assert phone and phone[0]["value"].startswith("anon-phone-")
    assert _posts(reader, f'contact:"{phone[0]["value"]}"')


def test_targets_keep_their_names(minimised):
    assert [p["url"] for p in _posts(minimised["reader"], "author:Recruiter99")] == ["http://f.onion/t/3"]


def test_reidentify_needs_an_admin_and_a_reason_and_is_audited(minimised, monkeypatch):
    from nachtwacht.users import UserStore

    data = minimised["data"]
    monkeypatch.setenv("NACHTWACHT_PSEUDONYM_KEY", KEY)
    alias = _posts(minimised["reader"], "*")[0]["author"]
    users = UserStore(data)
    users.create_user("chief", "correct horse battery", "admin")
    users.create_user("ana", "correct horse battery", "analyst")
    with pytest.raises(ReidentifyRefused, match="only an admin"):
        reidentify(data, alias, username="ana", password="correct horse battery", reason="case BE-1 suspect id")
    with pytest.raises(ReidentifyRefused, match="reason"):
        reidentify(data, alias, username="chief", password="correct horse battery", reason="why not")
    found = reidentify(data, alias, username="chief", password="correct horse battery",
                       reason="case BE-1: witness identification ordered", case_ref="BE-1")
    assert found["value"] in ("JanJanssens", "jan_janssens") and found["kind"] == "handle"
    records = AuditLog(data).records(action="pseudonym.reidentify")
    assert [r["details"]["outcome"] for r in records][::-1] == ["refused: not an admin", "refused: no reason",
                                                                  "revealed"]
    assert all(found["value"] not in str(r) for r in records)
    monkeypatch.setenv("NACHTWACHT_PSEUDONYM_KEY", "x" * 40)  # the wrong key reveals nothing
    with pytest.raises(ReidentifyRefused, match="does not open"):
        reidentify(data, alias, username="chief", password="correct horse battery",
                   reason="case BE-1: witness identification ordered")
