"""extract_html / extract_text on small pages written for these tests (demo-market labels)."""

import json
import time

import pytest

from extractors import Extraction, extract_html, extract_text, listing_id

NL_LISTING = """<html lang="nl"><head><title>Noordzee :: 5 gram coke - 90% puur</title></head><body>
<nav><a href="/">Home</a> <a href="/categorie/cocaine">Cocaïne</a></nav>
<div class="product"><h1>5 gram coke - 90% puur</h1>
<div><span>Verkoper:</span> <a href="/verkoper/HavenKoning">HavenKoning</a></div>
<div><span>Prijs:</span> € 245,50 (0,0041 BTC)</div>
<div><span>Verzonden vanuit:</span> Nederland</div>
<div><span>Verzendt naar:</span> Nederland, België, Duitsland</div>
<p>Betaal naar bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 of stuur een bericht via Telegram: @havenkoning_nl</p>
</div></body></html>"""

FR_LISTING = """<html><head><title>Mercado :: Herbe 10g</title></head><body><table>
<tr><th><h2>Herbe 10g | livraison discrète</h2></th></tr>
<tr><td>Vendeur : <a href="/seller/LeBaronRouge">LeBaronRouge</a> (4.5/5)</td></tr>
<tr><td>Prix : <b>45,00 EUR</b></td></tr></table>
<dl><dt>Expédié de :</dt><dd>Belgique</dd><dt>Livraison vers :</dt><dd>Union européenne</dd></dl></body></html>"""

ES_LISTING = """<html><body><h2>3,5 gramos perico - pureza 90%</h2>
<p>Vendedor: <a href="/seller/MadridBlanco">MadridBlanco</a></p><p>Precio: 0.250 XMR</p>
<p>Envío desde: España</p><p>Envío a: España, Francia</p></body></html>"""

EN_LISTING = """<html><body><h2>Oxycontin 40mg x 10</h2>
<div>Sold by PurePharm - 919 sales</div><div>Price: USD 50.17 (0.0376 BTC)</div>
<table><tr><td><b>Ships from</b></td><td>United States</td></tr><tr><td><b>Ships to</b></td>
<td>World Wide</td></tr></table></body></html>"""


@pytest.mark.parametrize(
    ("html", "title", "vendor", "price", "frm", "to"),
    [
        (NL_LISTING, "5 gram coke - 90% puur", "HavenKoning", (245.5, "EUR"), "Netherlands", ("Netherlands", "Belgium", "Germany")),
        (FR_LISTING, "Herbe 10g | livraison discrète", "LeBaronRouge", (45.0, "EUR"), "Belgium", ("EU",)),
        (ES_LISTING, "3,5 gramos perico - pureza 90%", "MadridBlanco", (0.25, "XMR"), "Spain", ("Spain", "France")),
        (EN_LISTING, "Oxycontin 40mg x 10", "PurePharm", (50.17, "USD"), "United States", ("Worldwide",)),
    ],
)
def test_listing_pages_in_four_languages(html, title, vendor, price, frm, to):
    result = extract_html(html, url="http://market.onion/product/1", site="m")
    assert result.page_type == "listing"
    listing = result.listings[0]
    assert (listing.title, listing.vendor, listing.ships_from, listing.ships_to) == (title, vendor, frm, to)
    assert (listing.price.amount, listing.price.currency) == price
    assert listing.id == listing_id("m", "http://market.onion/product/1")
    assert listing.vendor_id == vendor.casefold()
    assert listing.price_reason


def test_listing_entities_products_and_language():
    result = extract_html(NL_LISTING, url="http://x/product/1", site="x")
    assert result.lang == "nl"
    assert [(w.chain, w.valid) for w in result.entities.wallets] == [("btc", True)]
    assert ("telegram", "havenkoning_nl") in [(c.kind, c.value) for c in result.entities.contacts]
    assert "cocaine" in [p.name for p in result.products]
    assert result.listings[0].category.startswith("Drugs & Chemicals")
    assert [(p.amount, p.currency) for p in result.listings[0].prices] == [(245.5, "EUR"), (0.0041, "BTC")]


INDEX = "<html><body><h1>Cocaïne</h1>" + "".join(
    f'<div class="card"><a href="/product/{i}">Listing number {i} coke</a>'
    f'<span>by <a href="/verkoper/Vendor{i % 3}">Vendor{i % 3}</a></span><span>€ {10 + i},00</span></div>'
    for i in range(1, 8)
) + '<a href="/categorie/cocaine?pagina=2">volgende</a></body></html>'


