"""MISP and STIX export of a crawled demo market, loaded back by PyMISP and stix2; partner files
imported as a watch list into another data directory fire on a crawl of the demo market."""

from __future__ import annotations

import json

import pytest
import stix2
from pymisp import MISPEvent

from nachtwacht.audit import AuditLog
from nachtwacht.exchange import PartnerDataError, SelectionError, build_intel, import_partner
from tests.conftest import REPO, cli_json

SITE = REPO / "config" / "sites" / "demo-noordzee.yaml"


def _vendor_with_keys(data) -> dict:
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        vendors = [v for v in backend.search("*", kind="vendor", limit=100).hits if v.get("wallets") and v.get("pgp_fingerprints")]
    finally:
        backend.close()
    return sorted(vendors, key=lambda v: v["vendor_id"])


@pytest.fixture(scope="module")
def exchange(demo_world, tmp_path_factory):
    """Crawl the demo market into A; export two vendors (STIX, MISP) and a query; import into B; crawl B."""
    from nachtwacht.demomarket import DemoServer

    root = tmp_path_factory.mktemp("exchange")
    a, b = root / "a", root / "b"
    server = DemoServer(demo_world.sites["noordzee"])
    base = server.start()
    try:
        cli_json("crawl", str(SITE), "--via", "direct", "--base-url", base, data_dir=a)
        vendors = _vendor_with_keys(a)
        assert len(vendors) >= 2
        first, second = vendors[0], vendors[1]
        out = {
            "stix": cli_json("exchange", "export", "--format", "stix", "--tlp", "amber", "--vendor",
                             first["vendor"], "--out", str(root / "v1.stix.json"), data_dir=a),
            "misp": cli_json("exchange", "export", "--format", "misp", "--tlp", "red", "--vendor",
                             second["vendor_id"], "--out", str(root / "v2.misp.json"), data_dir=a),
            "query": cli_json("exchange", "export", "--format", "stix", "--tlp", "amber+strict", "--query",
                              "cocaine", "--out", str(root / "q.stix.json"), data_dir=a),
        }
        imported = [cli_json("exchange", "import", str(root / "v1.stix.json"), "--name", "partner-stix",
                             data_dir=b),
                    cli_json("exchange", "import", str(root / "v2.misp.json"), "--name", "partner-misp",
                             data_dir=b)]
        cli_json("crawl", str(SITE), "--via", "direct", "--base-url", base, data_dir=b)
    finally:
        server.stop()
    alerts = cli_json("alerts", "list", "--limit", "500", data_dir=b)["alerts"]
    return {"root": root, "a": a, "b": b, "first": first, "second": second, "out": out, "imported": imported,
            "alerts": alerts}


def test_misp_export_loads_back_with_pymisp(exchange):
    text = (exchange["root"] / "v2.misp.json").read_text()
    event = MISPEvent()
    event.load(text)
    assert "tlp:red" in [t.name for t in event.tags]
    names = [o.name for o in event.objects]
    assert "user-account" in names and "coin-address" in names and "pgp-meta" in names
    handles = {a.value for o in event.objects if o.name == "user-account" for a in o.attributes
               if a.object_relation == "username"}
    assert exchange["second"]["vendor"] in handles
    wallets = {a.value for o in event.objects if o.name == "coin-address" for a in o.attributes
               if a.object_relation.startswith("address")}
    assert wallets == set(exchange["second"]["wallets"])
    symbols = {a.value for o in event.objects if o.name == "coin-address" for a in o.attributes
               if a.object_relation == "symbol"}
    assert symbols and symbols <= {"BTC", "XMR", "ETH", "LTC", "DOGE", "DASH", "ZEC", "TRX", "BCH"}
    fingerprints = {a.value for o in event.objects if o.name == "pgp-meta" for a in o.attributes}
    assert fingerprints == set(exchange["second"]["pgp_fingerprints"])


