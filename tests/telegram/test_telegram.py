"""Telegram public channels: the preview parser on the demo channel fixture, and real crawls of it.

The crawls run `nachtwacht crawl config/sites/demo-telegram.yaml --via direct` against the demo
channel server on loopback; a second run must fetch only the new messages.
"""

from __future__ import annotations

import pytest

from crawlers.spiders.telegram import parse_preview, post_id, views_value
from nachtwacht.demochannel import PAGE_SIZE, ChannelServer, generate_channels
from tests.conftest import REPO, cli_json

SITE = REPO / "config" / "sites" / "demo-telegram.yaml"
FIELDS = ("id", "posted_at", "text", "views", "media", "forwarded_from", "author", "edited")


def _all_pages(channel) -> list[str]:
    pages, before = [], None
    while True:
        html = channel.page(before)
        pages.append(html)
        before = parse_preview(html).before
        if before is None:
            return pages


@pytest.mark.parametrize("name", ["noordzee_menu", "mercado_canal"])
def test_parser_reads_every_message_exactly(name):
    channel = generate_channels(7)[name]
    pages = _all_pages(channel)
    assert len(pages) == -(-len(channel.messages()) // PAGE_SIZE)
    parsed = [m for html in pages for m in parse_preview(html, name).messages]
    got = sorted(({f: getattr(m, f) for f in FIELDS} for m in parsed), key=lambda m: m["id"])
    want = [{f: t[f] for f in FIELDS} for t in channel.truth()]
    assert got == want
    assert any("\n" in m["text"] and "❄️" in m["text"] for m in got), "menus keep lines and emoji"
    assert {m["media"] for m in got} >= {"photo", "video", "document", "voice", "poll"}
    assert any(m["edited"] for m in got) and any(m["forwarded_from"] for m in got)


def test_parser_skips_service_messages_and_reads_the_way_back():
    channel = generate_channels(7)["noordzee_menu"]
    first = parse_preview(channel.page(), "noordzee_menu")
    assert first.title == channel.title
    assert [m.id for m in first.messages] == sorted(m.id for m in first.messages)
    assert first.before == first.messages[0].id
    service = [m.id for m in channel.messages() if m.service]
    assert service and not {m.id for m in first.messages} & set(service)
    last = parse_preview(channel.page(before=min(m.id for m in channel.messages()) + 1))
    assert last.before is None


@pytest.mark.parametrize(("shown", "value"), [("845", 845), ("1.2K", 1200), ("18K", 18000),
                                              ("2.5M", 2500000), ("", None), ("n/a", None)])
def test_views(shown, value):
    assert views_value(shown) == value


def _crawl(server: ChannelServer, data) -> dict:
    return cli_json("crawl", str(SITE), "--via", "direct", "--base-url", server.base_url,
                    "--job", "tg", "--set", "DOWNLOAD_DELAY=0", data_dir=data)


def _stored(data, channel: str, ids) -> dict:
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        return {i: backend.get(post_id(channel, i)) for i in ids}
    finally:
        backend.close()


@pytest.fixture(scope="module")
def channel_runs(tmp_path_factory):
    """Two crawls of the demo channels; between them: new, edited and deleted messages."""
    data = tmp_path_factory.mktemp("telegram")
    channels = generate_channels(7)
    with ChannelServer(channels) as server:
        first = _crawl(server, data)
        first_hits = list(server.hits)
        truth_before = {name: ch.truth() for name, ch in channels.items()}
        menu = channels["noordzee_menu"]
        ids = [m.id for m in menu.messages() if not m.service]
        menu.edit(ids[-2], "📋 MENU aangepast\n❄️ Coke 1g nu €55")
        menu.delete(ids[-4])
        new = [menu.post("🚗 Nog 2 koeriers nodig in Gent, €400 per dag. DM @noordzee_bezorg", lang="nl",
                         kind="courier", recruitment=True),
               menu.post("Vandaag gesloten 🙏", lang="nl")]
        del server.hits[:]
        second = _crawl(server, data)
        second_hits = list(server.hits)
    return {"data": data, "first": first, "second": second, "first_hits": first_hits,
            "second_hits": second_hits, "truth": truth_before, "channels": channels,
            "edited": ids[-2], "deleted": ids[-4], "new": [m.id for m in new]}


def test_first_run_indexes_every_message_with_author_time_and_text(channel_runs):
    runs = channel_runs
    total = sum(len(t) for t in runs["truth"].values())
    assert runs["first"]["posts"] == total
    for name, truth in runs["truth"].items():
        stored = _stored(runs["data"], name, [t["id"] for t in truth])
        for t in truth:
            doc = stored[t["id"]]
            assert doc is not None, (name, t["id"])
            if t["id"] == runs["edited"] and name == "noordzee_menu":
                continue
            assert (doc["author"], doc["posted_at"], doc["text"]) == (t["author"], t["posted_at"], t["text"])
            assert doc["channel"] == name and doc["kind"] == "post" and doc["views"] == t["views"]
            if t["text"]:
                assert doc["lang"] and doc["recruitment"] is not None
    pages = {name: -(-len(ch.messages()) // 20) for name, ch in runs["channels"].items()}
    assert len(runs["first_hits"]) == sum(pages.values())


def test_recruitment_messages_score_higher_than_menus(channel_runs):
    truth = [t for ts in channel_runs["truth"].values() for t in ts if t["text"]]
    scores: dict[bool, list[float]] = {True: [], False: []}
    for name in channel_runs["truth"]:
        stored = _stored(channel_runs["data"], name, [t["id"] for t in truth if t["channel"] == name])
        for t in truth:
            if t["channel"] == name:
                scores[t["recruitment"]].append(stored[t["id"]]["recruitment"]["score"])
    assert sum(scores[True]) / len(scores[True]) > sum(scores[False]) / len(scores[False])


def test_second_run_fetches_only_the_new_messages(channel_runs):
    runs = channel_runs
    assert sorted(runs["second_hits"]) == ["/s/mercado_canal", "/s/noordzee_menu"]
    assert runs["second"]["posts"] == len(runs["new"]) + 1  # the new ones and the edited one
    stored = _stored(runs["data"], "noordzee_menu", [*runs["new"], runs["edited"], runs["deleted"]])
    assert stored[runs["new"][0]]["text"].startswith("🚗 Nog 2 koeriers")
    assert stored[runs["edited"]]["edited"] is True
    assert stored[runs["edited"]]["text"] == "📋 MENU aangepast\n❄️ Coke 1g nu €55"
    deleted = stored[runs["deleted"]]
    assert deleted["deleted"] is True and deleted["text"], "a deleted message keeps what was seen"


def test_a_long_gap_walks_back_until_known_messages(tmp_path):
    channels = generate_channels(7)
    with ChannelServer(channels) as server:
        _crawl(server, tmp_path)
        for n in range(25):
            channels["mercado_canal"].post(f"Oferta {n} 🔥 10€", lang="es")
        del server.hits[:]
        second = _crawl(server, tmp_path)
        hits = list(server.hits)
    assert second["posts"] == 25
    assert hits.count("/s/noordzee_menu") == 1 and len(hits) == 3
    assert sum(1 for h in hits if h.startswith("/s/mercado_canal?before=")) == 1


HARBOURS = {"Rotterdam": "Port of Rotterdam", "Antwerpen": "Port of Antwerp-Bruges"}


def test_channel_posts_carry_their_logistics_hubs(channel_runs):
    """A "job in the harbour of X" message is indexed with X's seaport as its hub (issue 12)."""
    from indexer import get_backend

    expected = {}
    for name, truth in channel_runs["truth"].items():
        for t in truth:
            for city, hub in HARBOURS.items():
                if f"haven van {city}" in t["text"]:
                    expected[post_id(name, t["id"])] = hub
    assert expected, "the demo channels have harbour job offers"
    backend = get_backend({"backend": "embedded", "data_dir": str(channel_runs["data"])}, readonly=True)
    try:
        for doc_id, hub in expected.items():
            doc = backend.get(doc_id)
            assert [(m["hub"], m["kind"]) for m in doc["logistics"]] == [(hub, "seaport")], doc_id
        for hub in set(expected.values()):
            found = backend.search(f'hub:"{hub}"', kind="post", limit=100)
            assert {h["id"] for h in found.hits} == {i for i, h in expected.items() if h == hub}
    finally:
        backend.close()
