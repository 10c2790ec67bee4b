"""Field labels of market pages in en/nl/fr/es/de and how to read the value beside them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors._html import Line

__all__ = ["LABELS", "LabelHit", "find_labelled", "is_label_line"]

LABELS: dict[str, tuple[str, ...]] = {
    "vendor": ("sold by", "vendor", "seller", "vendeur", "vendu par", "verkoper", "verkocht door",
               "vendedor", "vendido por", "verkäufer", "verkauft von", "merchant", "shop owner",
               "posted by", "listed by", "aangeboden door", "proposé par", "ofrecido por"),
    "ships_from": ("ships from", "ship from", "shipping from", "shipped from", "origin country",
                   "country of origin", "origin", "sends from", "verzonden vanuit", "verzonden uit",
                   "verzending vanuit", "verstuurd vanuit", "land van herkunft", "expédié de",
                   "expédié depuis", "expédition depuis", "envío desde", "enviado desde",
                   "envíos desde", "país de origen", "versand aus", "versand von", "herkunftsland"),
    "ships_to": ("ships to", "ship to", "shipping to", "ships worldwide to", "destination",
                 "destinations", "verzonden naar", "verzendt naar", "levering naar", "levert aan",
                 "expédié vers", "expédie vers", "expédition vers", "livraison vers", "livraison en", "livraison à", "livraison", "envío a",
                 "envíos a", "se envía a", "enviamos a", "versand nach", "lieferung nach"),
    "price": ("sale price", "purchase price", "buy price", "price", "prijs", "prix", "precio",
              "preis", "kosten", "cost", "tarif"),
    "category": ("category", "categorie", "catégorie", "categoría", "kategorie", "categorieën"),
    "title": ("product", "title", "titel", "titre", "título", "listing", "item"),
}

_ALL = sorted({(f, lab) for f, labs in LABELS.items() for lab in labs}, key=lambda x: -len(x[1]))
_LABEL_RE = {
    field: re.compile(
        r"^\W{0,3}(?:" + "|".join(re.escape(lab) for lab in sorted(labs, key=len, reverse=True))
        + r")(?![\w])\s*(?:\(s\))?\s*(?P<sep>[:：=\-–»>]|\s)?\s*(?P<value>.*)$",
        re.IGNORECASE,
    )
    for field, labs in LABELS.items()
}
_ANY_LABEL_RE = re.compile(r"^[\w .'/&()-]{1,30}\s?[:：]\s*$")


@dataclass(frozen=True, slots=True)
class LabelHit:
    field: str
    value: str
    index: int  # line index of the value
    label_index: int
    inline: bool  # value on the label's own line


def is_label_line(line: Line) -> bool:
    """A line that is only a label (``Ships To:``), whatever the field."""
    return bool(_ANY_LABEL_RE.match(line.text))


def find_labelled(lines: list[Line], field: str, start: int = 0, end: int | None = None) -> list[LabelHit]:
    """Every ``label value`` of ``field`` in ``lines[start:end]``: value on the same line after
    the label, or on the next line when the label stands alone (table cells, ``<b>Label:</b>``)."""
    regex = _LABEL_RE[field]
    stop = len(lines) if end is None else min(end, len(lines))
    hits: list[LabelHit] = []
    for i in range(start, stop):
        text = lines[i].text
        if len(text) > 300:
            continue
        m = regex.match(text)
        if not m:
            continue
        value, sep = m.group("value").strip(), m.group("sep")
        if value and ((sep and sep.strip()) or (field == "vendor" and text.lower().startswith("sold by"))):
            hits.append(LabelHit(field, value, i, i, True))
        elif not value and i + 1 < stop:
            nxt = lines[i + 1]
            if not is_label_line(nxt) and len(nxt.text) < 300 and not _LABEL_RE[field].match(nxt.text):
                hits.append(LabelHit(field, nxt.text.strip(), i + 1, i, False))
    return hits