def test_stix_bundles_parse_strictly_and_are_marked(exchange):
    for name, tlp_id in (("v1.stix.json", stix2.TLP_AMBER.id), ("q.stix.json", stix2.TLP_AMBER.id)):
        bundle = stix2.parse((exchange["root"] / name).read_text())  # no custom content allowed
        objects = bundle.objects
        marked = [o for o in objects if o.type != "marking-definition"]
        assert marked and all(tlp_id in o.object_marking_refs for o in marked)
        actors = [o for o in objects if o.type == "threat-actor"]
        indicators = {o.id for o in objects if o.type == "indicator"}
        indicates = [o for o in objects if o.type == "relationship" and o.relationship_type == "indicates"]
        assert actors and indicators
        assert {r.source_ref for r in indicates} <= indicators
        assert {r.target_ref for r in indicates} <= {a.id for a in actors}
    strict = stix2.parse((exchange["root"] / "q.stix.json").read_text())
    statements = [o for o in strict.objects if o.type == "marking-definition" and o.definition_type == "statement"]
    assert statements and "AMBER+STRICT" in statements[0].definition.statement
    first = stix2.parse((exchange["root"] / "v1.stix.json").read_text())
    assert [a.name for a in first.objects if a.type == "threat-actor"] == [exchange["first"]["vendor"]]


def test_round_trip_watch_lists_fire_on_the_demo_market(exchange):
    imported = {i["name"]: i for i in exchange["imported"]}
    assert imported["partner-stix"]["wallets"] == len(exchange["first"]["wallets"])
    assert imported["partner-misp"]["pgp"] == len(exchange["second"]["pgp_fingerprints"])
    hits = {(a["rule"], a["entity"].split(":", 1)[0]) for a in exchange["alerts"] if a["type"] == "watchlist"}
    for rule in ("partner-stix", "partner-misp"):
        assert {(rule, "wallet"), (rule, "pgp"), (rule, "handle")} <= hits, hits
    handles = {a["entity"] for a in exchange["alerts"] if a["rule"] == "partner-stix" and a["entity"].startswith("handle:")}
    assert handles == {"handle:" + exchange["first"]["vendor_id"]}


def test_exports_and_imports_are_audited_as_counts(exchange):
    exports = AuditLog(exchange["a"]).records(action="exchange.export")
    assert len(exports) == 3 and {r["details"]["tlp"] for r in exports} == {"amber", "red", "amber+strict"}
    imports = AuditLog(exchange["b"]).records(action="exchange.import")
    assert {r["target"] for r in imports} == {"partner-stix", "partner-misp"}
    assert all(exchange["first"]["wallets"][0] not in json.dumps(r) for r in exports + imports)


def test_pseudonyms_never_leave_the_unit():
    docs = [{"id": "p1", "kind": "post", "author": "anon-handle-0123456789abcdef", "entities": {
        "emails": ["anon-email-0123456789abcdef"], "contacts": [{"kind": "phone", "value": "anon-phone-aa"}],
        "onions": ["abc.onion"]}},
        {"id": "l1", "kind": "listing", "site": "m", "vendor": "Baron", "vendor_id": "baron",
         "entities": {"wallets": [{"chain": "btc", "address": "1GMjUwPLs2Q4zVLYZyxDNWZXh6dpqLvY9n", "valid": True}]}}]
    intel = build_intel(docs, description="t")
    text = repr(intel)
    assert "anon-" not in text and "abc.onion" in intel.onions
    assert intel.vendors["baron"].wallets == {"1GMjUwPLs2Q4zVLYZyxDNWZXh6dpqLvY9n": "btc"}
    with pytest.raises(SelectionError):
        build_intel([docs[0] | {"entities": {}}], description="nothing")


def test_partner_files_without_indicators_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(PartnerDataError, match="neither a MISP event nor a STIX bundle"):
        import_partner(tmp_path, bad)
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"Event": {"info": "nothing", "Attribute": [
        {"type": "text", "value": "hello", "category": "Other"}]}}))
    with pytest.raises(PartnerDataError, match="no wallet"):
        import_partner(tmp_path, empty)
    assert not (tmp_path / "watchlists").exists() or not list((tmp_path / "watchlists").glob("*.yaml"))
