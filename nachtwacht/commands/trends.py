"""`nachtwacht trends`: counts, vendors and median prices over time by product, market, vendor, country."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from indexer import DIMENSIONS, INTERVALS, get_backend, new_vendors
from indexer import trends as compute_trends
from nachtwacht.app import Nachtwacht

__all__ = ["trends"]

out = Console()


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _table(result: dict[str, Any]) -> Table:
    table = Table(title=f"trends by {result['by']} per {result['interval']} ({result['query']!r})")
    for name in (result["by"], "period", "count", "vendors", "median EUR", "p90 EUR"):
        table.add_column(name, justify="left" if name in (result["by"], "period") else "right")
    for series in result["series"]:
        for i, point in enumerate(series["points"]):
            table.add_row(
                f"{series['key']} ({series['total']})" if i == 0 else "",
                point["period"],
                str(point["count"]),
                str(point["vendors"]),
                _price(point["median_price_eur"]),
                _price(point["p90_price_eur"]),
            )
    return table


def trends(
    query: Annotated[str, typer.Argument(help="filter, e.g. 'ships_from:NL AND seen:>now-90d'")] = "*",
    by: Annotated[str, typer.Option("--by", help=f"one of: {', '.join(sorted(DIMENSIONS))}")] = "product",
    interval: Annotated[str, typer.Option("--interval", help=f"one of: {', '.join(INTERVALS)}")] = "month",
    top: Annotated[int, typer.Option("--top", help="how many values of --by")] = 10,
    kind: Annotated[str, typer.Option(help="listing, post, observation, or any")] = "listing",
    new_vendor_periods: Annotated[bool, typer.Option("--new-vendors", help="vendors first seen per period instead")] = False,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="machine-readable JSON output")] = False,
) -> None:
    """Trends over time: listing counts, distinct vendors, median and p90 prices in EUR."""
    nw = Nachtwacht(data_dir, backend=backend)
    index = get_backend(nw.backend_settings, readonly=True)
    try:
        if new_vendor_periods:
            rows = new_vendors(index, interval=interval, query=query)
            result: dict[str, Any] = {"interval": interval, "query": query, "new_vendors": rows}
        else:
            result = compute_trends(
                index, by=by, interval=interval, query=query, kind=None if kind == "any" else kind, top=top
            )
    finally:
        index.close()
    if json_out:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif new_vendor_periods:
        table = Table(title=f"new vendors per {interval}")
        table.add_column("period")
        table.add_column("new vendors", justify="right")
        for row in result["new_vendors"]:
            table.add_row(row["period"], str(row["count"]))
        out.print(table)
    else:
        out.print(_table(result))
