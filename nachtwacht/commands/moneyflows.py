"""`nachtwacht moneyflows wallets|shared|mules|export`: wallet timelines, shared wallets, money-mule
leads, and TagPack/CSV exports with TLP (issue 12)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nachtwacht.app import Nachtwacht
from nachtwacht.moneyflows import MoneyFlows, collect, write_export

__all__ = ["moneyflows_app"]

moneyflows_app = typer.Typer(help="Money flows: wallet timelines per vendor and market, shared wallets, "
                                  "money-mule recruitment, TagPack/CSV export.", no_args_is_help=True)
out = Console()
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
Backend = Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")]
Query = Annotated[str, typer.Option("--query", help="only documents matching this query")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


def _flows(data_dir: Path | None, backend: str | None, query: str) -> MoneyFlows:
    return collect(Nachtwacht(data_dir, backend=backend), query)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@moneyflows_app.command("wallets")
def wallets(
    vendor: Annotated[str | None, typer.Option(help="one vendor (normalised id or handle)")] = None,
    query: Query = "*", data_dir: DataDir = None, backend: Backend = None, json_out: JsonFlag = False,
) -> None:
    """Wallet timeline: each address per vendor and market, first and last seen, evidence."""
    flows = _flows(data_dir, backend, query)
    if vendor:
        wanted = "".join(ch for ch in vendor.casefold() if ch.isalnum())
        rows = flows.timeline(wanted)
    else:
        rows = sorted(flows.sightings, key=lambda s: (s.vendor_id, s.first_seen, s.site))
    if json_out:
        _emit({"sightings": [s.to_dict() for s in rows], "invalid_wallets": flows.invalid_wallets})
        return
    table = Table(title=f"wallet timeline ({len(rows)} sightings)")
    for col in ("vendor", "market", "chain", "address", "first seen", "last seen", "docs"):
        table.add_column(col)
    for s in rows:
        table.add_row(s.vendor_id, s.site, s.chain, s.address, s.first_seen[:19], s.last_seen[:19], str(s.documents))
    out.print(table)


@moneyflows_app.command("shared")
def shared(query: Query = "*", data_dir: DataDir = None, backend: Backend = None, json_out: JsonFlag = False) -> None:
    """Addresses used by several vendors, or by one vendor on several markets (a strong link)."""
    flows = _flows(data_dir, backend, query)
    if json_out:
        _emit({"shared": [s.to_dict() for s in flows.shared]})
        return
    table = Table(title=f"shared wallets ({len(flows.shared)})")
    for col in ("address", "chain", "vendors", "markets", "first seen", "last seen"):
        table.add_column(col)
    for s in flows.shared:
        table.add_row(s.address, s.chain, ", ".join(s.vendors), ", ".join(s.sites), s.first_seen[:19], s.last_seen[:19])
    out.print(table)


@moneyflows_app.command("mules")
def mules(query: Query = "*", data_dir: DataDir = None, backend: Backend = None, json_out: JsonFlag = False) -> None:
    """Money-mule recruitment posts (accounts, cards, cash-outs) and the vendors they tie to."""
    flows = _flows(data_dir, backend, query)
    if json_out:
        _emit({"mules": [m.to_dict() for m in flows.mules]})
        return
    table = Table(title=f"money-mule recruitment ({len(flows.mules)} posts)")
    for col in ("posted", "site", "author", "score", "cues", "tied to"):
        table.add_column(col)
    for m in flows.mules:
        tied = ", ".join(f"{t['vendor_id']} ({t['reason']})" for t in m.tied_to) or "-"
        table.add_row(m.posted_at[:16], m.site, m.author, f"{m.score:.2f}", ", ".join(m.cues), tied)
    out.print(table)


@moneyflows_app.command("export")
def export(
    out_file: Annotated[Path, typer.Option("--out", help="file to write")],
    tlp: Annotated[str, typer.Option(help="TLP: clear, green, amber, amber+strict, red")],
    fmt: Annotated[str, typer.Option("--format", help="tagpack (GraphSense YAML) or csv")] = "tagpack",
    creator: Annotated[str, typer.Option(help="TagPack creator (your unit)")] = "Nachtwacht",
    query: Query = "*", data_dir: DataDir = None, backend: Backend = None, json_out: JsonFlag = False,
) -> None:
    """Export wallet attributions (address, chain, label, vendor, market, first/last seen, evidence)."""
    count = write_export(_flows(data_dir, backend, query), out_file, fmt=fmt, tlp=tlp, creator=creator)
    if json_out:
        _emit({"format": fmt, "tlp": tlp, "attributions": count, "path": str(out_file)})
    else:
        out.print(f"{fmt} ({tlp.upper()}): {count} wallet attributions -> {out_file}")
