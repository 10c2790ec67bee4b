"""One contract, three backends: the same corpus and queries give the same ids everywhere.

Expected ids are written by hand from the corpus (tests/indexer/corpus.py), so a backend that
agrees with another but is wrong still fails.
"""

from __future__ import annotations

import pytest

from indexer import QueryError, SearchBackend
from tests.indexer.corpus import BTC, ETH, ONION

OBS_L1 = ["L1:2025-01-03T10:00:00+00:00", "L1:2025-01-10T10:00:00+00:00", "L1:2025-02-05T10:00:00+00:00"]
OBS_L2 = ["L2:2025-02-10T00:00:00+00:00", "L2:2025-03-15T00:00:00+00:00"]
VENDORS = ["dutchmagic", "elpatron", "groenboer", "pillking"]

QUERIES: list[tuple[str, list[str]]] = [
    # free text, case and accents, stemming per language
    ("cocaine", ["L1", "L12", "L4", "L9", "P4"]),
    ("Cocaine", ["L1", "L12", "L4", "L9", "P4"]),
    ("cocaïne", ["L1", "L12", "L4", "L9", "P4"]),
    ("kokain", ["L9"]),
    ("text:livraisons", ["L1", "P1"]),
    ("description:levering", ["L11"]),
    ("text:leveringen", ["L11"]),
    ("title:tesla", ["L2", "L7"]),
    ("nothinghere", []),
    # phrases
    ('"cocaine pure"', ["L1"]),
    ('"pure cocaine"', []),
    ('"mdma tesla"~1', ["L7"]),
    # field filters with normalised keywords
    ("vendor:Dutch_Magic", ["L1", "L12", "L6", "dutchmagic"]),
    ("vendor:DUTCH-MAGIC", ["L1", "L12", "L6", "dutchmagic"]),
    ('vendor:"pill king"', ["L2", "L7", "pillking"]),
    ("lang:fr", ["L1", "L7", "P1"]),
    ("site:beta", ["L3", "L7", *VENDORS[0:1], "groenboer", "pillking"]),
    ("channel:jobs", ["P1", "P2"]),
    ("author:Recruteur", ["P1"]),
    (f"wallet:{BTC.upper()}", ["L1", "dutchmagic"]),
    (f"wallet:{ETH.lower()}", ["L6", "dutchmagic"]),
    ('pgp:"8A5C 1F2D 3E4B 5A69 78C0 D1E2 F3A4 B5C6 D7E8 F901"', ["L1", "L6", "dutchmagic"]),
    (f"onion:{ONION.upper()}", ["L8"]),
    ("email:support@example.org", ["L8"]),
    ("recruitment:true", ["P1", "P2"]),
    # boolean logic and precedence
    ("product:cocaine AND ships_from:NL", ["L1", "L12"]),
    ("product:(mdma OR ketamine)", ["L10", "L2", "L7"]),
    ("category:stimulants -product:cocaine", ["L11"]),
    ("(cocaine OR heroin) AND ships_from:NL", ["L1", "L12", "L6"]),
    ("cocaine OR heroin AND ships_from:NL", ["L1", "L12", "L4", "L6", "L9", "P4"]),
    ("ships_to:be AND NOT ships_from:NL", ["L10", "L7"]),
    ("NOT kind:listing AND NOT kind:observation", ["P1", "P2", "P3", "P4", *VENDORS]),
    ("cocaine AND nothinghere", []),
    # numeric ranges
    ("price_eur:[10 TO 50]", ["L10", "L12", "L2", "L4", "L7"]),
    ("price_eur:{25 TO 60}", ["L10", "L12", "L4"]),
    ("price_eur:>=100", ["L11", "L5", "L6"]),
    ("price_eur:<25", ["L7"]),
    ("price_eur:120", ["L6"]),
    ("kind:observation AND price:[76 TO 90]", OBS_L1[:2]),
    ("recruitment_score:>=0.5 AND lang:fr", ["P1"]),
    ("listing_count:>=2", ["dutchmagic", "groenboer", "pillking"]),
    # dates: absolute, relative, periods
    ("seen:>now-7d AND kind:listing", ["L1", "L10", "L12", "L4", "L6", "L7", "L9"]),
    ("seen:[now-15d TO now-7d]", ["L11", "L3"]),
    ("first_seen:2025-02", ["L2", "L4", "elpatron", "pillking"]),
    ("kind:vendor AND first_seen:[2025-02-01 TO 2025-02-28]", ["elpatron", "pillking"]),
    ("kind:observation AND listing_id:L1", OBS_L1),
    # existence
    ("onion:*", ["L8"]),
    ("_exists_:recruitment", ["P1", "P2", "P3", "P4"]),
    ("price:* AND -price_eur:*", OBS_L1 + OBS_L2),
    # wildcards
    ("pill*", ["L2", "L7", "pillking"]),
    ("tes?a", ["L2", "L7"]),
    ("vendor:pill*", ["L2", "L7", "pillking"]),
    ("*ine", ["L1", "L10", "L11", "L12", "L4", "L9", "P4"]),
    # special characters and unicode
    ('"e-mail"', ["L8"]),
    ("C\\+\\+", ["L8"]),
    ('"3.5g"', ["L8"]),
    ('"24/7"', ["L8"]),
    ("straße", ["L9"]),
    ("strasse", ["L9"]),
    ('"ÅÄÖ"', ["L9"]),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_query_returns_the_same_ids(contract_backend: SearchBackend, query: str, expected: list[str]):
    result = contract_backend.search(query, limit=100)
    assert sorted(result.ids) == sorted(expected)
    assert result.total == len(expected)


def test_kind_filter_paging_and_sort(contract_backend: SearchBackend):
    res = contract_backend.search("price_eur:*", kind="listing", sort="-price_eur", limit=3)
    assert res.ids == ["L5", "L11", "L6"] and res.total == 11
    res = contract_backend.search("price_eur:*", kind="listing", sort="price_eur:asc", limit=2, offset=2)
    assert res.ids == ["L10", "L4"]
    res = contract_backend.search("*", kind="post", sort="-posted_at")
    assert res.ids[-1] == "P3"
    assert contract_backend.search("*", limit=0).total == 25


def test_get_and_scan(contract_backend: SearchBackend):
    doc = contract_backend.get("L4")
    assert doc is not None and doc["price"] == {"amount": 0.25, "currency": "XMR"}
    assert doc["entities"]["wallets"][0]["chain"] == "xmr"
    assert contract_backend.get("nope") is None
    assert sorted(d["id"] for d in contract_backend.scan("vendor:groenboer")) == ["L11", "L3", "groenboer"]
    assert len(list(contract_backend.scan())) == 25


def test_malformed_query_is_an_error_with_position(contract_backend: SearchBackend):
    with pytest.raises(QueryError) as info:
        contract_backend.search('vendor:"dutch magic AND price_eur:[10 TO 50]')
    assert info.value.position == 7


TRENDS = {
    "by_product": {"terms": {"field": "product", "size": 20}},
    "by_month": {"terms": {"field": "month", "size": 50, "order": {"_key": "asc"}}},
    "prices": {"stats": {"field": "price_eur"}},
    "median": {"percentiles": {"field": "price_eur", "percents": [50]}},
    "vendors": {"cardinality": {"field": "vendor"}},
    "weekly": {
        "date_histogram": {"field": "first_seen", "fixed_interval": "7d", "min_doc_count": 1},
        "aggs": {"avg_price": {"avg": {"field": "price_eur"}}},
    },
    "by_country": {
        "terms": {"field": "ships_from", "size": 10},
        "aggs": {"listings": {"value_count": {"field": "id"}}, "max_price": {"max": {"field": "price_eur"}}},
    },
}


def test_trend_aggregations_agree(contract_backend: SearchBackend):
    out = contract_backend.aggregate(TRENDS, kind="listing")
    assert out["by_product"]["buckets"][:3] == [
        {"key": "cocaine", "doc_count": 4},
        {"key": "mdma", "doc_count": 2},
        {"key": "amphetamine", "doc_count": 1},
    ]
    assert [b["key"] for b in out["by_month"]["buckets"]] == sorted(b["key"] for b in out["by_month"]["buckets"])
    assert sum(b["doc_count"] for b in out["by_month"]["buckets"]) == 12
    assert out["prices"] == {"count": 11, "min": 12.5, "max": 300.0, "sum": 972.5, "avg": pytest.approx(972.5 / 11)}
    assert out["median"]["values"]["50.0"] == pytest.approx(60.0, rel=0.02)
    assert out["vendors"] == {"value": 8}
    weekly = out["weekly"]["buckets"]
    assert [b["key_as_string"] for b in weekly] == [
        "2025-01-02T00:00:00Z", "2025-02-06T00:00:00Z", "2025-02-27T00:00:00Z"
    ]
    assert [b["doc_count"] for b in weekly] == [9, 2, 1]
    assert weekly[2]["avg_price"] == {"value": 12.5}
    nl = out["by_country"]["buckets"][0]
    assert nl == {"key": "NL", "doc_count": 6, "listings": {"value": 6}, "max_price": {"value": 150.0}}


def test_aggregation_with_query_and_bad_requests(contract_backend: SearchBackend):
    out = contract_backend.aggregate({"v": {"terms": {"field": "vendor"}}}, query="cocaine", kind="listing")
    assert out["v"]["buckets"] == [
        {"key": "dutchmagic", "doc_count": 2},
        {"key": "elpatron", "doc_count": 1},
        {"key": "nordic", "doc_count": 1},
    ]
    with pytest.raises(QueryError, match="non-aggregatable field 'title'"):
        contract_backend.aggregate({"t": {"terms": {"field": "title"}}})
    with pytest.raises(QueryError, match="calendar_interval is not portable"):
        contract_backend.aggregate({"m": {"date_histogram": {"field": "seen", "calendar_interval": "month"}}})
