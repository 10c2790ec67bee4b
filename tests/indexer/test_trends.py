"""Trends on every backend: same series, same periods, same counts and medians."""

from __future__ import annotations

import pytest

from indexer import QueryError, SearchBackend, new_vendors, trends


def test_monthly_trend_by_product(contract_backend: SearchBackend):
    out = trends(contract_backend, by="product", interval="month", query="ships_from:NL")
    by_key = {s["key"]: s for s in out["series"]}
    assert set(by_key) == {"cocaine", "mdma", "cannabis", "amphetamine", "heroin"}
    cocaine = by_key["cocaine"]
    assert cocaine["total"] == 2
    assert sum(p["count"] for p in cocaine["points"]) == 2
    assert all(p["vendors"] == 1 for p in cocaine["points"])
    medians = sorted(p["median_price_eur"] for p in cocaine["points"] for _ in range(p["count"]))
    assert medians[0] == pytest.approx(50.0, rel=0.02) or medians[0] == pytest.approx(80.0, rel=0.02)


def test_weekly_trend_by_country_and_vendor(contract_backend: SearchBackend):
    out = trends(contract_backend, by="country", interval="week", top=3)
    assert [s["key"] for s in out["series"]] == ["NL", "BE", "DE"]
    assert out["series"][0]["total"] == 6
    periods = [p["period"] for p in out["series"][0]["points"]]
    assert periods == sorted(periods) and len(periods) >= 2
    vendors = trends(contract_backend, by="vendor", interval="month", top=1)
    assert vendors["series"][0]["key"] == "dutchmagic" and vendors["series"][0]["total"] == 3


def test_new_vendors_per_month(contract_backend: SearchBackend):
    assert new_vendors(contract_backend) == [
        {"period": "2025-01", "count": 1},
        {"period": "2025-02", "count": 2},
        {"period": "2025-03", "count": 1},
    ]


def test_bad_dimension_or_interval(contract_backend: SearchBackend):
    with pytest.raises(QueryError, match="trends by 'colour'"):
        trends(contract_backend, by="colour")
    with pytest.raises(QueryError, match="interval must be one of"):
        trends(contract_backend, interval="fortnight")
