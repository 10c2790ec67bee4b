"""A hub watch rule ("any new listing naming Antwerp port") as a saved search on the hub fields."""

from __future__ import annotations

from extractors import extract_html
from nachtwacht.alerts._match import compile_matcher
from nachtwacht.alerts.rules import SavedSearchRule

PAGE = """<html><body><h1>{title}</h1><p>Verkoper: KadeKoning</p><p>Prijs: € 450,00</p>
<p>{text}</p></body></html>"""


def _listing(title: str, text: str) -> dict:
    ext = extract_html(PAGE.format(title=title, text=text), url=f"http://m.example/product/{abs(hash(text))}",
                       site="m")
    return ext.listings[0].to_dict()


def test_hub_rule_matches_only_listings_naming_the_port():
    rule = SavedSearchRule(name="antwerp-port", type="saved_search", query='hub:"Port of Antwerp-Bruges"')
    matcher = compile_matcher(rule.query, rule.kind)
    assert matcher.matches(_listing("10 gram coke", "Vers uit de haven van Antwerpen, ophalen mogelijk."))
    assert matcher.matches(_listing("Bulk coke", "Container in Antwerpen, rip-on/rip-off, alleen bulk."))
    assert not matcher.matches(_listing("Amnesia wiet", "Wij zitten in Antwerpen, verzending met bpost."))
    kinds = compile_matcher("hub_kind:airport", "listing")
    assert kinds.matches(_listing("Pillen", "Koerier via Schiphol, bagage geregeld."))
    assert not kinds.matches(_listing("Pillen", "Verzending met PostNL."))
