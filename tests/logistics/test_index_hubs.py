"""Logistics mentions become `hub` / `hub_kind` / `hub_country` keywords on a real embedded index."""

from __future__ import annotations

import pytest

from extractors import extract_text
from indexer import get_backend, trends
from indexer._mapping import prepare

TEXTS = [
    ("2026-01-10", "Klusje in de haven van Antwerpen, uithalers gezocht. DM @kade_klus"),
    ("2026-01-20", "Verzending met PostNL, stealth verpakt, 10 gram wiet 90 euro"),
    ("2026-02-05", "Container aangekomen in Antwerpen, rip-on/rip-off, 5000 euro per nacht"),
    ("2026-03-01", "Envío discreto por Correos desde el puerto de Valencia, 50 euros"),
    ("2026-03-02", "Bakkerij uit Rotterdam zoekt een verkoper, vaste uren"),
]


def _doc(i: int, day: str, text: str) -> dict:
    post = extract_text(text, url=f"http://forum.example/p/{i}", site="forum").posts[0]
    return {**post.to_dict(), "posted_at": f"{day}T12:00:00+00:00", "first_seen": f"{day}T12:00:00+00:00"}


def test_prepare_derives_hub_fields():
    fields = prepare(_doc(0, *TEXTS[0])).fields
    assert fields["hub"] == ["port of antwerp-bruges", "rip-on/rip-off"]
    assert fields["hub_kind"] == ["seaport", "method"]
    assert fields["hub_country"] == ["BE"]
    assert "hub" not in prepare(_doc(4, *TEXTS[4])).fields  # the bakery in Rotterdam


@pytest.fixture
def index(tmp_path):
    backend = get_backend({"backend": "embedded", "data_dir": str(tmp_path)})
    backend.upsert([_doc(i, day, text) for i, (day, text) in enumerate(TEXTS)])
    backend.commit()
    yield backend
    backend.close()


def test_hub_queries_and_trends(index):
    assert index.search('hub:"Port of Antwerp-Bruges"', kind="post").total == 2
    assert index.search("hub_kind:method", kind="post").total == 4
    assert index.search("hub_country:es", kind="post").total == 1
    assert index.search("hub:*", kind="post").total == 4
    result = trends(index, by="hub", interval="month", kind="post")
    series = {s["key"]: {p["period"]: p["count"] for p in s["points"]} for s in result["series"]}
    assert series["port of antwerp-bruges"] == {"2026-01": 1, "2026-02": 1}
    assert series["stealth shipping"] == {"2026-01": 1, "2026-03": 1}
    assert series["port of valencia"] == {"2026-03": 1}
    assert "port of rotterdam" not in series


def test_index_of_the_previous_mapping_is_upgraded_in_place(tmp_path):
    """An index written before the hub fields existed (other schema, version 1) is rebuilt on open."""
    import json

    import tantivy

    from indexer._tantivy import META_FILE
    from indexer._tantivy_render import SOURCE_FIELD

    sb = tantivy.SchemaBuilder()
    sb.add_bytes_field(SOURCE_FIELD, stored=True)
    sb.add_text_field("id", tokenizer_name="raw", fast=True)
    path = tmp_path / "index"
    path.mkdir()
    old = tantivy.Index(sb.build(), path=str(path))
    writer = old.writer(heap_size=15_000_000, num_threads=1)
    for i, (day, text) in enumerate(TEXTS):
        doc = tantivy.Document()
        source = _doc(i, day, text)
        doc.add_bytes(SOURCE_FIELD, json.dumps(source).encode())
        doc.add_text("id", source["id"])
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    del writer, old
    (path / META_FILE).write_text(json.dumps({"mapping_version": 1}))
    with pytest.raises(Exception, match="mapping version 1"):
        get_backend({"backend": "embedded", "data_dir": str(tmp_path)}, readonly=True)
    get_backend({"backend": "embedded", "data_dir": str(tmp_path)}).close()
    backend = get_backend({"backend": "embedded", "data_dir": str(tmp_path)}, readonly=True)
    try:
        assert backend.search('hub:"Port of Antwerp-Bruges"', kind="post").total == 2
        assert backend.search("*", kind=None).total == len(TEXTS)
    finally:
        backend.close()
