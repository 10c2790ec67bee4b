"""Search, documents, listings, vendors, trends, exports: answers, roles, case references, audit."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import CASE


def test_search_with_a_filter_returns_only_matching_listings(api_env):
    r = api_env.client("ana").get("/api/search", params={"q": "cocaine AND country:NL", "limit": 50})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 6
    assert {h["ships_from"] for h in body["hits"]} == {"NL"}
    assert all(h["vendor_id"] == "noordlicht" for h in body["hits"])


def test_search_facets_count_markets_products_and_countries(api_env):
    r = api_env.client("ana").get("/api/search", params={"q": "*", "facets": "true", "limit": 1})
    facets = r.json()["facets"]
    assert {f["value"]: f["count"] for f in facets["market"]} == {"alpha": 18, "beta": 12}
    assert {f["value"]: f["count"] for f in facets["product"]}["cocaine"] == 12
    assert {f["value"] for f in facets["country"]} == {"NL", "BE", "ES"}


def test_search_pages_and_sorts(api_env):
    client = api_env.client("ana")
    first = client.get("/api/search", params={"q": "*", "limit": 5, "sort": "-price_eur"}).json()
    second = client.get("/api/search", params={"q": "*", "limit": 5, "offset": 5, "sort": "-price_eur"}).json()
    prices = [h["price_eur"]["amount"] for h in first["hits"] + second["hits"]]
    assert prices == sorted(prices, reverse=True) and prices[0] == 75.0
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_a_malformed_query_is_a_400_with_the_reason(api_env):
    r = api_env.client("ana").get("/api/search", params={"q": "price_eur:[10 TO"})
    assert r.status_code == 400 and r.json()["detail"]


def test_every_search_writes_an_audit_record_with_the_case(api_env):
    api_env.client("ana", case="PV-77.123").get("/api/search", params={"q": "hashish"})
    record = api_env.audit.records(actor="ana", action="search", limit=1)[0]
    assert record["target"] == "hashish" and record["case_ref"] == "PV-77.123"
    assert record["role"] == "analyst" and record["details"]["via"] == "token"


def test_search_without_a_case_reference_is_refused_and_not_run(api_env):
    before = len(api_env.audit.records(limit=100_000))
    r = api_env.client("ana", case=None).get("/api/search", params={"q": "cocaine"})
    assert r.status_code == 400 and "case reference" in r.json()["detail"]
    assert len(api_env.audit.records(limit=100_000)) == before


@pytest.mark.parametrize("user", ["ops", "aud"])
@pytest.mark.parametrize("path", ["/api/search", "/api/vendors", "/api/trends", "/api/export",
                                  "/api/documents/lst0001", "/api/vendors/noordlicht",
                                  "/api/listings/lst0001/history", "/api/saved-searches"])
def test_roles_without_search_get_403(api_env, user, path):
    r = api_env.client(user).get(path)
    assert r.status_code == 403, r.text


def test_open_document_returns_it_with_its_evidence_and_audits(api_env):
    r = api_env.client("ana").get("/api/documents/lst0001")
    assert r.status_code == 200
    doc = r.json()
    assert doc["vendor_id"] == "noordlicht" and doc["evidence"]["sha256"]
    last = api_env.audit.records(actor="ana", action="open", limit=1)[0]
    assert last["target"] == "lst0001" and last["case_ref"] == CASE


def test_unknown_document_is_404(api_env):
    assert api_env.client("ana").get("/api/documents/nope").status_code == 404


def test_listing_history_is_oldest_first(api_env):
    body = api_env.client("ana").get("/api/listings/lst0001/history").json()
    assert body["document"]["id"] == "lst0001"
    seen = [o["seen_at"] for o in body["history"]]
    assert len(seen) == 6 and seen == sorted(seen)
    assert [o["price"]["amount"] for o in body["history"]] == [60, 62, 64, 66, 68, 70]


def test_vendor_profile_has_links_listings_and_activity(api_env):
    body = api_env.client("ana").get("/api/vendors/noordlicht").json()
    assert body["vendor"]["handles"] == {"alpha": "NoordLicht"}
    assert body["links"][0]["vendor_id"] == "grijzekat" and body["links"][0]["known"] is True
    assert body["links"][0]["profile"]["vendor"] == "GrijzeKat"
    assert body["listing_total"] == 12
    assert [a["listings"] for a in body["activity"]] == [2] * 6


def test_vendors_list_most_listings_first(api_env):
    body = api_env.client("ana").get("/api/vendors").json()
    assert body["total"] == 3
    counts = [v["listing_count"] for v in body["vendors"]]
    assert counts == sorted(counts, reverse=True)


def test_trends_give_listings_and_median_price_per_product_and_new_vendors(api_env):
    body = api_env.client("ana").get("/api/trends").json()
    cocaine = next(s for s in body["products"] if s["product"] == "cocaine")
    assert [p["month"] for p in cocaine["points"]] == ["2026-01", "2026-02", "2026-03", "2026-04",
                                                       "2026-05", "2026-06"]
    assert all(p["listings"] == 2 for p in cocaine["points"])
    assert 59 <= cocaine["points"][0]["median_eur"] <= 71  # sketch-based percentiles: ~1% error
    assert sum(w["vendors"] for w in body["new_vendors"]) == 3


def test_export_csv_and_json(api_env):
    client = api_env.client("ana")
    r = client.get("/api/export", params={"q": "hashish", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 6 and {row["vendor_id"] for row in rows} == {"lunaroja"}
    j = client.get("/api/export", params={"q": "hashish", "format": "json"}).json()
    assert j["total"] == 6 and j["case_ref"] == CASE
    assert api_env.audit.records(actor="ana", action="export", limit=1)[0]["details"]["format"] == "json"


def test_csv_export_neutralises_spreadsheet_formulas():
    from nachtwacht.api._routes_search import _csv_row

    row = _csv_row({"id": "x", "title": "=HYPERLINK(\"http://evil\")", "vendor": "+cmd"})
    assert row[4].startswith("'=") and row[5].startswith("'+")
