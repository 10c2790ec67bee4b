"""Hub rules (`type: hub`, issue 12): a new listing naming Antwerp port fires, a recipe's container does
not; the rule is validated with file, line and field like every other rule type."""

from __future__ import annotations

import pytest

from extractors import extract_html, extract_text
from nachtwacht.alerts.engine import AlertEngine
from nachtwacht.alerts.exceptions import RuleError
from nachtwacht.alerts.rules import load_rules
from nachtwacht.settings import config_dir

PAGE = """<html><body><h1>{title}</h1><p>Verkoper: KadeKoning</p><p>Prijs: € 450,00</p>
<p>{text}</p></body></html>"""
RULES = """\
rules:
  - name: antwerp-port
    type: hub
    hubs: [Port of Antwerp-Bruges, container smuggling]
    on: [listing, post]
    severity: high
  - {name: airports, type: hub, kinds: [airport], on: [post]}
"""


def _listing(n: int, title: str, text: str) -> dict:
    ext = extract_html(PAGE.format(title=title, text=text), url=f"http://m.example/product/{n}", site="m")
    return ext.listings[0].to_dict()


def _post(n: int, text: str) -> dict:
    post = extract_text(text, url=f"http://forum.example/t/{n}", site="forum").posts[0].to_dict()
    return {**post, "id": f"forum:{n}", "author": "someone"}


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    eng = AlertEngine(tmp_path / "data", load_rules(path), deliver=False)
    yield eng
    eng.close(timeout=5)


def _crawl(engine, site, docs):
    engine.begin_crawl(site)
    events = engine.process(docs, site)
    engine.end_crawl(site, finish_reason="finished", pages=len(docs), complete=False)
    return [e for e in events if e.type == "hub"]


def test_new_listing_naming_antwerp_port_fires_a_recipe_container_does_not(engine):
    port = _listing(1, "10 gram coke", "Vers uit de haven van Antwerpen, ophalen mogelijk.")
    city = _listing(2, "Amnesia wiet", "Wij zitten in Antwerpen, verzending met bpost.")
    recipe = _post(3, "Bewaar de saus in een luchtdichte container in de koelkast, maximaal drie dagen.")
    rotterdam = _listing(4, "Bulk", "Direct uit de haven van Rotterdam.")
    events = _crawl(engine, "m", [port, city, recipe, rotterdam])
    assert [(e.rule, e.entity) for e in events] == [("antwerp-port", port["id"])]
    event = events[0]
    assert event.severity == "high" and event.doc_ids == [port["id"]]
    assert [h["hub"] for h in event.details["hubs"]] == ["Port of Antwerp-Bruges"]
    assert event.details["hubs"][0]["country"] == "BE" and event.details["url"] == port["url"]
    again = _crawl(engine, "m", [port])  # not new any more: no second event
    assert again == []


def test_a_sea_container_in_a_post_fires_and_kinds_select_airports(engine):
    job = _post(5, "Zoek uithalers voor een container in Antwerpen, rip-on/rip-off, 10k per job.")
    flight = _post(6, "Need a courier for a flight from Schiphol, suitcase provided.")
    listing = _listing(7, "Pillen", "Koerier via Schiphol, bagage geregeld.")
    events = _crawl(engine, "forum", [job, flight, listing])
    got = {(e.rule, e.entity): [h["hub"] for h in e.details["hubs"]] for e in events}
    assert got == {("antwerp-port", "forum:5"): ["Container smuggling", "Port of Antwerp-Bruges"],
                   ("airports", "forum:6"): ["Amsterdam Schiphol"]}  # listings are not `on` for airports


def test_the_shipped_rules_carry_an_example_hub_rule():
    rules = load_rules(config_dir() / "alerts")
    hub_rules = rules.of_type("hub") + [r for r in rules.rules if r.type == "hub" and not r.enabled]
    assert hub_rules, "config/alerts/default.yaml carries an example hub rule"


def test_a_phrase_names_its_hub(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  - {name: h, type: hub, hubs: [Antwerpen, schiphol], countries: [be]}\n")
    rule = load_rules(path).rule("h")
    assert rule.hubs == ["Port of Antwerp-Bruges", "Amsterdam Schiphol"] and rule.countries == ["BE"]
    assert rule.on == ["listing", "post"] and rule.new_only


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    (RULES.replace("Port of Antwerp-Bruges,", "Port of Antwerpen-Brugge,"), 4, "rules[0](antwerp-port).hubs",
     "unknown hub 'Port of Antwerpen-Brugge'"),
    (RULES.replace("kinds: [airport]", "kinds: [airfield]"), 7, "rules[1](airports).kinds[0]", "airfield"),
    (RULES.replace("on: [listing, post]", "on: [listing, vendor]"), 5, "rules[0](antwerp-port).on[1]", "vendor"),
    (RULES.replace("kinds: [airport]", "countries: [Belgium]"), 7, "rules[1](airports).countries",
     "alpha-2"),
    ("rules:\n  - {name: h, type: hub, on: [post]}\n", 2, "rules[0](h)", "at least one of hubs, kinds"),
    (RULES.replace("severity: high", "hubz: [x]"), 6, "rules[0](antwerp-port).hubz", "unknown field"),
])
def test_bad_hub_rules_name_file_line_and_field(tmp_path, text, line, field, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    err = info.value
    assert err.path == str(path) and message in str(err), str(err)
    assert err.line == line, str(err)
    assert err.field == field, str(err)
