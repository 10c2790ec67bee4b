"""Amount parsing with both decimal conventions; price mentions in demo-market formats."""

import pytest

from extractors import find_prices, parse_amount
from extractors._prices import find_quantity


@pytest.mark.parametrize(
    ("raw", "lang", "crypto", "expected"),
    [
        ("45,00", "nl", False, 45.0),
        ("1.500", "nl", False, 1500.0),
        ("1,500", "en", False, 1500.0),
        ("1.500", "en", False, 1.5),
        ("1,150.00", "en", False, 1150.0),
        ("1.150,00", "fr", False, 1150.0),
        ("1 150,00", "fr", False, 1150.0),
        ("0.250", "nl", True, 0.25),
        ("0,250", "en", True, 0.25),
        ("12", "en", False, 12.0),
        (".5", "en", False, 0.5),
    ],
)
def test_parse_amount(raw, lang, crypto, expected):
    assert parse_amount(raw, lang, crypto) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("€ 45,00", "nl", [(45.0, "EUR")]),
        ("45,00 EUR", "fr", [(45.0, "EUR")]),
        ("USD 50.17 (0.0376 BTC)", "en", [(50.17, "USD"), (0.0376, "BTC")]),
        ("0.250 XMR", "en", [(0.25, "XMR")]),
        ("Prijs: €45 per stuk", "nl", [(45.0, "EUR")]),
        ("Buy price\nUSD 1,150.00\n\n(0.7521 BTC)", "en", [(1150.0, "USD"), (0.7521, "BTC")]),
        ("Precio: 30 euros", "es", [(30.0, "EUR")]),
        ("£27 intro offer", "en", [(27.0, "GBP")]),
        ("no price here, only 10 items", "en", []),
    ],
)
def test_find_prices_keeps_every_mention_in_order(text, lang, expected):
    found = find_prices(text, lang)
    assert [(p.amount, p.currency) for p in found] == expected
    for p in found:
        assert text[p.start : p.end].strip() == p.text


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("0,5g coke", 0.5, "g"), ("500tabs xanax", 500, "tab"), ("10x 100mg", 10, "unit"), ("3.5G Green Crack", 3.5, "g")],
)
def test_quantity(text, value, unit):
    q = find_quantity(text)
    assert q is not None and (q.value, q.unit) == (value, unit)


def test_price_eur_carries_the_rate_and_its_date():
    from extractors import extract_html
    from extractors._rates import load_rates

    date, rates = load_rates()
    html = ("<html><body><h1>Pure cocaine</h1><p>Vendor: X1</p><p>Price: 0.5 XMR</p>"
            "<p>You get 3,5 gramos of our best product.</p></body></html>")
    listing = extract_html(html, url="http://m.example/p/1").listings[0]
    assert listing.price_eur.rate == rates["XMR"] and listing.price_eur.rate_date == date
    assert listing.price_eur.amount == round(0.5 * rates["XMR"], 2)
    assert (listing.quantity.value, listing.quantity.unit) == (3.5, "g"), "from the body: the title has none"
    assert rates["EUR"] == 1.0 and len(date) == 10
