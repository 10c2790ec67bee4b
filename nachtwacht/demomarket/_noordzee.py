"""Template A, "Noordzee Markt": div-based layout, Dutch UI, prices like ``€ 45,00``."""

from __future__ import annotations

import random
import re

from ._dynamic import add_dynamic_pages, add_member_pages
from ._feedback import MONTHS, feedback, month_events
from ._hostile import BAD, big_page, calendar_route, month_step, with_bad_bytes
from ._html import PIXEL_PNG, esc
from ._market import ListingRec, MarketContent, VendorRec
from ._site import DemoSite
from ._vocab import CATEGORIES, CATEGORY_BY_KEY, DRUGS_LABEL, FRAUD_LABEL, country_label, unit_label

__all__ = ["PER_PAGE", "build_noordzee", "index_path", "listing_path", "vendor_path"]

PER_PAGE = 10
NAME = "Noordzee Markt"
CALENDAR_START = (2024, 11)

CSS = """body{font-family:Verdana,sans-serif;background:#0d1b2a;color:#e0e1dd;margin:0}
.nz-top{background:#1b263b;padding:8px 16px}.nz-top a{color:#9ad1d4;margin-right:12px}
.nz-main{max-width:980px;margin:0 auto;padding:16px}.card{border:1px solid #415a77;padding:8px;margin:6px 0}
.label{font-weight:bold;color:#9ad1d4}.price{color:#ffd166;font-size:1.2em}
pre.pgp{font-size:11px;background:#000;padding:8px;overflow:auto}.nz-foot{font-size:12px;padding:16px}
"""


def listing_path(lid: int) -> str:
    return f"/product/{lid}"


def vendor_path(handle: str) -> str:
    return f"/verkoper/{handle}"


def index_path(slug: str, page: int) -> str:
    return f"/categorie/{slug}" if page == 1 else f"/categorie/{slug}?pagina={page}"


def euro(amount: float, style: int) -> str:
    """Dutch money formats: ``€ 1.250,00`` (style 0) or ``1.250,00 EUR`` (style 1)."""
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}" if style == 0 else f"{text} EUR"


def _layout(title: str, body: str) -> str:
    nav = "".join(
        f'<a href="/categorie/{c.key}">{esc(c.labels["nl"])}</a>' for c in CATEGORIES
    )
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)} | {NAME}</title>"
        '<link rel="stylesheet" href="/static/noordzee.css"></head><body>'
        f'<header class="nz-top"><a class="logo" href="/">{NAME}</a><nav class="cats">{nav}</nav>'
        '<a href="/account">Mijn account</a> <a href="/login">Inloggen</a></header>'
        f'<main class="nz-main">{body}</main>'
        '<footer class="nz-foot"><a href="/">Home</a> · '
        f'<a href="/agenda/{CALENDAR_START[0]}/{CALENDAR_START[1]}">Evenementenkalender</a> · '
        '<a href="/export/catalogus.html">Volledige catalogus (HTML-export)</a> · '
        '<a href="/lus/a">Spiegelstatus</a> · <span>Escrow · PGP verplicht</span></footer>'
        "</body></html>\n"
    )


def _category_path(key: str) -> str:
    cat = CATEGORY_BY_KEY[key]
    top = DRUGS_LABEL["nl"] if cat.drug else FRAUD_LABEL["nl"]
    return f"{top} > {cat.labels['nl']}"


def _card(rec: ListingRec) -> str:
    return (
        f'<div class="card listing-card" data-id="{rec.id}">'
        f'<a class="title" href="{listing_path(rec.id)}">{esc(rec.title)}</a>'
        f'<div class="price">{euro(rec.price[0], rec.id % 2)}</div>'
        f'<div class="vendor">Verkoper: <a href="{vendor_path(rec.vendor)}">{esc(rec.vendor)}</a></div>'
        f'<div class="from">Verzonden vanuit: {esc(country_label(rec.ships_from, "nl"))}</div></div>'
    )


