"""Speech-act features for the recruitment model, beside its n-grams.

Offers and warnings share their words ("easy money", "runner", "cash per day"); what differs is
the act: an offer names pay, a role and a way to get in touch, a warning negates or tells what
happens next (arrest, prison), a reply asks a question or speaks for the writer. Each feature is
a small count over ``normalise``d text (or the raw text for question marks), scaled to 0..1.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from extractors._recruit_text import normalise

if TYPE_CHECKING:
    import scipy.sparse

__all__ = ["FEATURE_NAMES", "act_evidence", "act_features"]


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(normalise(p)) for p in phrases) + r")(?!\w)")


_PAY = re.compile(r"(?<!\w)\d+(?:[.,]\d+)?\s?(?:k|euro|euros|eur|e|balles|pavos|quid)?\s?(?:per|par|a|al|la|le|p|/)\s?"
                  r"(?:dag|nacht|rit|week|uur|jour|nuit|journee|semaine|trajet|dia|noche|viaje|semana|day|night|"
                  r"run|trip|shift|dienst|container|klus|n)\b|(?<!\w)\d+\s?k\b|(?<!\w)\d{3,6}\s?(?:euro|euros|eur|e)?\s?"
                  r"(?:cash|contant|en mano|direct|direct)\b")
_CONTACT = _words("snap", "snapchat", "telegram", "tg", "signal", "wickr", "threema", "session", "dm", "pm", "hmu",
                  "app me", "appen", "stuur een bericht", "ecris", "ecris-moi", "en prive", "escribe", "escribidme",
                  "mandame", "por privado", "hit me up", "text me", "inbox", "mp")
_OFFER = _words("gezocht", "zoeken", "zoek", "nodig", "wie wil", "wie heeft zin", "recrute", "recrutons", "on cherche",
                "cherche", "besoin de", "qui veut", "se busca", "se buscan", "busco", "buscamos", "necesito",
                "necesitamos", "quien quiera", "wanted", "needed", "hiring", "looking for", "need", "who wants",
                "anyone wanna", "plekken", "plek", "places", "postes", "plazas", "spots", "we train", "on forme",
                "wij leren", "paid", "betaald", "betaalt", "betalen", "paye", "payons", "pays", "paga", "pagamos", "pago",
                "cobras", "verdien", "verdienen")
_AGAINST = _words("niet doen", "doe het niet", "trap er niet in", "blijf weg", "don't", "dont", "do not", "never",
                  "nooit", "faites pas", "fais pas", "ne tombez pas", "pas la peine", "no lo hagais", "no lo hagas",
                  "nunca", "trap", "piege", "trampa", "gepakt", "opgepakt", "caught", "arrested", "jail", "prison",
                  "cel", "bak", "calabozo", "carcel", "garde a vue", "depot", "vast", "celda", "veroordeeld",
                  "condamne", "condenado", "jailed", "sentenced", "interpelle", "detenido", "aangehouden", "politie",
                  "police", "policia", "waarschuwt", "alerte", "alerta", "warn", "warns", "melden", "signalez",
                  "denunciad", "report", "not worth", "niet waard", "pas la peine", "no vale", "refuse", "refused",
                  "said no", "nee gezegd", "dije que no", "no thanks", "nee bedankt", "non merci", "no gracias")
_SELF = _words("ik ben", "ik zit", "je suis", "j'ai", "i'm", "im", "i am", "soy", "tengo", "sigo", "interested",
               "geinteresseerd", "interesse", "interesse", "me interesa", "mijn", "mon", "ma", "my", "mi", "kan ik",
               "can i", "puedo", "je peux")
_NEWS = _words("rechtbank", "tribunal", "court", "rechter", "juez", "juge", "onderzoek", "study", "etude", "estudio",
               "campagne", "campaign", "campana", "hulplijn", "helpline", "numero vert", "telefono de ayuda",
               "reportage", "documentaire", "documentary", "article", "artikel", "news", "nieuws", "noticia")

_LEGIT = re.compile(r"(?<!\w)(?:per uur|p/u|uurloon|de l'?heure|l'?heure|la hora|por hora|an hour|per hour|hourly|"
                    r"loonstrook|contract|cao|vog|cdi|cdd|contrat|contrato|payslip|sollicit\w*|cv|curriculum|"
                    r"apply|postuler|postulez|interim|uitzendbureau|agency|werkgever|employeur|empresa|"
                    r"verzekering|assurance|seguro|insurance|alta)(?!\w)")
_SALE = _words("te koop", "verkoop", "verkopen", "vends", "vend", "vente", "dispo", "vendo", "se vende", "selling",
               "for sale", "menu", "per gram", "per g", "p g", "le g", "le gramme", "el gramo", "a gram", "each",
               "per stuk", "minimum", "minimo", "minimaal", "levering", "livraison", "entrega", "delivery", "shipping",
               "envio", "verzending", "ophalen", "recogida", "pickup")

FEATURE_NAMES = ("pay", "contact", "offer", "against", "self", "news", "question", "short", "legit", "sale")


def _one(text: str) -> list[float]:
    norm = normalise(text)
    words = len(norm.split())
    return [
        min(len(_PAY.findall(norm)), 2) / 2,
        min(len(_CONTACT.findall(norm)), 2) / 2,
        min(len(_OFFER.findall(norm)), 3) / 3,
        min(len(_AGAINST.findall(norm)), 3) / 3,
        min(len(_SELF.findall(norm)), 2) / 2,
        min(len(_NEWS.findall(norm)), 2) / 2,
        min(text.count("?") + text.count("¿"), 2) / 2,
        1.0 / (1.0 + math.log1p(words)),
        min(len(_LEGIT.findall(norm)), 2) / 2,
        min(len(_SALE.findall(norm)), 3) / 3,
    ]


def act_features(texts: list[str]) -> scipy.sparse.csr_matrix:
    """One row of ``FEATURE_NAMES`` per text (module-level so the model file can pickle it)."""
    import numpy as np  # with scipy, only when the model runs: importing extractors stays light
    import scipy.sparse

    return scipy.sparse.csr_matrix(np.array([_one(t) for t in texts], dtype=np.float64).reshape(len(texts), -1))


def act_evidence(norm: str) -> list[tuple[str, str]]:
    """(rule, phrase) of the offer, pay and contact phrases in normalised text: why an offer reads as one."""
    out = []
    for rule, regex in (("act:offer", _OFFER), ("act:pay", _PAY), ("act:contact", _CONTACT)):
        out += [(rule, m.group(0).strip()) for m in regex.finditer(norm)][:3]
    return out
