"""Logistics mentions: real hubs and methods in nl/fr/es/en, look-alikes left alone, lexicon errors."""

from __future__ import annotations

import shutil

import pytest

from extractors import extract_html, extract_text
from extractors._lexicons import lexicon_dir
from extractors._logistics import _lexicon, _matchers, find_logistics, load_hubs
from extractors.exceptions import LexiconError


def hubs(text: str, lang: str) -> set[tuple[str, str]]:
    return {(m.hub, m.kind) for m in find_logistics(text, lang)}


REAL = [
    ("Coke direct uit de haven van Rotterdam, ophalen op de Maasvlakte.", "nl",
     {("Port of Rotterdam", "seaport"), ("Seaport (unnamed)", "seaport")}),
    ("Zoek uithalers voor een container in Antwerpen, rip-on/rip-off, 10k per job.", "nl",
     {("Rip-on/rip-off", "method"), ("Container smuggling", "method"), ("Port of Antwerp-Bruges", "seaport")}),
    ("Verzending met PostNL of bpost, of afhalen bij een pakketautomaat.", "nl",
     {("PostNL", "postal"), ("bpost", "postal"), ("Parcel locker", "locker")}),
    ("Shipped vacuum sealed + MBB via DHL or UPS, dead drop possible in Hamburg.", "en",
     {("Vacuum sealing", "method"), ("DHL", "postal"), ("UPS", "postal"), ("Dead drop", "method")}),
    ("Need a courier for a flight from Schiphol, suitcase provided.", "en",
     {("Courier / drug mule", "method"), ("Amsterdam Schiphol", "airport")}),
    ("Envoi discret en Colissimo ou Mondial Relay, conteneur arrivé au port du Havre.", "fr",
     {("Stealth shipping", "method"), ("La Poste / Colissimo", "postal"), ("Mondial Relay", "postal"),
      ("Container smuggling", "method"), ("Port of Le Havre", "seaport")}),
    ("On cherche un passeur pour un vol depuis CDG, valise fournie.", "fr",
     {("Courier / drug mule", "method"), ("Paris Charles de Gaulle", "airport")}),
    ("Envío discreto por Correos o SEUR, recogida en Citypaq.", "es",
     {("Stealth shipping", "method"), ("Correos", "postal"), ("SEUR", "postal"),
      ("Citypaq (Correos)", "locker")}),
    ("Contenedor en el puerto de Valencia, gancho ciego; narcolancha hasta Algeciras.", "es",
     {("Container smuggling", "method"), ("Port of Valencia", "seaport"), ("Rip-on/rip-off", "method"),
      ("Go-fast / narco-boat", "method"), ("Port of Algeciras", "seaport")}),
    ("Mula para vuelo a Barajas, equipaje preparado.", "es",
     {("Courier / drug mule", "method"), ("Madrid-Barajas", "airport")}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), REAL, ids=[f"{r[1]}-{i}" for i, r in enumerate(REAL)])
def test_real_mentions_get_their_hub_and_kind(text, lang, expected):
    assert hubs(text, lang) == expected


LOOK_ALIKES = [
    ("Bakkerij De Korenaar uit Rotterdam, al 30 jaar uw bakker. Open van 8 tot 18 uur.", "nl"),
    ("Our family shop is based in Rotterdam; we have sold cheese since 1962.", "en"),
    ("Bewaar de saus in een luchtdichte container in de koelkast, maximaal drie dagen.", "nl"),
    ("Let the soup cool, then store it in an airtight container for up to 3 days.", "en"),
    ("Versez la sauce dans un conteneur hermétique et gardez-la au frais.", "fr"),
    ("Guarda la salsa en un contenedor hermético en la nevera.", "es"),
    ("Koeriers gezocht in Rotterdam! €150 per dag, eigen auto.", "nl"),
    ("That vendor is a total rip off, life has ups and downs.", "en"),
    ("Cuisson sous vide du saumon à 52 degrés, un régal.", "fr"),
    ("Valencia ganó el partido contra Barcelona ayer por la noche.", "es"),
]


@pytest.mark.parametrize(("text", "lang"), LOOK_ALIKES, ids=[f"{r[1]}-{i}" for i, r in enumerate(LOOK_ALIKES)])
def test_look_alikes_are_left_alone(text, lang):
    assert find_logistics(text, lang) == ()


def test_span_and_rule_say_where_and_why():
    text = "Bulk via een zeecontainer, de haven van Rotterdam. Rotterdam douane is lek."
    found = find_logistics(text, "nl")
    for m in found:
        assert text[m.start:m.end] == m.text
    rules = {m.text: m.rule for m in found}
    assert rules["zeecontainer"] == "lexicon:logistics"
    assert rules["haven van Rotterdam"] == "lexicon:logistics"
    assert rules["Rotterdam"] == "lexicon:logistics+cue:douane"
    port = next(m for m in found if m.hub == "Port of Rotterdam")
    assert (port.kind, port.country) == ("seaport", "NL")


