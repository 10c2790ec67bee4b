"""Onion discovery: valid v3 onions seen by a crawl are recorded with where they were seen;
a job follows them within its scope, else they wait in the review queue."""

from __future__ import annotations

from crawlers.discovery import DiscoveryStore, in_scope
from nachtwacht.demochannel import onion_v3
from tests.jobs.conftest import jobs_json


def test_a_crawl_records_every_valid_onion_where_it_was_seen(clean_noordzee_run, demo_world):
    data = clean_noordzee_run["data"]
    base = clean_noordzee_run["status"]["base_url"]
    truth = [o for o in demo_world.truth["onions"] if o["site"] == "noordzee"]
    valid = {o["address"] for o in truth if o["valid"]}
    invalid = {o["address"] for o in truth if not o["valid"]}
    assert valid and invalid
    found = {o["address"]: o for o in jobs_json(data, "onions")["onions"]}
    assert set(found) == valid, "exactly the valid v3 onions, none with a bad checksum"
    for o in truth:
        if o["valid"]:
            entry = found[o["address"]]
            assert entry["status"] == "queued" and entry["first_job"] == "demo-noordzee"
            assert base + o["path"] in {s["url"] for s in entry["seen_on"]}
    assert clean_noordzee_run["status"]["counters"]["onions_discovered"] == len(valid)


def test_follow_creates_jobs_only_inside_the_scope(tmp_path):
    from nachtwacht.jobs import JobManager

    inside, outside = onion_v3(b"inside"), onion_v3(b"outside")
    store = DiscoveryStore(tmp_path)
    assert store.record([inside, outside], url="http://m.onion/p/1", site="m", job_id="parent",
                        mode="follow", scope=[inside.removesuffix(".onion")]) == [inside, outside]
    assert store.record([inside], url="http://m.onion/p/2", site="m", job_id="parent",
                        mode="follow", scope=[]) == []
    statuses = {o["address"]: o["status"] for o in store.onions()}
    assert statuses == {inside: "follow", outside: "queued"}
    assert [s["url"] for s in store.sightings(inside)] == ["http://m.onion/p/1", "http://m.onion/p/2"]
    store.close()

    manager = JobManager(tmp_path)
    try:
        manager.create("http://m.onion/", job_id="parent", via="tor", max_pages=50,
                       scope=[inside.removesuffix(".onion")], discovery="follow", schedule="every 12h")
        children = manager.follow_discovered("parent")
        assert [c.target for c in children] == [f"http://{inside}/"]
        child = manager.get(children[0].id)
        assert (child.parent, child.max_pages, child.schedule, child.state) == ("parent", 50, "every 12h", "idle")
        assert manager.follow_discovered("parent") == [], "followed once"
        approved = manager.approve_onion(outside)
        assert approved.target == f"http://{outside}/" and approved.parent == ""
    finally:
        manager.close()
    final = {o["address"]: (o["status"], o["job"]) for o in DiscoveryStore(tmp_path).onions()}
    assert final == {inside: ("followed", child.id), outside: ("followed", approved.id)}


def test_scope_patterns():
    address = onion_v3(b"x")
    assert in_scope(address, ["*.onion"]) and in_scope(address, [address])
    assert in_scope(address, [address.removesuffix(".onion")])
    assert not in_scope(address, [onion_v3(b"y")]) and not in_scope(address, [])
