"""Market content: vendors (keys, wallets, contacts) and listings, as plain records.

Rendering is elsewhere; this module decides *what* is on the market, and that is what
the ground truth reports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import _crypto as cx
from ._pgp import PgpPublicKey, make_pgp_key
from ._vocab import (
    BTC_USD,
    CATEGORIES,
    EUR_USD,
    PRODUCTS_BY_CATEGORY,
    QUALITY,
    XMR_USD,
    Product,
    unit_label,
)

__all__ = ["ListingRec", "MarketContent", "VendorRec", "WalletRec", "build_market"]


@dataclass(frozen=True, slots=True)
class WalletRec:
    chain: str
    address: str
    valid: bool


@dataclass(frozen=True, slots=True)
class VendorRec:
    site: str
    handle: str
    actor: str  # the same real actor across markets has the same id
    lang: str
    bio: str
    pgp: PgpPublicKey
    wallets: tuple[WalletRec, ...]
    contacts: tuple[tuple[str, str], ...]  # (kind, value)
    onions: tuple[tuple[str, bool], ...]  # (address, valid) mentioned in the bio
    country: str  # where the vendor ships from (canonical English name)
    joined: str  # ISO date
    sales: int
    rating: float
    specialties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListingRec:
    site: str
    id: int
    title: str
    vendor: str
    lang: str
    category: str
    products: tuple[Product, ...]
    qty: float
    unit: str
    price: tuple[float, str]  # main price (amount, currency)
    prices: tuple[tuple[float, str], ...]  # every price mention
    ships_from: str
    ships_to: tuple[str, ...]
    description: str
    views: int


@dataclass(slots=True)
class MarketContent:
    site: str
    vendors: list[VendorRec] = field(default_factory=list)
    listings: list[ListingRec] = field(default_factory=list)
    archived: list[ListingRec] = field(default_factory=list)  # only on malformed pages
    mirrors: list[str] = field(default_factory=list)


# Invented handles. Shared actors: (noordzee handle, mercado handle, what links them).
SHARED = (
    ("FlakeFactory", "FlakeFactory", "pgp"),
    ("HavenKoning", "Haven_Koning", "pgp"),
    ("KetaKapitein", "KetaCaptain", "wallet"),
    ("DeBlauweTulp", "BlauweTulp_", "contact"),
)
OWN = {
    "noordzee": ("GroeneBaron", "SneeuwwitjeNL", "PolderPharma", "Dr_Dam", "KaasKop420",
                 "AntwerpDirect", "MaasMeds", "TilburgTrips", "VlaamseReus", "ZuidasSupply",
                 "PillenPiet"),
    "mercado": ("ElPericoDeOro", "LaBoticaVerde", "CapitaineBlanche", "MarseilleConnect",
                "CostaCalida", "ElChapulin", "FarmaciaNocturna", "LeBaronRouge", "AndaluzHash",
                "GalleonSupply", "NorteQuimica"),
}
SITE_LANGS = {"noordzee": ("nl", "nl", "nl", "en", "en", "fr"), "mercado": ("es", "es", "fr", "fr", "en")}
FROM_WEIGHTS = {
    "noordzee": (("Netherlands", 45), ("Belgium", 25), ("Germany", 12), ("Spain", 8), ("United Kingdom", 5), ("Poland", 5)),
    "mercado": (("Spain", 40), ("France", 20), ("Netherlands", 12), ("Colombia", 10), ("Italy", 8), ("Germany", 10)),
}
CAT_WEIGHTS = {"cannabis": 22, "cocaine": 20, "mdma": 18, "amphetamine": 12, "ketamine": 10,
               "opioids": 8, "benzos": 10, "documents": 6, "carded": 6}
LISTINGS_PER_MARKET = 120
ARCHIVED_PER_MARKET = 4

BIOS = {
    "nl": ("Al sinds {year} actief. Wij verzenden elke werkdag vanuit {country}, stealth verpakt "
           "(vacuüm + MBB). Geen FE voor nieuwe klanten. Reship bij verlies na bewijs. "
           "Berichten altijd versleutelen met onze PGP sleutel.",
           "Kleine vendor, grote kwaliteit. Alles wordt getest met reagentia voor verzending. "
           "Levering binnen 1-3 dagen in NL/BE. Spoed? Stuur een bericht."),
    "en": ("Trusted vendor since {year}. Shipping Mon-Fri from {country}, vacuum sealed, "
           "professional stealth. Always encrypt your address with our PGP key. No FE unless 50+ sales.",
           "Quality first. Every batch lab tested. Refunds or reships on case-by-case basis. "
           "Bulk orders welcome, contact us for prices."),
    "fr": ("Vendeur sérieux depuis {year}. Envoi discret depuis {country}, sous vide. "
           "Chiffrez toujours votre adresse avec notre clé PGP. Pas de FE pour les nouveaux.",
           "Produits testés, livraison rapide en France et Belgique. Pour le gros, contactez-nous."),
    "es": ("Vendedor de confianza desde {year}. Envíos discretos desde {country}, al vacío. "
           "Cifra tu dirección con nuestra clave PGP. Sin FE para clientes nuevos.",
           "Calidad garantizada, todo testado. Envío 24/48h en península. Pedidos grandes por privado."),
}
MIRROR_LINE = {
    "nl": "Eigen shop (spiegel): {onion}",
    "en": "Our own shop mirror: {onion}",
    "fr": "Notre boutique : {onion}",
    "es": "Nuestra tienda propia: {onion}",
}
DESCRIPTIONS = {
    "nl": ("Wij leveren {name} van de hoogste kwaliteit. {alt} rechtstreeks van de bron, {quality}. "
           "Verzending binnen 24 uur, stealth verpakt. Bij vragen stuur een PM. Geen FE.",
           "Je krijgt {qty} {name}. Getest en gewogen op een geijkte weegschaal. Ook bekend als {alt}. "
           "Verzending met PostNL of bpost, track & trace op aanvraag.",
           "{quality}! {name} zoals het hoort. Niet tevreden = reship. Bulk mogelijk, vraag naar prijzen."),
    "en": ("Top grade {name}, {quality}. Also sold as {alt}. Ships within 24h, vacuum sealed, "
           "tracking on request. PM for bulk.",
           "You get {qty} of our {name}. Weighed on calibrated scale, reagent tested. "
           "No FE, escrow only. Reship policy: 1x after proof. Ships with DHL or to a parcel locker.",
           "{quality}. {name} straight from the source, same batch as the last 200 orders."),
    "fr": ("Vente de {name}, {quality}. Aussi appelée {alt}. Envoi sous 24h, emballage discret "
           "sous vide. Pour le gros, contactez en MP.",
           "Vous recevez {qty} de {name}. Pesé sur balance calibrée, testé. Pas de FE, escrow uniquement. "
           "Envoi en Colissimo ou Mondial Relay.",
           "{quality}. {name} direct de la source, la même que d'habitude. Renvoi si perte."),
    "es": ("Vendemos {name}, {quality}. También conocida como {alt}. Envío en 24h, envasado al "
           "vacío y discreto. Para cantidades grandes, mensaje privado.",
           "Recibes {qty} de {name}. Pesado en báscula calibrada, testado con reactivos. Sin FE. "
           "Envío por Correos o SEUR.",
           "{quality}. {name} directo de origen, misma calidad de siempre. Reenvío si se pierde."),
}
TITLE_PATTERNS = {
    "nl": ("{qty} {name} - {quality}", "{name} {qty} | {quality}", "*** {qty} {name} *** {quality}",
           "{name} ({qty}) {quality}"),
    "en": ("{qty} {name} - {quality}", "{name} {qty} | {quality}", "[{quality}] {qty} {name}",
           "{name} x {qty} - {quality}"),
    "fr": ("{qty} {name} - {quality}", "{name} {qty} | {quality}", "{name} ({qty}) {quality}"),
    "es": ("{qty} {name} - {quality}", "{name} {qty} | {quality}", "{name} ({qty}) {quality}"),
}
BUNDLE = {"nl": " + gratis {name} sample", "en": " + free {name} sample",
          "fr": " + échantillon {name} offert", "es": " + muestra gratis de {name}"}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...] | list[tuple[str, int]]) -> str:
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _wallets(rng: random.Random, seed: int, label: str, corrupt: bool) -> list[WalletRec]:
    ks = cx.KeyStream(seed, f"wallets:{label}")
    makers = [cx.btc_p2pkh, cx.btc_p2sh, cx.btc_p2wpkh, cx.btc_p2tr]
    out = [WalletRec("btc", makers[rng.randrange(4)](ks), True)]
    if rng.random() < 0.7:
        out.append(WalletRec("xmr", cx.xmr_standard(ks), True))
    if rng.random() < 0.35:
        out.append(WalletRec("eth", cx.eth_address(ks), True))
    if corrupt:
        victim = out[rng.randrange(len(out))]
        out.append(WalletRec(victim.chain, cx.corrupt(victim.chain, victim.address, ks), False))
    return out


def _contacts(rng: random.Random, seed: int, handle: str) -> list[tuple[str, str]]:
    ks = cx.KeyStream(seed, f"contacts:{handle}")
    low = handle.lower().replace("_", "")
    pool = [
        ("wickr", f"{low}{rng.randrange(10, 99)}"),
        ("telegram", f"@{low}_official"),
        ("session", "05" + ks.take(32).hex()),
        ("jabber", f"{low}@jabber.calyxinstitute.org"),
        ("threema", "".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(8))),
        ("email", f"{low}@protonmail.com"),
    ]
    rng.shuffle(pool)
    return sorted(pool[: rng.randrange(2, 5)])


def _vendor(site: str, handle: str, actor: str, seed: int, rng: random.Random, idx: int,
            key_label: str, wallet_label: str, corrupt_wallet: bool, onion: tuple[str, bool] | None,
            contacts: list[tuple[str, str]] | None = None) -> VendorRec:
    lang = SITE_LANGS[site][idx % len(SITE_LANGS[site])]
    year = 2018 + rng.randrange(6)
    country = _weighted(rng, FROM_WEIGHTS[site])
    from ._vocab import country_label

    bio = rng.choice(BIOS[lang]).format(year=year, country=country_label(country, lang))
    krng = random.Random(f"{seed}:pgp:{key_label}")
    created = 1546300800 + krng.randrange(5 * 365 * 86400)
    pgp = make_pgp_key(cx.KeyStream(seed, f"pgp:{key_label}").take(32),
                       f"{key_label} <{key_label.lower()}@protonmail.com>", created)
    wrng = random.Random(f"{seed}:wallet:{wallet_label}")
    wallets = _wallets(wrng, seed, wallet_label, False)
    if corrupt_wallet:
        # Rotate the corrupted chain so every kind of checksum error occurs.
        chain = ("btc", "xmr", "eth")[(idx // 4) % 3]
        ks = cx.KeyStream(seed, f"corrupt:{site}:{handle}")
        if not any(w.chain == chain for w in wallets):
            maker = cx.xmr_standard if chain == "xmr" else cx.eth_address
            wallets.append(WalletRec(chain, maker(ks), True))
        victim = next(w for w in wallets if w.chain == chain)
        wallets.append(WalletRec(victim.chain, cx.corrupt(victim.chain, victim.address, ks), False))
    if onion:
        bio += " " + MIRROR_LINE[lang].format(onion=onion[0])
    cats = [c.key for c in CATEGORIES]
    specialties = [cats[idx % len(cats)]]
    specialties += rng.sample([c for c in cats if c != specialties[0]], 2)
    return VendorRec(
        site=site, handle=handle, actor=actor, lang=lang, bio=bio, pgp=pgp,
        wallets=tuple(wallets), contacts=tuple(contacts or _contacts(rng, seed, handle)),
        onions=(onion,) if onion else (), country=country, joined=f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        sales=rng.randrange(12, 4800), rating=round(rng.uniform(4.2, 5.0), 2),
        specialties=tuple(specialties),
    )


def _vendors(site: str, seed: int) -> list[VendorRec]:
    rng = random.Random(f"{seed}:{site}:vendors")
    col = 0 if site == "noordzee" else 1
    vendors = []
    for i, (nz, mc, link) in enumerate(SHARED):
        handle = (nz, mc)[col]
        actor = f"actor-{nz.lower()}"
        key_label = nz if link == "pgp" else handle
        wallet_label = nz if link == "wallet" else handle
        contacts = None
        if link == "contact":
            crng = random.Random(f"{seed}:contacts:{nz}")
            shared = ("jabber", f"{nz.lower()}@jabber.calyxinstitute.org")
            others = [c for c in _contacts(crng if col == 0 else rng, seed, handle) if c[0] != "jabber"]
            contacts = sorted({shared, *others})
        vendors.append(_vendor(site, handle, actor, seed, rng, i, key_label, wallet_label,
                               False, None, contacts))
    for j, handle in enumerate(OWN[site]):
        i = len(SHARED) + j
        onion = None
        if j % 4 == 1:
            ks = cx.KeyStream(seed, f"onion:{site}:{handle}")
            addr = cx.onion_v3(ks)
            onion = (cx.corrupt("onion", addr, ks), False) if j == 5 else (addr, True)
        vendors.append(_vendor(site, handle, f"actor-{handle.lower()}", seed, rng, j, handle,
                               handle, j % 4 == 2, onion))
    return vendors


def _format_title(rng: random.Random, lang: str, prods: tuple[Product, ...], qty: float, unit: str) -> str:
    name = rng.choice(prods[0].names[lang])
    title = rng.choice(TITLE_PATTERNS[lang]).format(
        qty=unit_label(unit, qty, lang), name=name, quality=rng.choice(QUALITY[lang]))
    if len(prods) > 1:
        title += BUNDLE[lang].format(name=rng.choice(prods[1].names[lang]))
    return title[:1].upper() + title[1:]


def _listing(site: str, lid: int, rng: random.Random, vendors: list[VendorRec]) -> ListingRec:
    cat = _weighted(rng, list(CAT_WEIGHTS.items()))
    prod = rng.choice(PRODUCTS_BY_CATEGORY[cat])
    prods: tuple[Product, ...] = (prod,)
    if CATEGORIES[[c.key for c in CATEGORIES].index(cat)].drug and rng.random() < 0.1:
        other = rng.choice([p for c in ("cannabis", "ketamine", "mdma") for p in PRODUCTS_BY_CATEGORY[c] if p is not prod])
        prods = (prod, other)
    experts = [v for v in vendors if cat in v.specialties] or vendors
    vendor = rng.choice(experts)
    lang = vendor.lang if rng.random() < 0.8 else rng.choice(SITE_LANGS[site])
    qty = rng.choice(prod.quantities)
    unit_price = rng.uniform(*prod.eur_per_unit)
    eur = round(max(unit_price * qty ** 0.9, 5.0), 2)
    if site == "noordzee":
        price = (eur, "EUR")
        prices: tuple[tuple[float, str], ...] = (price,)
    else:
        usd = round(eur * EUR_USD, 2)
        if rng.random() < 0.25:
            price = (round(usd / XMR_USD, 3), "XMR")
            prices = (price,)
        else:
            price = (usd, "USD")
            prices = (price, (round(usd / BTC_USD, 4 if usd >= BTC_USD / 100 else 6), "BTC"))
    vendor_country = vendor.country
    ships_from = vendor_country if rng.random() < 0.85 else _weighted(rng, FROM_WEIGHTS[site])
    roll = rng.random()
    if roll < 0.3:
        ships_to: tuple[str, ...] = ("Worldwide",)
    elif roll < 0.6:
        ships_to = ("EU",)
    elif roll < 0.8:
        ships_to = (vendor_country,)
    else:
        ships_to = tuple(dict.fromkeys((vendor_country, "Belgium", "Netherlands", "Germany")))[:3]
    desc = rng.choice(DESCRIPTIONS[lang]).format(
        name=prod.names[lang][0], alt=rng.choice(prod.names[lang]),
        qty=unit_label(prod.unit, qty, lang), quality=rng.choice(QUALITY[lang]))
    return ListingRec(
        site=site, id=lid, title=_format_title(rng, lang, prods, qty, prod.unit), vendor=vendor.handle,
        lang=lang, category=cat, products=prods, qty=qty, unit=prod.unit, price=price,
        prices=prices, ships_from=ships_from, ships_to=ships_to, description=desc,
        views=rng.randrange(20, 9000),
    )


def build_market(site: str, seed: int) -> MarketContent:
    """All vendors and listings of ``site`` ("noordzee" or "mercado") for ``seed``."""
    content = MarketContent(site=site, vendors=_vendors(site, seed))
    rng = random.Random(f"{seed}:{site}:listings")
    base = 1000 if site == "noordzee" else 40000
    ids = rng.sample(range(base, base + 900), LISTINGS_PER_MARKET + ARCHIVED_PER_MARKET)
    recs = [_listing(site, lid, rng, content.vendors) for lid in ids]
    content.listings = sorted(recs[:LISTINGS_PER_MARKET], key=lambda r: r.id)
    content.archived = sorted(recs[LISTINGS_PER_MARKET:], key=lambda r: r.id)
    ks = cx.KeyStream(seed, f"mirrors:{site}")
    content.mirrors = [cx.onion_v3(ks) for _ in range(3)]
    return content