def test_cue_must_be_within_the_window():
    far = "Rotterdam " + "en dan nog wat woorden die niets zeggen over iets " * 2 + "haven"
    assert find_logistics(far, "nl") == ()
    assert hubs("Rotterdam en de haven", "nl") == {("Port of Rotterdam", "seaport")}


def test_acronyms_are_case_sensitive():
    assert hubs("Shipped with UPS tracked", "en") == {("UPS", "postal")}
    assert find_logistics("it has its ups and downs, shipped anyway", "en") == ()


def test_every_hub_has_a_kind_and_a_country_code():
    entries = load_hubs()
    assert len(entries) >= 40
    kinds = {h.kind for h in entries}
    assert kinds == {"seaport", "airport", "postal", "locker", "method"}
    for h in entries:
        assert h.country == "" or (len(h.country) == 2 and h.country.isupper()), h.name
        assert h.country == "" if h.kind == "method" else True


def test_extract_text_fills_extraction_post_and_dict():
    ext = extract_text("Klusje in de haven van Antwerpen, uithalers gezocht. 5000 euro. DM @haven_job")
    assert {m.hub for m in ext.logistics} == {"Port of Antwerp-Bruges", "Rip-on/rip-off"}
    assert ext.posts[0].logistics == ext.logistics
    data = ext.to_dict()
    assert {d["hub"] for d in data["logistics"]} == {"Port of Antwerp-Bruges", "Rip-on/rip-off"}
    assert {d["hub"] for d in ext.posts[0].to_dict()["logistics"]} == {"Port of Antwerp-Bruges", "Rip-on/rip-off"}


def test_extract_html_gives_a_listing_its_mentions():
    html = """<html><head><title>10g coke | Shop</title></head><body><h1>10 gram coke - uit de haven</h1>
    <p>Verkoper: KadeKoning</p><p>Prijs: € 450,00</p>
    <h2>Omschrijving</h2><p>Verzending met PostNL, stealth verpakt. Vers uit de Rotterdamse haven.</p>
    </body></html>"""
    ext = extract_html(html, url="http://shop.example/product/1", site="shop")
    assert ext.page_type == "listing"
    found = {m.hub for m in ext.listings[0].logistics}
    assert {"PostNL", "Stealth shipping", "Port of Rotterdam", "Seaport (unnamed)"} <= found
    assert ext.listings[0].to_dict()["logistics"]


def test_recipe_page_has_no_logistics():
    html = """<html><body><h1>Erwtensoep van oma uit Rotterdam</h1><p>Laat de soep afkoelen en bewaar
    ze in een afgesloten container in de koelkast. Lekker met roggebrood.</p></body></html>"""
    assert extract_html(html).logistics == ()


@pytest.fixture
def lexicon_copy(tmp_path, monkeypatch):
    for name in ("products.yaml", "categories.yaml", "recruitment.yaml"):
        if (lexicon_dir() / name).exists():
            shutil.copy(lexicon_dir() / name, tmp_path / name)
    monkeypatch.setenv("NACHTWACHT_LEXICONS", str(tmp_path))
    _lexicon.cache_clear()
    _matchers.cache_clear()
    yield tmp_path
    monkeypatch.delenv("NACHTWACHT_LEXICONS")
    _lexicon.cache_clear()
    _matchers.cache_clear()


@pytest.mark.parametrize(("body", "message"), [
    ("hubs:\n  Port X:\n    kind: harbour\n    country: NL\n    terms: [x]\n", "hub 'Port X': 'kind'"),
    ("hubs:\n  Port X:\n    kind: seaport\n    country: nl\n    terms: [x]\n", "hub 'Port X': 'country'"),
    ("hubs:\n  Port X:\n    kind: seaport\n    country: NL\n    ambiguous: [x]\n", "ambiguous phrases need 'cues'"),
    ("hubs:\n  Port X:\n    kind: seaport\n    country: NL\n    ambiguous: [x]\n    cues: [nope]\n",
     "unknown cue group(s) nope"),
    ("cues: {}\n", "'hubs' missing"),
])
def test_lexicon_errors_name_the_file_and_entry(lexicon_copy, body, message):
    (lexicon_copy / "logistics.yaml").write_text(body)
    with pytest.raises(LexiconError) as err:
        load_hubs()
    assert "logistics.yaml" in str(err.value) and message in str(err.value)