def _listing(rec: ListingRec, vendor: VendorRec, seed: int) -> str:
    rng = random.Random(f"{seed}:noordzee:fb:{rec.id}")
    to = ", ".join(country_label(c, "nl") for c in rec.ships_to)
    fb = "".join(
        f'<li class="fb"><span class="stars">{"★" * s}{"☆" * (5 - s)}</span> <time>{d}</time> {esc(t)}</li>'
        for s, d, t in feedback(rng, rec.lang, rng.randrange(0, 5))
    )
    body = (
        f'<div class="product-detail" data-id="{rec.id}" lang="{rec.lang}">'
        f'<h1 class="product-title">{esc(rec.title)}</h1>'
        '<div class="product-meta">'
        f'<div class="row"><span class="label">Verkoper:</span> <a href="{vendor_path(vendor.handle)}">'
        f"{esc(vendor.handle)}</a> <span class=\"lvl\">({vendor.sales} verkopen, ★ {vendor.rating:.2f})</span></div>"
        f'<div class="row"><span class="label">Prijs:</span> <span class="price">{euro(rec.price[0], rec.id % 2)}</span>'
        f' <span class="per">per {esc(unit_label(rec.unit, rec.qty, "nl"))}</span></div>'
        f'<div class="row"><span class="label">Verzonden vanuit:</span> {esc(country_label(rec.ships_from, "nl"))}</div>'
        f'<div class="row"><span class="label">Verzendt naar:</span> {esc(to)}</div>'
        f'<div class="row"><span class="label">Categorie:</span> <a href="{index_path(rec.category, 1)}">'
        f"{esc(_category_path(rec.category))}</a></div>"
        '<div class="row"><span class="label">Betaalmethoden:</span> Bitcoin (BTC), Monero (XMR) · Escrow</div>'
        f'<div class="row"><span class="label">Bekeken:</span> {rec.views}x</div></div>'
        f'<div class="description"><h2>Omschrijving</h2><p>{esc(rec.description)}</p></div>'
        '<form class="buy" method="post" action="/account"><input type="number" name="aantal" value="1">'
        '<button type="submit">In winkelmand / Add to cart</button></form>'
        f'<div class="feedback"><h2>Feedback</h2><ul>{fb or "<li>Nog geen feedback.</li>"}</ul></div></div>'
    )
    return _layout(rec.title, body)


def _vendor(vendor: VendorRec, listings: list[ListingRec]) -> str:
    wallets = "".join(
        f'<li><span class="chain">{w.chain.upper()}</span>: <code>{esc(w.address)}</code></li>'
        for w in vendor.wallets
    )
    contacts = "".join(
        f'<li><span class="kind">{esc(k.capitalize())}:</span> {esc(v)}</li>' for k, v in vendor.contacts
    )
    cards = "".join(_card(r) for r in listings)
    body = (
        f'<div class="vendor-profile" lang="{vendor.lang}"><h1>{esc(vendor.handle)}</h1>'
        f'<div class="stats">Lid sinds {vendor.joined} · {vendor.sales} verkopen · ★ {vendor.rating:.2f}</div>'
        f'<div class="bio"><h2>Over mij</h2><p>{esc(vendor.bio)}</p></div>'
        f'<div class="contact"><h2>Contact</h2><ul>{contacts}</ul></div>'
        f'<div class="wallets"><h2>Betaaladressen</h2><ul>{wallets}</ul></div>'
        f'<div class="pgp"><h2>PGP publieke sleutel</h2><pre class="pgp">{esc(vendor.pgp.armored)}</pre></div>'
        f'<div class="vendor-listings"><h2>Advertenties ({len(listings)})</h2>{cards}</div></div>'
    )
    return _layout(vendor.handle, body)


def _home(content: MarketContent) -> str:
    counts = {c.key: 0 for c in CATEGORIES}
    for rec in content.listings:
        counts[rec.category] += 1
    cats = "".join(
        f'<li><a href="{index_path(c.key, 1)}">{esc(c.labels["nl"])}</a> ({counts[c.key]})</li>'
        for c in CATEGORIES
    )
    featured = "".join(_card(r) for r in content.listings[::20])
    vendors = "".join(
        f'<li><a href="{vendor_path(v.handle)}">{esc(v.handle)}</a></li>'
        for v in sorted(content.vendors, key=lambda v: -v.sales)
    )
    archive = "".join(
        f'<li><a href="/oud/{r.id}">Archief #{r.id}</a></li>' for r in content.archived
    )
    mirrors = "".join(f"<li><code>{m}</code></li>" for m in content.mirrors)
    body = (
        "<h1>Welkom bij Noordzee Markt</h1><p>De veiligste markt van de Lage Landen. "
        "Escrow op elke bestelling, PGP verplicht. Welcome, English speakers too!</p>"
        f'<div class="categories"><h2>Categorieën</h2><ul>{cats}</ul></div>'
        f'<div class="featured"><h2>Uitgelicht</h2>{featured}</div>'
        f'<div class="top-vendors"><h2>Verkopers</h2><ul>{vendors}</ul></div>'
        f'<div class="mirrors"><h2>Officiële mirrors</h2><ul>{mirrors}</ul></div>'
        f'<div class="archive"><h2>Archief (oude advertenties)</h2><ul>{archive}</ul></div>'
    )
    return _layout("Home", body)


