"""Few-card pages: a category's last page with one card and a vendor with one or two items are
an index and a vendor page with their cards, never a listing titled after the market or vendor."""

from __future__ import annotations

import re

import pytest

from extractors import extract_html

HEAD = ("<html><head><title>{title} | Zwarte Haven</title></head><body><header><a href='/'>Zwarte Haven</a>"
        "<nav><a href='/cat/weed'>Weed</a> <a href='/cat/coke'>Coke</a></nav><a href='/account'>My account</a>"
        "</header><main>")
FOOT = "</main><footer><a href='/'>Home</a> <a href='/rules.html'>Market rules and escrow</a></footer></body></html>"


def _card(n: int, title: str, price: str, vendor: str) -> str:
    return (f"<div class='item'><a href='/item/{n}'>{title}</a> <span>{price}</span>"
            f"<p>Vendor: <a href='/vendor/{vendor}'>{vendor}</a></p><p>Ships from: Belgium</p></div>")


def test_one_card_category_page_is_an_index_with_its_card():
    html = (HEAD.format(title="Speed") + "<h1>Drugs &gt; Speed</h1>"
            + _card(77, "Speed paste 2 gram 90% pure", "EUR 26.90", "KetaKing")
            + "<div class='pages'><a href='/cat/speed?page=1'>Previous</a> Page 2 of 2</div>" + FOOT)
    result = extract_html(html, url="http://m.onion/cat/speed?page=2", site="m")
    assert result.page_type == "index"
    (card,) = result.listings
    assert (card.title, card.url, card.vendor) == ("Speed paste 2 gram 90% pure", "http://m.onion/item/77", "KetaKing")
    assert (card.price.amount, card.price.currency, card.ships_from) == (26.9, "EUR", "Belgium")


def test_vendor_page_with_two_cards_yields_the_cards_not_a_fake_listing():
    html = (HEAD.format(title="NightOwl") + "<h1>NightOwl</h1><p>Member since 2024</p><h2>Listings (2)</h2>"
            + _card(1, "Ecstasy pills 10 pills uncut", "EUR 38.06", "NightOwl")
            + _card(2, "7g molly premium quality", "1.194,73 EUR", "NightOwl") + FOOT)
    result = extract_html(html, url="http://m.onion/vendor/NightOwl", site="m")
    assert result.page_type == "vendor"
    assert [(c.title, c.url, c.vendor) for c in result.listings] == [
        ("Ecstasy pills 10 pills uncut", "http://m.onion/item/1", "NightOwl"),
        ("7g molly premium quality", "http://m.onion/item/2", "NightOwl")]
    assert [c.price.amount for c in result.listings] == [38.06, 1194.73]


def test_vendor_page_without_cards_is_one_untitled_profile_record():
    html = HEAD.format(title="NightOwl") + "<h1>NightOwl</h1><p>Member since 2024.</p><p>Ships from: Belgium</p>" + FOOT
    result = extract_html(html, url="http://m.onion/vendor/NightOwl", site="m")
    assert result.page_type == "vendor"
    (record,) = result.listings
    assert (record.title, record.price, record.vendor, record.ships_from) == ("", None, "NightOwl", "Belgium")


@pytest.mark.parametrize("extra", [
    "<div class='box'><span>EUR 40.00</span> <a href='/buy/5'>Buy now</a></div>",  # buy box, short link text
    "<h3>More from this vendor</h3>" + _card(6, "Other speed paste 5 gram", "EUR 60.00", "KetaKing"),
])
def test_listing_page_with_a_buy_box_or_a_related_card_stays_a_listing(extra):
    html = (HEAD.format(title="Speed paste 10 gram") + "<h1>Speed paste 10 gram</h1><p>Price: EUR 40.00</p>"
            "<p>Vendor: <a href='/vendor/KetaKing'>KetaKing</a></p>" + extra + FOOT)
    result = extract_html(html, url="http://m.onion/item/5", site="m")
    assert result.page_type == "listing"
    assert (result.listings[0].title, result.listings[0].price.amount) == ("Speed paste 10 gram", 40.0)


@pytest.mark.parametrize("generation", [0, 1])
def test_demo_vendor_and_index_pages_never_become_listings(generation):
    from nachtwacht.demomarket import generate

    world = generate(7, generation=generation)
    for site in ("noordzee", "mercado"):
        patterns = world.truth["sites"][site]["patterns"]
        for path, html in world.sites[site].pages.items():
            kind = next((k for k in ("vendor", "index") if re.fullmatch(patterns[k], path)), None)
            if kind is None:
                continue
            url = "http://d.demo" + path
            result = extract_html(html, url=url, site=site)
            assert result.page_type == kind, (site, path)
            assert result.listings, (site, path)
            assert not [c for c in result.listings if c.title and c.url == url], (site, path)
            if kind == "vendor":
                handle = path.rsplit("/", 1)[-1]
                assert {c.vendor for c in result.listings} == {handle}, (site, path)
