"""Saved searches and watch lists belong to their owner: another user's are not found."""

from __future__ import annotations


def test_saved_search_round_trip_and_other_users_cannot_see_it(api_env):
    ana, bob = api_env.client("ana"), api_env.client("bob")
    r = ana.post("/api/saved-searches", json={"name": "NL coke", "query": "cocaine AND country:NL"})
    assert r.status_code == 201
    item = r.json()
    assert ana.get(f"/api/saved-searches/{item['id']}").json()["query"] == "cocaine AND country:NL"
    assert bob.get(f"/api/saved-searches/{item['id']}").status_code == 404
    assert bob.delete(f"/api/saved-searches/{item['id']}").status_code == 404
    assert item["id"] not in [s["id"] for s in bob.get("/api/saved-searches").json()]
    assert ana.delete(f"/api/saved-searches/{item['id']}").status_code == 200
    assert ana.get(f"/api/saved-searches/{item['id']}").status_code == 404


def test_watchlist_entries_are_validated_and_private(api_env):
    ana, bob = api_env.client("ana"), api_env.client("bob")
    assert ana.post("/api/watchlist", json={"kind": "planet", "value": "x"}).status_code == 422
    r = ana.post("/api/watchlist", json={"kind": "vendor", "value": "noordlicht"})
    assert r.status_code == 201 and r.json()["name"] == "noordlicht"
    assert [w["value"] for w in ana.get("/api/watchlist").json()] == ["noordlicht"]
    assert bob.get("/api/watchlist").json() == []
    assert bob.delete(f"/api/watchlist/{r.json()['id']}").status_code == 404
