"""Market vocabulary: categories, products with street names per language, countries, rates.

All names here are invented or generic; nothing is copied from real market pages.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("nl", "en", "fr", "es")

# Fixed exchange rates of the demo world (documented in the ground truth).
EUR_USD = 1.08
BTC_USD = 64250.0
XMR_USD = 162.0


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    labels: dict[str, str]  # lang -> label shown
    drug: bool = True


CATEGORIES: tuple[Category, ...] = (
    Category("cannabis", {"nl": "Wiet & Hasj", "en": "Cannabis", "fr": "Cannabis", "es": "Cannabis"}),
    Category("cocaine", {"nl": "Cocaïne", "en": "Cocaine", "fr": "Cocaïne", "es": "Cocaína"}),
    Category("mdma", {"nl": "XTC & MDMA", "en": "MDMA / Ecstasy", "fr": "MDMA / Ecstasy", "es": "MDMA / Éxtasis"}),
    Category("amphetamine", {"nl": "Speed & Amfetamine", "en": "Speed / Amphetamine", "fr": "Speed / Amphétamine", "es": "Speed / Anfetamina"}),
    Category("ketamine", {"nl": "Ketamine", "en": "Ketamine", "fr": "Kétamine", "es": "Ketamina"}),
    Category("opioids", {"nl": "Opiaten", "en": "Opioids", "fr": "Opioïdes", "es": "Opioides"}),
    Category("benzos", {"nl": "Benzo's", "en": "Benzodiazepines", "fr": "Benzodiazépines", "es": "Benzodiacepinas"}),
    Category("documents", {"nl": "Valse documenten", "en": "Fake documents", "fr": "Faux papiers", "es": "Documentos falsos"}, drug=False),
    Category("carded", {"nl": "Carding", "en": "Carded items", "fr": "Carding", "es": "Tarjetas"}, drug=False),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}
DRUGS_LABEL = {"nl": "Drugs", "en": "Drugs", "fr": "Drogues", "es": "Drogas"}
FRAUD_LABEL = {"nl": "Fraude", "en": "Fraud", "fr": "Fraude", "es": "Fraude"}


@dataclass(frozen=True, slots=True)
class Product:
    """A product type: canonical ``name`` and street names per language (titles use them)."""

    name: str
    category: str
    names: dict[str, tuple[str, ...]]
    unit: str  # "g", "pill", "pcs"
    eur_per_unit: tuple[float, float]
    quantities: tuple[float, ...]


_G = (1, 2, 3.5, 5, 7, 10, 14, 28, 50, 100)
_PILLS = (10, 20, 25, 50, 100, 250, 500)

PRODUCTS: tuple[Product, ...] = (
    Product("cannabis flower", "cannabis", {
        "nl": ("wiet", "Amnesia Haze wiet", "Nederwiet", "skunk", "Lemon Haze toppen"),
        "en": ("weed", "Amnesia Haze", "White Widow buds", "OG Kush", "Cali weed"),
        "fr": ("beuh", "weed Amnesia", "beuh Cali", "herbe", "Gelato beuh"),
        "es": ("maría", "hierba", "cogollos OG Kush", "marihuana", "weed Amnesia"),
    }, "g", (7.0, 12.0), _G),
    Product("hashish", "cannabis", {
        "nl": ("hasj", "Marokkaanse hasj", "Afghaanse hasj", "Polm"),
        "en": ("hash", "Moroccan hash", "Afghan black hash", "Double Zero hash"),
        "fr": ("shit", "résine", "jaune marocain", "shit Ketama"),
        "es": ("hachís", "chocolate", "polen", "hachís marroquí"),
    }, "g", (5.0, 11.0), _G),
    Product("cocaine", "cocaine", {
        "nl": ("coke", "Colombiaanse coke", "cocaïne", "sneeuw", "flake"),
        "en": ("cocaine", "Colombian coke", "fishscale flake", "Peruvian cocaine", "charlie"),
        "fr": ("cocaïne", "C colombienne", "blanche", "coke péruvienne", "CC pure"),
        "es": ("perico", "cocaína colombiana", "farlopa", "coca boliviana", "escama de pescado"),
    }, "g", (45.0, 80.0), _G[:8]),
    Product("MDMA", "mdma", {
        "nl": ("MDMA kristallen", "MD", "MDMA champagne"),
        "en": ("MDMA crystals", "molly", "champagne MDMA"),
        "fr": ("MDMA cristaux", "MD", "taz cristal"),
        "es": ("MDMA cristal", "MD", "cristal MDMA"),
    }, "g", (18.0, 35.0), _G[:8]),
    Product("ecstasy", "mdma", {
        "nl": ("XTC pillen", "pillen", "Blue Punisher XTC", "Tesla pillen", "xtc"),
        "en": ("ecstasy pills", "XTC pills", "Blue Punisher", "Tesla pills"),
        "fr": ("ecsta", "taz", "pastis", "cachets Tesla"),
        "es": ("pastillas", "pastis", "rulas", "éxtasis Blue Punisher"),
    }, "pill", (1.8, 5.0), _PILLS),
    Product("amphetamine", "amphetamine", {
        "nl": ("speed", "amfetamine pasta", "pep", "speed pasta"),
        "en": ("speed paste", "amphetamine sulphate", "amph", "pink speed"),
        "fr": ("speed", "amphét", "speed pâte"),
        "es": ("speed", "anfeta", "pasta de speed", "anfetamina"),
    }, "g", (6.0, 15.0), _G),
    Product("ketamine", "ketamine", {
        "nl": ("keta", "ketamine", "naaldjes keta", "K"),
        "en": ("ketamine", "special K", "ket shards", "needle point ketamine"),
        "fr": ("kéta", "kétamine", "ké aiguilles"),
        "es": ("keta", "ketamina", "keta cristal"),
    }, "g", (22.0, 38.0), _G[:8]),
    Product("heroin", "opioids", {
        "nl": ("heroïne", "bruin", "H"),
        "en": ("heroin", "brown", "No.4 heroin"),
        "fr": ("héroïne", "brune", "héro"),
        "es": ("heroína", "caballo", "marrón"),
    }, "g", (35.0, 65.0), _G[:6]),
    Product("oxycodone", "opioids", {
        "nl": ("oxycodon", "OxyContin 80mg", "oxy's"),
        "en": ("oxycodone 30mg", "roxies", "OxyContin OC80", "oxy"),
        "fr": ("oxycodone", "oxy 40mg"),
        "es": ("oxicodona", "oxy 80mg"),
    }, "pill", (12.0, 30.0), _PILLS[:4]),
    Product("alprazolam", "benzos", {
        "nl": ("xanax", "alprazolam 2mg", "xanax bars"),
        "en": ("xanax bars", "alprazolam 2mg", "xannies"),
        "fr": ("xanax", "alprazolam", "barres xanax"),
        "es": ("xanax", "alprazolam 2mg", "trankimazin"),
    }, "pill", (1.5, 4.0), _PILLS),
    Product("diazepam", "benzos", {
        "nl": ("valium", "diazepam 10mg"),
        "en": ("valium 10mg", "diazepam", "blues"),
        "fr": ("valium", "diazépam 10mg"),
        "es": ("valium", "diazepam 10mg"),
    }, "pill", (0.8, 2.5), _PILLS),
    Product("passport", "documents", {
        "nl": ("paspoort", "NL paspoort scan + echt"),
        "en": ("EU passport", "passport (real template)"),
        "fr": ("passeport", "passeport FR"),
        "es": ("pasaporte", "pasaporte ES"),
    }, "pcs", (450.0, 1800.0), (1,)),
    Product("identity card", "documents", {
        "nl": ("ID-kaart", "Belgische eID"),
        "en": ("ID card", "EU ID card"),
        "fr": ("carte d'identité", "CNI"),
        "es": ("DNI", "DNI español"),
    }, "pcs", (250.0, 900.0), (1,)),
    Product("driving licence", "documents", {
        "nl": ("rijbewijs", "rijbewijs B"),
        "en": ("driving licence", "driver's license"),
        "fr": ("permis de conduire", "permis B"),
        "es": ("carnet de conducir", "carné B"),
    }, "pcs", (200.0, 700.0), (1,)),
    Product("credit card data", "carded", {
        "nl": ("CC's met saldo", "creditcards fullz"),
        "en": ("CC fullz", "credit card dumps", "cvv"),
        "fr": ("CB avec solde", "fullz CB"),
        "es": ("tarjetas con saldo", "CC fullz"),
    }, "pcs", (15.0, 60.0), (1, 5, 10, 25)),
)
PRODUCTS_BY_CATEGORY: dict[str, tuple[Product, ...]] = {
    c.key: tuple(p for p in PRODUCTS if p.category == c.key) for c in CATEGORIES
}

QUALITY = {
    "nl": ("top kwaliteit", "90% puur", "ongeknipt", "A+++", "direct uit de haven", "beste van NL", "stealth"),
    "en": ("uncut", "premium", "lab tested", "stealth shipping", "best in EU", "A+++", "fast delivery"),
    "fr": ("qualité premium", "pure", "livraison discrète", "top qualité", "envoi rapide"),
    "es": ("calidad premium", "sin cortar", "envío discreto", "pureza 90%", "la mejor"),
}

COUNTRIES: dict[str, dict[str, str]] = {
    "Netherlands": {"nl": "Nederland", "en": "Netherlands", "fr": "Pays-Bas", "es": "Países Bajos"},
    "Belgium": {"nl": "België", "en": "Belgium", "fr": "Belgique", "es": "Bélgica"},
    "Germany": {"nl": "Duitsland", "en": "Germany", "fr": "Allemagne", "es": "Alemania"},
    "Spain": {"nl": "Spanje", "en": "Spain", "fr": "Espagne", "es": "España"},
    "France": {"nl": "Frankrijk", "en": "France", "fr": "France", "es": "Francia"},
    "United Kingdom": {"nl": "Verenigd Koninkrijk", "en": "United Kingdom", "fr": "Royaume-Uni", "es": "Reino Unido"},
    "Poland": {"nl": "Polen", "en": "Poland", "fr": "Pologne", "es": "Polonia"},
    "Colombia": {"nl": "Colombia", "en": "Colombia", "fr": "Colombie", "es": "Colombia"},
    "Italy": {"nl": "Italië", "en": "Italy", "fr": "Italie", "es": "Italia"},
}
# Regions are shown as written on real markets, whatever the UI language.
REGIONS = ("Worldwide", "EU")


def country_label(name: str, lang: str) -> str:
    """Shown name of a country or region in ``lang``."""
    return COUNTRIES[name][lang] if name in COUNTRIES else name


def unit_label(unit: str, qty: float, lang: str) -> str:
    """Quantity as a seller writes it: ``5 gram``, ``3,5g``, ``50 pillen``, ``1 pc``."""
    num = f"{qty:g}"
    if lang != "en":
        num = num.replace(".", ",")
    if unit == "g":
        word = {"nl": " gram", "en": "g", "fr": "g", "es": " gramo" if qty == 1 else " gramos"}[lang]
        return f"{num}{word}"
    if unit == "pill":
        word = {"nl": "pillen", "en": "pills", "fr": "cachets", "es": "pastillas"}[lang]
        return f"{num} {word}"
    word = {"nl": "stuk", "en": "pc" if qty == 1 else "pcs", "fr": "pièce", "es": "unidad"}[lang]
    if qty != 1:
        word = {"nl": "stuks", "en": "pcs", "fr": "pièces", "es": "unidades"}[lang]
    return f"{num} {word}"
