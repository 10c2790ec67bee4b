"""Template B, "Mercado Sombra": tables and definition lists, es/fr/en UI, ``USD 50.17 (0.0376 BTC)``."""

from __future__ import annotations

import random
import re

from ._feedback import MONTHS, feedback, month_events
from ._hostile import BAD, big_page, calendar_route, month_step, with_bad_bytes
from ._html import esc, image_reply
from ._market import ListingRec, MarketContent, VendorRec
from ._site import DemoSite
from ._vocab import CATEGORIES, CATEGORY_BY_KEY, DRUGS_LABEL, FRAUD_LABEL, country_label, unit_label

__all__ = ["PER_PAGE", "build_mercado", "index_path", "listing_path", "price_text", "vendor_path"]

PER_PAGE = 12
NAME = "Mercado Sombra"
CALENDAR_START = (2024, 11)

LABELS = {
    "es": {"vendor": "Vendedor:", "price": "Precio:", "from": "Envío desde:", "to": "Envío a:",
           "cat": "Categoría:", "qty": "Cantidad:", "desc": "Descripción", "reviews": "Opiniones",
           "buy": "Comprar", "sales": "ventas", "pay": "Pago:"},
    "fr": {"vendor": "Vendeur :", "price": "Prix :", "from": "Expédié de :", "to": "Livraison vers :",
           "cat": "Catégorie :", "qty": "Quantité :", "desc": "Description", "reviews": "Avis",
           "buy": "Acheter", "sales": "ventes", "pay": "Paiement :"},
    "en": {"vendor": "Sold by", "price": "Price:", "from": "Ships from:", "to": "Ships to:",
           "cat": "Category:", "qty": "Quantity:", "desc": "Description", "reviews": "Reviews",
           "buy": "Buy now", "sales": "sales", "pay": "Payment:"},
}

CSS = """body{font-family:Georgia,serif;background:#f4efe6;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #bba;padding:4px 8px}.top{background:#3d2b1f;color:#fff;padding:6px}
.top a{color:#ffcf8b}dl.specs dt{font-weight:bold;float:left;clear:left;width:140px}
textarea.pgp{width:100%;height:220px;font-family:monospace;font-size:11px}
"""


def listing_path(lid: int) -> str:
    return f"/item.php?id={lid}"


def vendor_path(handle: str) -> str:
    return f"/seller/{handle}"


def index_path(slug: str, page: int) -> str:
    return f"/c/{slug}/{page}"


def _ui_lang(lang: str) -> str:
    return lang if lang in LABELS else "en"


def price_text(rec: ListingRec) -> str:
    """``USD 1,250.17 (0.0195 BTC)`` or ``0.250 XMR``: exactly the amounts of the truth."""
    amount, cur = rec.price
    if cur == "XMR":
        return f"{amount:.3f} XMR"
    btc = rec.prices[1][0]
    btc_text = f"{btc:.4f}" if btc >= 0.01 else f"{btc:.6f}"
    return f"USD {amount:,.2f} ({btc_text} BTC)"


def _category_path(key: str, lang: str) -> str:
    cat = CATEGORY_BY_KEY[key]
    top = DRUGS_LABEL[lang] if cat.drug else FRAUD_LABEL[lang]
    return f"{top} / {cat.labels[lang]}"


def _layout(title: str, body: str, lang: str = "es") -> str:
    cats = " | ".join(
        f'<a href="{index_path(c.key, 1)}">{esc(c.labels["es"])}</a>' for c in CATEGORIES
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{NAME} :: {esc(title)}</title>"
        '<link rel="stylesheet" href="/static/mercado.css"></head><body>'
        f'<table class="top" width="100%"><tr><td><a href="/"><b>{NAME}</b></a></td>'
        f'<td class="cats">{cats}</td><td><a href="/orders">Mis pedidos / Mes commandes</a> '
        '<a href="/signin">Entrar</a></td></tr></table>'
        f'<div id="content">{body}</div>'
        '<table class="foot" width="100%"><tr>'
        f'<td><a href="/calendar/{CALENDAR_START[0]}-{CALENDAR_START[1]:02d}">Calendario</a></td>'
        '<td><a href="/dump.html">Descargar catálogo completo (HTML)</a></td>'
        '<td><a href="/r/1">Estado de espejos</a></td><td>Multisig 2-de-3 · PGP</td></tr></table>'
        "</body></html>\n"
    )


def _row(rec: ListingRec) -> str:
    return (
        f'<tr class="item-row" data-id="{rec.id}"><td>#{rec.id}</td>'
        f'<td><a href="{listing_path(rec.id)}">{esc(rec.title)}</a></td>'
        f'<td><a href="{vendor_path(rec.vendor)}">{esc(rec.vendor)}</a></td>'
        f'<td class="price">{esc(price_text(rec))}</td>'
        f'<td>{esc(country_label(rec.ships_from, _ui_lang(rec.lang)))}</td></tr>'
    )


def _table(recs: list[ListingRec]) -> str:
    return (
        '<table class="items"><tr><th>#</th><th>Artículo / Article / Item</th>'
        "<th>Vendedor</th><th>Precio</th><th>Origen</th></tr>"
        + "".join(_row(r) for r in recs) + "</table>"
    )


