"""Templates (Jinja2, autoescaped), snippets with highlighted terms, chart data for uPlot."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

__all__ = ["ENV", "chart_json", "highlight", "month_ts", "price", "query_terms"]

TEMPLATES = Path(__file__).parent / "templates"
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_TERM = re.compile(r'"([^"]+)"|([^\s()"]+)')


def query_terms(query: str) -> list[str]:
    """Free-text words and phrases of an analyst query (fielded clauses and operators dropped)."""
    terms = []
    for match in _TERM.finditer(query or ""):
        phrase, word = match.groups()
        text = phrase or word
        if not text or text in _OPERATORS or (word and ":" in word) or text in ("*", "-", "+"):
            continue
        text = text.lstrip("+-!").rstrip("*?")
        if len(text) >= 2:
            terms.append(text)
    return terms


def highlight(text: str, query: str, *, width: int = 220) -> Markup:
    """An escaped snippet of `text` around the first query term, each term wrapped in <mark>."""
    text = " ".join((text or "").split())
    terms = query_terms(query)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)),
                         re.IGNORECASE) if terms else None
    start = 0
    if pattern and (first := pattern.search(text)):
        start = max(0, first.start() - width // 3)
    snippet = text[start:start + width]
    prefix, suffix = ("… " if start else ""), (" …" if start + width < len(text) else "")
    if not pattern:
        return Markup(escape(prefix + snippet + suffix))
    out, last = [], 0
    for m in pattern.finditer(snippet):
        out.append(escape(snippet[last:m.start()]))
        out.append(Markup("<mark>") + escape(m.group(0)) + Markup("</mark>"))
        last = m.end()
    out.append(escape(snippet[last:]))
    return Markup(escape(prefix) + Markup("").join(out) + escape(suffix))


def price(value: dict[str, Any] | None) -> str:
    if not value or not isinstance(value.get("amount"), int | float):
        return ""
    return f"{value['amount']:,.2f} {value.get('currency', '')}".strip()


def month_ts(month: str) -> int:
    """'2026-03' -> epoch seconds of its first day (uPlot's x values)."""
    return int(datetime.strptime(month[:7], "%Y-%m").replace(tzinfo=UTC).timestamp())


def iso_ts(value: str) -> int | None:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def _finite(value: Any) -> Any:
    """NaN and infinities (no data) become null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def chart_json(chart: dict[str, Any]) -> Markup:
    """Chart data for a <script type="application/json"> block ("</" cannot end the block)."""
    text = json.dumps(_finite(chart), ensure_ascii=False, default=str, allow_nan=False).replace("</", "<\\/")
    return Markup(text)


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(highlight=highlight, price=price, chart_json=chart_json)
