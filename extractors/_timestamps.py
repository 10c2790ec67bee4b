"""Post timestamps as shown on forums and channels, read to ISO 8601 UTC.

Only timestamp-shaped strings are read (never free prose): ISO 8601 with or without a zone,
``dd-mm-yyyy HH:MM`` (also ``/`` and ``.``; day first unless the first number cannot be a
day-of-month-first reading), ``yyyy/mm/dd HH:MM``, and day/month-name forms in en/nl/fr/es/de
(``2 Feb 2024 06:19``, ``Fri Feb 02, 2024 6:19 am``, ``2 février 2024 à 06:19``). A time
without a zone is taken as UTC (what forums that state a zone say; the caller cannot know
better from one page).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["TIME_RE", "find_times", "has_time", "parse_time"]

_MONTHS = {
    "jan": 1, "janv": 1, "januari": 1, "january": 1, "janvier": 1, "ene": 1, "enero": 1, "januar": 1,
    "feb": 2, "febr": 2, "februari": 2, "february": 2, "fev": 2, "fevr": 2, "février": 2, "févr": 2,
    "fevrier": 2, "febrero": 2, "februar": 2,
    "mar": 3, "mrt": 3, "maart": 3, "march": 3, "mars": 3, "marzo": 3, "märz": 3, "marz": 3,
    "apr": 4, "april": 4, "avr": 4, "avril": 4, "abr": 4, "abril": 4,
    "may": 5, "mei": 5, "mai": 5, "mayo": 5,
    "jun": 6, "june": 6, "juni": 6, "juin": 6, "junio": 6,
    "jul": 7, "july": 7, "juli": 7, "juil": 7, "juillet": 7, "julio": 7,
    "aug": 8, "august": 8, "augustus": 8, "aout": 8, "août": 8, "ago": 8, "agosto": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9, "set": 9,
    "oct": 10, "okt": 10, "october": 10, "oktober": 10, "octobre": 10, "octubre": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
    "dec": 12, "dez": 12, "december": 12, "décembre": 12, "decembre": 12, "déc": 12, "dic": 12,
    "diciembre": 12, "dezember": 12,
}
_MONTH = r"(?P<mon>" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_HM = r"(?P<h>\d{1,2})[:h](?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\s?(?P<ampm>[aApP]\.?[mM]\.?))?"
_AT = r"(?:,?\s*(?:at|om|à|a las|um|-)?\s*)"
_ISO = (r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})[T ](?P<ih>\d{2}):(?P<imi>\d{2})(?::(?P<is>\d{2}))?"
        r"(?:\.\d+)?(?P<iz>Z|[+-]\d{2}:?\d{2})?")
_DMY = r"(?P<d1>\d{1,2})[-/.](?P<d2>\d{1,2})[-/.](?P<dy>\d{4})" + _AT + _HM.replace("?P<", "?P<n_")
_YMD = r"(?P<yy>\d{4})/(?P<ym>\d{1,2})/(?P<yd>\d{1,2})" + _AT + _HM.replace("?P<", "?P<y_")
_DAY_MONTH = (r"(?P<md>\d{1,2})(?:st|nd|rd|th|er)?\s+" + _MONTH + r"\s+(?P<my>\d{4})" + _AT
              + _HM.replace("?P<", "?P<m_"))
_MONTH_DAY = (_MONTH.replace("?P<mon>", "?P<mon2>") + r"\s+(?P<nd>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<ny>\d{4})"
              + _AT + _HM.replace("?P<", "?P<o_"))
TIME_RE = re.compile(rf"(?<![\w:])(?:{_ISO}|{_DMY}|{_YMD}|{_DAY_MONTH}|{_MONTH_DAY})(?![\w:])", re.IGNORECASE)


def _hour(h: str, ampm: str | None) -> int:
    hour = int(h)
    if ampm:
        pm = ampm[0] in "pP"
        hour = hour % 12 + (12 if pm else 0)
    return hour


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int, offset: timedelta | None = None) -> str | None:
    try:
        moment = datetime(y, mo, d, h, mi, s, tzinfo=UTC)
    except ValueError:
        return None
    if offset:
        moment -= offset
    if not 1990 <= moment.year <= 2100:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_match(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if g["iy"]:
        offset = None
        zone = g["iz"]
        if zone and zone != "Z" and zone != "z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return _build(int(g["iy"]), int(g["im"]), int(g["id"]), int(g["ih"]), int(g["imi"]), int(g["is"] or 0), offset)
    if g["dy"]:
        a, b = int(g["d1"]), int(g["d2"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        return _build(int(g["dy"]), month, day, _hour(g["n_h"], g["n_ampm"]), int(g["n_mi"]), int(g["n_s"] or 0))
    if g["yy"]:
        return _build(int(g["yy"]), int(g["ym"]), int(g["yd"]), _hour(g["y_h"], g["y_ampm"]), int(g["y_mi"]),
                      int(g["y_s"] or 0))
    if g["my"]:
        month = _MONTHS[g["mon"].casefold()]
        return _build(int(g["my"]), month, int(g["md"]), _hour(g["m_h"], g["m_ampm"]), int(g["m_mi"]),
                      int(g["m_s"] or 0))
    month = _MONTHS[g["mon2"].casefold()]
    return _build(int(g["ny"]), month, int(g["nd"]), _hour(g["o_h"], g["o_ampm"]), int(g["o_mi"]), int(g["o_s"] or 0))


# every TIME_RE form holds hours and minutes: a digit, ':' or 'h' (any case), two digits. This plain
# scan is many times faster than TIME_RE's alternation on text without timestamps (most text).
_HOUR_MINUTE = re.compile(r"\d[:hH]\d\d")


def has_time(text: str) -> bool:
    """``bool(TIME_RE.search(text))``, quick when the text holds no ``h:mm``."""
    return _HOUR_MINUTE.search(text) is not None and TIME_RE.search(text) is not None


def find_times(text: str) -> list[tuple[int, int, str]]:
    """Every readable timestamp in ``text``: (start, end, ISO UTC ``YYYY-MM-DDTHH:MM:SSZ``)."""
    out = []
    if _HOUR_MINUTE.search(text) is None:
        return out
    for m in TIME_RE.finditer(text):
        iso = _from_match(m)
        if iso:
            out.append((m.start(), m.end(), iso))
    return out


def parse_time(text: str) -> str:
    """The first timestamp of ``text`` as ISO UTC, ``""`` when there is none."""
    found = find_times(text)
    return found[0][2] if found else ""