def _listing(rec: ListingRec, vendor: VendorRec, seed: int) -> str:
    lang = _ui_lang(rec.lang)
    lab = LABELS[lang]
    rng = random.Random(f"{seed}:mercado:fb:{rec.id}")
    to = ", ".join(country_label(c, lang) for c in rec.ships_to)
    reviews = "".join(
        f"<tr><td>{s}/5</td><td>{d}</td><td>{esc(t)}</td></tr>"
        for s, d, t in feedback(rng, lang, rng.randrange(0, 5))
    )
    body = (
        f'<table class="item" lang="{rec.lang}"><tr><td rowspan="4" class="img">'
        f'<img src="/img/{rec.id}.png" alt="" width="160"></td>'
        f'<th><h2 class="item-title">{esc(rec.title)}</h2></th></tr>'
        f'<tr><td>{lab["vendor"]} <a href="{vendor_path(vendor.handle)}">{esc(vendor.handle)}</a>'
        f' ({vendor.rating:.2f}/5, {vendor.sales} {lab["sales"]})</td></tr>'
        f'<tr><td>{lab["price"]} <b class="price">{esc(price_text(rec))}</b></td></tr>'
        f'<tr><td><form method="post" action="/orders"><button>{lab["buy"]}</button></form></td></tr>'
        "</table>"
        f'<dl class="specs"><dt>{lab["from"]}</dt><dd>{esc(country_label(rec.ships_from, lang))}</dd>'
        f'<dt>{lab["to"]}</dt><dd>{esc(to)}</dd>'
        f'<dt>{lab["cat"]}</dt><dd><a href="{index_path(rec.category, 1)}">'
        f"{esc(_category_path(rec.category, lang))}</a></dd>"
        f'<dt>{lab["qty"]}</dt><dd>{esc(unit_label(rec.unit, rec.qty, lang))}</dd>'
        f'<dt>{lab["pay"]}</dt><dd>BTC, XMR (multisig)</dd></dl>'
        f'<h3>{lab["desc"]}</h3><div class="desc">{esc(rec.description)}</div>'
        f'<h3>{lab["reviews"]}</h3><table class="reviews">{reviews}</table>'
    )
    return _layout(rec.title, body, rec.lang)


def _vendor(vendor: VendorRec, listings: list[ListingRec]) -> str:
    lang = _ui_lang(vendor.lang)
    wallets = "".join(
        f"<tr><td>{w.chain.upper()}</td><td><tt>{esc(w.address)}</tt></td></tr>" for w in vendor.wallets
    )
    contacts = "".join(f"<dt>{esc(k.capitalize())}</dt><dd>{esc(v)}</dd>" for k, v in vendor.contacts)
    body = (
        f'<h1 class="seller">{esc(vendor.handle)}</h1>'
        f'<dl class="profile"><dt>Miembro desde / Membre depuis</dt><dd>{vendor.joined}</dd>'
        f'<dt>{LABELS[lang]["sales"].capitalize()}</dt><dd>{vendor.sales}</dd>'
        f"<dt>Rating</dt><dd>{vendor.rating:.2f}/5</dd></dl>"
        f'<div class="about" lang="{vendor.lang}"><p>{esc(vendor.bio)}</p></div>'
        f'<h3>Contacto / Contact</h3><dl class="contacts">{contacts}</dl>'
        f'<h3>Wallets</h3><table class="wallets">{wallets}</table>'
        '<h3>PGP</h3><textarea class="pgp" readonly>'
        f"{esc(vendor.pgp.armored)}</textarea>"
        f"<h3>Artículos ({len(listings)})</h3>{_table(listings)}"
    )
    return _layout(vendor.handle, body, vendor.lang)


def _home(content: MarketContent) -> str:
    counts = {c.key: 0 for c in CATEGORIES}
    for rec in content.listings:
        counts[rec.category] += 1
    cats = "".join(
        f'<tr><td><a href="{index_path(c.key, 1)}">{esc(c.labels["es"])}</a></td>'
        f'<td>{esc(c.labels["fr"])}</td><td>{counts[c.key]}</td></tr>'
        for c in CATEGORIES
    )
    sellers = "".join(
        f'<li><a href="{vendor_path(v.handle)}">{esc(v.handle)}</a></li>' for v in content.vendors
    )
    legacy = "".join(f'<li><a href="/legacy/{r.id}">#{r.id}</a></li>' for r in content.archived)
    mirrors = "".join(f"<li><tt>{m}</tt></li>" for m in content.mirrors)
    body = (
        "<h1>Bienvenido · Bienvenue · Welcome</h1>"
        "<p>Mercado multisig, sin depósito. Marché multisig, sans dépôt. Multisig market, no deposit.</p>"
        f'<table class="categories"><tr><th>Categoría</th><th>Catégorie</th><th>#</th></tr>{cats}</table>'
        f"<h3>Últimos artículos</h3>{_table(content.listings[-12:])}"
        f'<h3>Vendedores</h3><ul class="sellers">{sellers}</ul>'
        f'<h3>Espejos oficiales / Miroirs</h3><ul class="mirrors">{mirrors}</ul>'
        f'<h3>Archivo (versión antigua)</h3><ul class="legacy">{legacy}</ul>'
    )
    return _layout("Inicio", body)