def _index(key: str, page: int, pages: int, recs: list[ListingRec]) -> str:
    nav = []
    if page > 1:
        nav.append(f'<a class="prev" href="{index_path(key, page - 1)}">Vorige</a>')
    nav.append(f'<span class="current">Pagina {page} van {pages}</span>')
    if page < pages:
        nav.append(f'<a class="next" href="{index_path(key, page + 1)}">Volgende</a>')
    body = (
        f'<h1>{esc(_category_path(key))}</h1><div class="listing-grid">'
        + "".join(_card(r) for r in recs)
        + f'</div><div class="pagination">{" ".join(nav)}</div>'
    )
    return _layout(CATEGORY_BY_KEY[key].labels["nl"], body)


def _login() -> str:
    body = (
        '<div class="login-wall"><h1>Inloggen vereist</h1><p>Log in om je account te bekijken.</p>'
        '<form method="post" action="/login"><label>Gebruikersnaam <input name="gebruiker"></label>'
        '<label>Wachtwoord <input type="password" name="wachtwoord"></label>'
        '<label>Captcha <img src="/static/captcha.png" alt="captcha"><input name="captcha"></label>'
        '<button type="submit">Inloggen</button></form></div>'
    )
    return _layout("Inloggen", body)


def _account(rec: ListingRec, vendor: VendorRec) -> str:
    """The members page behind ``/account``: a members-only offer of ``rec``'s vendor (10% off)
    and the vendor's message to members. Served only with the session cookie (``_dynamic``)."""
    price = round(rec.price[0] * 0.9, 2)
    body = (
        '<div class="account"><h2>Mijn account</h2><p>Welkom terug. Bestellingen: 0 open.</p></div>'
        f'<div class="product-detail members-only" data-id="{rec.id}" lang="nl">'
        f'<h1 class="product-title">Ledenaanbieding: {esc(rec.title)}</h1>'
        '<div class="product-meta">'
        f'<div class="row"><span class="label">Verkoper:</span> <a href="{vendor_path(vendor.handle)}">'
        f"{esc(vendor.handle)}</a></div>"
        f'<div class="row"><span class="label">Prijs:</span> <span class="price">{euro(price, 0)}</span>'
        f' <span class="per">per {esc(unit_label(rec.unit, rec.qty, "nl"))}</span></div>'
        f'<div class="row"><span class="label">Verzonden vanuit:</span> {esc(country_label(rec.ships_from, "nl"))}</div>'
        f'<div class="row"><span class="label">Categorie:</span> {esc(_category_path(rec.category))}</div></div>'
        f'<div class="description"><h2>Omschrijving</h2><p>Alleen voor leden. {esc(rec.description)}</p></div></div>'
        f'<div class="messages"><h2>Bericht van {esc(vendor.handle)}</h2><p>Nieuwe partij binnen. '
        "Leden krijgen 10% korting tot het einde van de maand; bestel via escrow.</p></div>"
    )
    return _layout(f"Ledenaanbieding: {rec.title}", body)


def _calendar(seed: int) -> object:
    def render(year: int, month: int) -> str:
        py, pm = month_step(year, month, -1)
        ny, nm = month_step(year, month, 1)
        events = "".join(
            f"<li><time>{year:04d}-{month:02d}-{d:02d}</time> {esc(e)}</li>"
            for d, e in month_events(seed, "noordzee", year, month, "nl")
        )
        body = (
            f'<div class="calendar"><h1>Agenda {MONTHS["nl"][month - 1]} {year}</h1><ul>{events}</ul>'
            f'<a class="prev" href="/agenda/{py}/{pm}">« Vorige maand</a> '
            f'<a class="next" href="/agenda/{ny}/{nm}">Volgende maand »</a></div>'
        )
        return _layout(f"Agenda {month}/{year}", body)

    return calendar_route(render)


