"""`nachtwacht alerts ...` on a real event store and a real embedded index; retro-hunt; the Python
matcher of saved searches agrees with the index; the crawl turns the alert extension on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from indexer import compile_matcher, get_backend
from nachtwacht.alerts.engine import AlertEngine
from nachtwacht.alerts.rules import load_rules
from nachtwacht.cli import app
from tests.alerts.docs import WALLET, listing, post, vendor

RULES = f"""\
rules:
  - {{name: nv, type: new_vendor}}
  - {{name: wallet-watch, type: watchlist, wallets: ['{WALLET}'], keywords: [ketamine]}}
  - {{name: cheap, type: saved_search, query: 'cocaine AND price_eur:<60', kind: listing}}
"""

DOCS = [
    listing("A1", title="Cocaine 1g pure", price=55, ships_from="NL", lang="en",
            entities={"wallets": [{"chain": "btc", "address": WALLET, "valid": True}]}),
    listing("A2", title="Cocaïne 5 gram", price=240, ships_from="BE", lang="nl", description="Beste kwaliteit"),
    listing("A3", title="Ketamine needles", price=35, lang="en", ships_to=["NL", "BE"]),
    post("P1", "Wie zoekt er bijverdiensten? ketamine en coke", None),
    vendor("Vendor1", ["mkt-a"], wallets=[WALLET]),
]
QUERIES = ["cocaine", "cocaine AND price_eur:<60", '"beste kwaliteit"', "kwaliteiten", "ships_to:NL",
           "NOT ships_from:NL", "keta*", "vendor:vendor1", f"wallet:{WALLET.upper()}", "price_eur:[30 TO 60]",
           "(cocaine OR ketamine) AND -ships_from:BE", "_exists_:ships_from", "site:mkt-a AND kind:listing",
           "bijverdienste*", "text:coke"]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    data = tmp_path_factory.mktemp("index")
    backend = get_backend({"backend": "embedded", "data_dir": str(data)})
    backend.upsert(DOCS)
    backend.commit()
    backend.close()
    return data


@pytest.mark.parametrize("query", QUERIES)
def test_the_python_matcher_agrees_with_the_index(indexed, query):
    backend = get_backend({"backend": "embedded", "data_dir": str(indexed)}, readonly=True)
    try:
        expected = set(backend.search(query, kind=None, limit=100).ids)
    finally:
        backend.close()
    matcher = compile_matcher(query)
    assert {d["id"] for d in DOCS if matcher.matches(d)} == expected


def test_retro_hunt_and_the_cli_workflow(indexed, tmp_path):
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(RULES, encoding="utf-8")
    runner = CliRunner()

    def cli(*args):
        result = runner.invoke(app, [*args, "--data-dir", str(indexed), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout.strip().splitlines()[-1])

    hunt = cli("alerts", "retro-hunt", "wallet-watch", "--rules", str(rules_path))
    assert sorted((a["entity"], tuple(a["doc_ids"])) for a in hunt["alerts"]) == [
        ("keyword:ketamine", ("A3", "P1")), (f"wallet:{WALLET}", ("A1", "vendor:vendor1"))]
    assert all(a["retro"] for a in hunt["alerts"])
    assert cli("alerts", "retro-hunt", "wallet-watch", "--rules", str(rules_path))["raised"] == 0  # deduplicated
    saved = cli("alerts", "retro-hunt", "cheap", "--rules", str(rules_path))
    assert [a["entity"] for a in saved["alerts"]] == ["A1"]
    bad = runner.invoke(app, ["alerts", "retro-hunt", "nv", "--rules", str(rules_path), "--data-dir", str(indexed)])
    assert bad.exit_code != 0 and "retro-hunt runs watchlist and saved_search rules" in str(bad.exception)

    listed = cli("alerts", "list", "--open")
    assert listed["total"] == 3
    first = listed["alerts"][-1]["id"]
    assert cli("alerts", "ack", str(first), "--by", "anna")["status"] == "acknowledged"
    assigned = cli("alerts", "assign", str(first), "bram", "--by", "anna")
    assert (assigned["assignee"], assigned["status"]) == ("bram", "investigating")
    cli("alerts", "comment", str(first), "same wallet as case 12", "--by", "bram")
    assert cli("alerts", "resolve", str(first), "--by", "bram")["status"] == "closed"
    shown = cli("alerts", "show", str(first))
    assert [h["action"] for h in shown["history"]] == ["raised", "status", "assign", "status", "comment",
                                                        "status"]
    assert cli("alerts", "list", "--status", "closed")["total"] == 1
    refused = runner.invoke(app, ["alerts", "ack", str(first), "--data-dir", str(indexed)])
    assert refused.exit_code != 0 and "closed; it can go to investigating" in str(refused.exception)


def test_alerts_test_command_reaches_the_webhook(tmp_path, webhook_receiver):
    from tests.alerts.receivers import channels_yaml

    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(channels_yaml(None, webhook_receiver), encoding="utf-8")
    result = CliRunner().invoke(app, ["alerts", "test", "--rules", str(rules_path), "--data-dir", str(tmp_path),
                                      "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(d["channel"], d["ok"]) for d in report["deliveries"]] == [("hook", 1)]
    assert any(p["id"] == report["alert"] and p["type"] == "test" for p in webhook_receiver.payloads())


def test_links_command_shows_the_evidence(tmp_path):
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text("rules:\n  - {name: nv, type: new_vendor}\n", encoding="utf-8")
    engine = AlertEngine(tmp_path, load_rules(rules_path))
    try:
        engine.process([vendor("Alpha", ["a"], wallets=[WALLET])], "a")
        engine.process([vendor("Omega", ["b"], wallets=[WALLET])], "b")
    finally:
        engine.close()
    result = CliRunner().invoke(app, ["alerts", "links", "--data-dir", str(tmp_path), "--json"])
    links = json.loads(result.stdout)["links"]
    assert [(lk["a"], lk["b"], lk["confidence"]) for lk in links] == [("alpha", "omega", 0.9)]
    assert links[0]["reasons"] == [{"reason": "wallet", "evidence": WALLET, "confidence": 0.9}]


def test_crawls_enable_the_alert_extension_without_dropping_project_extensions(tmp_path):
    from crawlers.runner import crawl_settings
    from crawlers.siteconfig import SiteConfig
    from nachtwacht.app import Nachtwacht

    nw = Nachtwacht(tmp_path)
    settings = crawl_settings(SiteConfig(name="x", base_url="http://x.invalid"), data_dir=tmp_path, via="direct",
                              overrides=nw.alert_settings())
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["nachtwacht.alerts.extension.AlertExtension"] == 600
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None
    assert "crawlers.extensions.progress.ProgressReporter" in extensions
    assert load_rules(*settings.getlist("NACHTWACHT_ALERT_RULES")).rules