def _index(key: str, page: int, pages: int, recs: list[ListingRec]) -> str:
    links = " ".join(
        f"<b>{n}</b>" if n == page else f'<a href="{index_path(key, n)}">{n}</a>'
        for n in range(1, pages + 1)
    )
    body = (
        f'<h2>{esc(_category_path(key, "es"))} — página {page}</h2>{_table(recs)}'
        f'<p class="pages">Páginas: {links}</p>'
    )
    return _layout(CATEGORY_BY_KEY[key].labels["es"], body)


def _login() -> str:
    body = (
        '<h2>Acceso / Connexion / Sign in</h2><form method="post" action="/signin"><table>'
        '<tr><td>Usuario</td><td><input name="user"></td></tr>'
        '<tr><td>Contraseña</td><td><input type="password" name="pass"></td></tr>'
        '<tr><td>PIN</td><td><input name="pin" maxlength="6"></td></tr>'
        '<tr><td colspan="2"><input type="submit" value="Entrar"></td></tr></table></form>'
    )
    return _layout("Entrar", body)


def _calendar(seed: int) -> object:
    def render(year: int, month: int) -> str:
        py, pm = month_step(year, month, -1)
        ny, nm = month_step(year, month, 1)
        rows = "".join(
            f"<tr><td>{year:04d}-{month:02d}-{d:02d}</td><td>{esc(e)}</td></tr>"
            for d, e in month_events(seed, "mercado", year, month, "es")
        )
        body = (
            f'<h2>Calendario: {MONTHS["es"][month - 1]} de {year}</h2><table class="cal">{rows}</table>'
            f'<p><a href="/calendar/{py}-{pm:02d}">&lt; anterior</a> | '
            f'<a href="/calendar/{ny}-{nm:02d}">siguiente &gt;</a></p>'
        )
        return _layout(f"Calendario {year}-{month:02d}", body)

    return calendar_route(render)


def _malformed(rec: ListingRec) -> bytes:
    """Legacy item page: broken table nesting, unterminated attributes and entities, bad bytes."""
    lang = _ui_lang(rec.lang)
    lab = LABELS[lang]
    to = ", ".join(country_label(c, lang) for c in rec.ships_to)
    text = (
        "<HTML><HEAD><TITLE>" + esc(rec.title) + " &amp legacy</TITLE>"
        "<BODY><TABLE class=item><TR><TH><h2 class=item-title>" + esc(rec.title)
        + "</TH></h2><TR><TD>" + lab["vendor"] + ' <a href="' + vendor_path(rec.vendor)
        + '>' + esc(rec.vendor) + "</a>" + BAD + "<TR><TD>" + lab["price"] + " <b>"
        + esc(price_text(rec)) + " &euro &#99999999; </TD></i>"
        "<dl><dt>" + lab["from"] + "<dd>" + esc(country_label(rec.ships_from, lang)) + BAD
        + "<dt>" + lab["to"] + "<dd>" + esc(to) + "<dt>" + lab["cat"] + "<dd>"
        + esc(_category_path(rec.category, lang)) + "</table></dl><p><div>" + esc(rec.description)
        + BAD + "<font color=red><b>LEGACY" + BAD + "</font>"
    )
    return with_bad_bytes(text)


def _big(content: MarketContent) -> object:
    head = _layout("Volcado", "<h2>Volcado completo</h2><table class=\"dump\">").split("</table>\n</body>")[0]
    head = head.split('<table class="foot"')[0]
    rows = [
        f'<tr><td>{r.id}</td><td><a href="{listing_path(r.id)}">{esc(r.title)}</a></td>'
        f"<td>{esc(r.vendor)}</td><td>{esc(price_text(r))}</td></tr>\n"
        for r in content.listings
    ]
    return big_page(head, rows, "</table></div></body></html>\n")


def build_mercado(content: MarketContent, seed: int) -> DemoSite:
    """All pages and routes of the Mercado market."""
    site = DemoSite(name="mercado", lang="es", query_keys=("id",))
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
        site.pages[f"/legacy/{rec.id}"] = _malformed(rec)
    site.pages["/signin"] = _login().encode()
    site.redirects.update({"/r/1": "/r/2", "/r/2": "/r/1", "/orders": "/signin"})
    site.assets["/static/mercado.css"] = ("text/css; charset=utf-8", CSS.encode())
    site.routes.append((re.compile(r"/img/\d{1,9}\.png"), lambda m: image_reply()))
    cal = _calendar(seed)
    site.routes.append((re.compile(r"/calendar/(\d{1,6})-(\d{1,2})"),
                        lambda m: cal(int(m[1]), int(m[2]))))  # type: ignore[operator]
    big = _big(content)
    site.routes.append((re.compile(r"/dump\.html"), lambda m: big))  # type: ignore[arg-type,return-value]
    site.not_found = _layout("404", "<h2>404 — No encontrado / Introuvable / Not found</h2>").encode()
    return site