def test_index_page_lists_every_card_with_absolute_urls():
    result = extract_html(INDEX, url="http://m.onion/categorie/cocaine", site="m")
    assert result.page_type == "index"
    assert [item.url for item in result.listings] == [f"http://m.onion/product/{i}" for i in range(1, 8)]
    assert [item.vendor for item in result.listings][:3] == ["Vendor1", "Vendor2", "Vendor0"]
    assert result.listings[0].price.amount == 11.0
    assert result.listings[0].id == listing_id("m", "http://m.onion/product/1")


def test_vendor_profile_page_from_url_and_title():
    html = "<html><head><title>HavenKoning - User Profile</title></head><body><h1>HavenKoning</h1>" \
           "<p>Member since 2023. Jabber: havenkoning@jabber.calyxinstitute.org</p></body></html>"
    result = extract_html(html, url="http://m.onion/verkoper/HavenKoning", site="m")
    assert result.page_type == "vendor"
    assert result.listings[0].vendor == "HavenKoning"
    assert [(c.kind, c.value) for c in result.entities.contacts] == [("jabber", "havenkoning@jabber.calyxinstitute.org")]
    assert result.entities.emails == ()


def test_selectors_override_template_free_values():
    html = '<html><body><h1>Wrong title</h1><div id="t">Right title</div><div class="v">RealVendor</div>' \
           '<p>Price: 10 EUR</p><p>Sold by WrongVendor</p></body></html>'
    result = extract_html(html, url="http://m/p/1", site="m", selectors={"title": "#t", "vendor": ".v"})
    assert (result.listings[0].title, result.listings[0].vendor) == ("Right title", "RealVendor")


def test_other_pages_have_no_listings():
    result = extract_html("<html><body><form>Login <input name=u></form></body></html>", url="http://m/login")
    assert result.page_type == "other" and result.listings == ()


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\x00\xff\xfe" * 5000,
        bytes(range(256)) * 400,
        "<html><body>" + "<div>" * 20000 + "x",
        "<<<>>>&&&;;<!--<![CDATA[",
        "<html><body><p>" + "a" * 1_000_000,
    ],
)
def test_hostile_input_never_raises(junk):
    result = extract_html(junk, source="junk")
    assert isinstance(result, Extraction)
    json.dumps(result.to_dict())


def test_huge_page_is_truncated_by_policy_and_bounded_in_time():
    page = ("<html><body>" + "<p>filler text with € 10,00 and coke</p>" * 600_000).encode()  # ~25 MB
    started = time.monotonic()
    result = extract_html(page, source="big")
    assert "truncated" in " ".join(result.notes)
    assert time.monotonic() - started < 60


def test_extract_text_price_vendor_onion_and_shape():
    result = extract_text("Sold by Ms.Truffle -\n11 sold since Jun 20, 2016", source="t1")
    assert result.listings[0].vendor == "Ms.Truffle"
    result = extract_text("Buy price\nUSD 1,150.00\n\n(0.7521 BTC)", source="t2")
    assert (result.listings[0].price.amount, result.listings[0].price.currency) == (1150.0, "USD")
    data = extract_text("Mirror: http://25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion/", source="t3").to_dict()
    assert data["source"] == "t3"
    assert data["entities"]["onions"] == ["25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion"]
    for key in ("lang", "page_type", "listings", "products", "entities", "recruitment"):
        assert key in data
    assert set(data["recruitment"]) >= {"label", "score", "evidence"}


def test_wrong_type_is_an_extraction_error():
    from extractors.exceptions import InputError

    with pytest.raises(InputError):
        extract_text(12)  # type: ignore[arg-type]


def test_extract_texts_batches_with_the_same_results():
    from extractors import extract_texts

    records = [("a", "Koeriers gezocht, 300 per dag, snap me"), ("b", "Selling 5g of coke, 60 a gram, fast shipping"),
               ("c", "ok"), ("d", "Vendedor: MadridBlanco\nPrecio: 0.250 XMR")]
    batched = [r.to_dict() for r in extract_texts(records)]
    assert batched == [extract_text(text, source=rid).to_dict() for rid, text in records]
    assert batched[0]["recruitment"]["label"] and not batched[1]["recruitment"]["label"]