def _malformed(rec: ListingRec) -> bytes:
    """An old listing page with unclosed tags, bad nesting, broken entities, bad bytes."""
    to = ", ".join(country_label(c, "nl") for c in rec.ships_to)
    text = (
        "<html><head><title>Noordzee archief &mdash " + esc(rec.title) + "</title>"
        '<body bgcolor=#000 <div class="product-detail oud"><table><tr><td>'
        '<h1 class="product-title">' + esc(rec.title) + "<td><b><i>Archief" + BAD + "</b></i>"
        "<p>Verkoper: <a href=" + vendor_path(rec.vendor) + ">" + esc(rec.vendor) + "</a>"
        "<p>Prijs: <span class=price>" + euro(rec.price[0], 0) + " &euro &#xZZ; &nbsp</span>"
        "<p>Verzonden vanuit: " + esc(country_label(rec.ships_from, "nl")) + BAD
        + "<p>Verzendt naar: " + esc(to) + "<p>Categorie: " + esc(_category_path(rec.category))
        + "<div><p>" + esc(rec.description) + BAD + " <span><div></p></span>"
        "<li>oud <li>niet meer leverbaar" + BAD + "</td></tr></tabel>"
    )
    return with_bad_bytes(text)


def _big(content: MarketContent) -> object:
    head = _layout("Catalogus", "<h1>Volledige catalogus</h1><table class=\"export\">").split(
        "</table>"
    )[0]
    rows = [
        f'<tr><td>{r.id}</td><td><a href="{listing_path(r.id)}">{esc(r.title)}</a></td>'
        f"<td>{esc(r.vendor)}</td><td>{euro(r.price[0], 0)}</td></tr>\n"
        for r in content.listings
    ]
    return big_page(head, rows, "</table></main></body></html>\n")


def build_noordzee(content: MarketContent, seed: int) -> DemoSite:
    """All pages and routes of the Noordzee market."""
    site = DemoSite(name="noordzee", lang="nl", query_keys=("pagina",), page_param="pagina")
    vendors = {v.handle: v for v in content.vendors}
    site.pages["/"] = _home(content).encode()
    for cat in CATEGORIES:
        recs = [r for r in content.listings if r.category == cat.key]
        pages = max(1, -(-len(recs) // PER_PAGE))
        for n in range(1, pages + 1):
            chunk = recs[(n - 1) * PER_PAGE : n * PER_PAGE]
            site.pages[index_path(cat.key, n)] = _index(cat.key, n, pages, chunk).encode()
    for rec in content.listings:
        site.pages[listing_path(rec.id)] = _listing(rec, vendors[rec.vendor], seed).encode()
    for vendor in content.vendors:
        mine = [r for r in content.listings if r.vendor == vendor.handle]
        site.pages[vendor_path(vendor.handle)] = _vendor(vendor, mine).encode()
    for rec in content.archived:
        site.pages[f"/oud/{rec.id}"] = _malformed(rec)
    site.pages["/login"] = _login().encode()
    site.redirects.update({"/lus/a": "/lus/b", "/lus/b": "/lus/a", "/account": "/login"})
    site.assets["/static/noordzee.css"] = ("text/css; charset=utf-8", CSS.encode())
    site.assets["/static/captcha.png"] = ("image/png", PIXEL_PNG)
    cal = _calendar(seed)
    site.routes.append((re.compile(r"/agenda/(\d{1,6})/(\d{1,2})"),
                        lambda m: cal(int(m[1]), int(m[2]))))  # type: ignore[operator]
    big = _big(content)
    site.routes.append((re.compile(r"/export/catalogus\.html"), lambda m: big))  # type: ignore[arg-type,return-value]
    add_dynamic_pages(site, listing_path("{id}"))  # JS-only listing and queue page (browser tests)
    if content.listings:  # /account opens with the world's session cookie (session import tests)
        offer = content.listings[0]
        add_member_pages(site, seed, {"/account": lambda: _account(offer, vendors[offer.vendor]).encode()})
    site.not_found = _layout("Niet gevonden", "<h1>404</h1><p>Deze pagina bestaat niet (meer).</p>").encode()
    return site
