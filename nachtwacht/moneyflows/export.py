"""Wallet attributions for blockchain analytics: a GraphSense TagPack (YAML) and plain CSV.

Both carry the analyst's TLP (2.0): the TagPack in its title, description and every tag's
``context``; the CSV in a ``tlp`` column of every row. One attribution per (address, vendor,
market) sighting, with first/last seen and the evidence reference of the first sighting.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from nachtwacht.moneyflows.exceptions import ExportFormatError, NothingToExport
from nachtwacht.moneyflows.flows import MoneyFlows, Sighting

__all__ = ["CSV_COLUMNS", "TLP_LEVELS", "Attribution", "attributions", "read_csv", "render_export", "to_csv",
           "to_tagpack", "write_export"]

#: TLP 2.0 levels ("white" is read as "clear").
TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
#: chain (as extractors name it) -> TagPack currency/network code
_CURRENCY = {"btc": "BTC", "ltc": "LTC", "eth": "ETH", "xmr": "XMR", "trx": "TRX", "doge": "DOGE",
             "dash": "DASH", "zec": "ZEC", "bch": "BCH"}


@dataclass(frozen=True, slots=True)
class Attribution:
    """One exported row: an address attributed to a vendor (or post author) on a market."""

    address: str
    chain: str
    label: str
    vendor: str
    market: str
    first_seen: str
    last_seen: str
    evidence: str
    tlp: str


CSV_COLUMNS = tuple(f.name for f in fields(Attribution))


def check_tlp(tlp: str) -> str:
    """Normalised TLP level; raises ExportFormatError for anything else."""
    level = tlp.strip().lower().removeprefix("tlp:")
    level = "clear" if level == "white" else level
    if level not in TLP_LEVELS:
        raise ExportFormatError(f"TLP must be one of {', '.join(TLP_LEVELS)}, got {tlp!r}")
    return level


def _label(s: Sighting) -> str:
    who = "forum/channel author" if s.role == "author" else "dark-web vendor"
    return f"{who} {s.vendor_id} on {s.site}"


def attributions(flows: MoneyFlows, tlp: str) -> list[Attribution]:
    """Rows for every sighting of a chain we can name. Raises NothingToExport when empty."""
    level = check_tlp(tlp)
    rows = [Attribution(s.address, s.chain, _label(s), s.vendor_id, s.site, s.first_seen, s.last_seen,
                        s.evidence, level)
            for s in flows.sightings if s.chain in _CURRENCY]
    if not rows:
        raise NothingToExport("no valid wallet attribution in the selection")
    return rows


def to_csv(rows: list[Attribution]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: getattr(row, c) for c in CSV_COLUMNS})
    return buf.getvalue()


def read_csv(text: str) -> list[Attribution]:
    """Rows of a CSV written by ``to_csv``; raises ExportFormatError on other columns."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise ExportFormatError(f"CSV columns must be {', '.join(CSV_COLUMNS)}, got {reader.fieldnames}")
    return [Attribution(**{c: row[c] for c in CSV_COLUMNS}) for row in reader]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def to_tagpack(rows: list[Attribution], *, creator: str = "Nachtwacht", description: str = "") -> dict[str, Any]:
    """The TagPack document (dump it with ``yaml.safe_dump``): header, then one tag per row."""
    tlp = rows[0].tlp if rows else "amber"
    marking = f"TLP:{tlp.upper()}"
    tags = []
    for row in rows:
        tag: dict[str, Any] = {
            "label": row.label,
            "address": row.address,
            "currency": _CURRENCY[row.chain],
            "network": _CURRENCY[row.chain],
            "source": row.evidence.split("@sha256:")[0] or "nachtwacht",
            "context": json.dumps({"tlp": tlp, "vendor": row.vendor, "market": row.market,
                                   "first_seen": row.first_seen, "last_seen": row.last_seen,
                                   "evidence": row.evidence}, ensure_ascii=False),
        }
        lastmod = _day(row.last_seen)
        if lastmod is not None:
            tag["lastmod"] = lastmod
        tags.append(tag)
    return {
        "title": f"Nachtwacht wallet attributions ({marking})",
        "creator": creator,
        "description": f"{marking}. Addresses seen with dark-web market vendors and forum posters, "
                       f"collected by Nachtwacht. {description}".strip(),
        "confidence": "web_crawl",
        "tag_type": "mention",
        "concepts": ["dark_web"],
        "tags": tags,
    }


def render_export(flows: MoneyFlows, *, fmt: str, tlp: str, creator: str = "Nachtwacht") -> tuple[str, int]:
    """``flows`` as ``fmt`` (tagpack|csv) text and its number of attributions.

    Raises ExportFormatError (format or TLP) and NothingToExport (no valid attribution).
    """
    if fmt not in ("csv", "tagpack"):
        raise ExportFormatError(f"format must be tagpack or csv, got {fmt!r}")
    rows = attributions(flows, tlp)
    if fmt == "csv":
        return to_csv(rows), len(rows)
    return yaml.safe_dump(to_tagpack(rows, creator=creator), sort_keys=False, allow_unicode=True), len(rows)


def write_export(flows: MoneyFlows, out: Path, *, fmt: str, tlp: str, creator: str = "Nachtwacht") -> int:
    """Write ``flows`` as ``fmt`` (tagpack|csv) to ``out``; returns the number of attributions."""
    text, count = render_export(flows, fmt=fmt, tlp=tlp, creator=creator)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return count
