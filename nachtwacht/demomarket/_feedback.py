"""Buyer feedback lines and calendar events, per language (invented)."""

from __future__ import annotations

import random

FEEDBACK = {
    "nl": ("Snel geleverd, goede stealth. Aanrader!", "Kwaliteit top, zelfde als vorige keer.",
           "Duurde 4 dagen maar alles netjes binnen.", "Iets minder dan beloofd, vendor loste het op.",
           "Beste van NL, 10/10.", "Geen reactie op berichten, wel geleverd."),
    "en": ("Fast delivery, great stealth. Recommended!", "Quality as described, will order again.",
           "Took 5 days but arrived safe.", "Slightly under weight, vendor made it right.",
           "A+++ vendor, top product.", "Slow replies but product is fire."),
    "fr": ("Livraison rapide, très discret. Je recommande !", "Qualité au rendez-vous, merci.",
           "Un peu long mais bien reçu.", "Poids un peu juste, le vendeur a compensé."),
    "es": ("Envío rapidísimo, muy discreto. ¡Recomendado!", "Calidad brutal, repetiré.",
           "Tardó una semana pero llegó bien.", "Faltaba un poco, el vendedor lo solucionó."),
}

EVENTS = {
    "nl": ("Onderhoud server", "Nieuwe XTC batch", "Koningsdag actie", "Vendor bond verlaagd",
           "Escrow update", "Weekendkorting"),
    "en": ("Server maintenance", "New vendor onboarding", "Escrow upgrade", "Black Friday sale"),
    "es": ("Mantenimiento", "Nuevos vendedores", "Rebajas de verano", "Actualización del escrow"),
}

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}


def feedback(rng: random.Random, lang: str, count: int) -> list[tuple[int, str, str]]:
    """``count`` (stars, date, text) tuples, deterministic for ``rng``."""
    out = []
    for _ in range(count):
        date = f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        out.append((rng.choice((5, 5, 5, 4, 4, 3, 1)), date, rng.choice(FEEDBACK[lang])))
    return out


def month_events(seed: int, site: str, year: int, month: int, lang: str) -> list[tuple[int, str]]:
    """A few (day, event) pairs for a calendar month; any month, any year, deterministic."""
    rng = random.Random(f"{seed}:{site}:cal:{year}:{month}")
    return sorted((rng.randrange(1, 29), rng.choice(EVENTS[lang])) for _ in range(rng.randrange(1, 5)))
