"""`nachtwacht exchange export|import`: MISP / STIX 2.1 out, partner watch lists in (issue 11)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from nachtwacht import settings as app_settings
from nachtwacht.exchange import export_selection, import_partner

__all__ = ["exchange_app"]

exchange_app = typer.Typer(help="Share with partners: MISP events and STIX 2.1 bundles out, watch lists in.",
                           no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


@exchange_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="file to write (JSON)")],
    tlp: Annotated[str, typer.Option(help="TLP chosen by the analyst: clear, green, amber, amber+strict, red")],
    fmt: Annotated[str, typer.Option("--format", help="misp or stix")] = "misp",
    query: Annotated[str | None, typer.Option(help="documents matching this query")] = None,
    vendor: Annotated[str | None, typer.Option(help="one vendor: its listings and profile")] = None,
    case: Annotated[str | None, typer.Option(help="everything captured under this case")] = None,
    org: Annotated[str, typer.Option(help="producer name in STIX (identity)")] = "Nachtwacht",
    data_dir: DataDir = None,
    backend: Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Export a selection (query, vendor or case) as a MISP event or a STIX 2.1 bundle."""
    data = app_settings.data_dir(data_dir)
    result = export_selection(data, app_settings.backend_settings(data, backend), fmt=fmt, tlp=tlp, out=out,
                              query=query, vendor=vendor, case=case, actor=f"cli:{getpass.getuser()}", org=org)
    if json_out:
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    else:
        Console().print(f"{result.format.upper()} ({result.tlp.upper()}): {result.objects} objects from "
                        f"{result.documents} documents, {result.vendors} vendor(s) -> {result.path}")


@exchange_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="a partner's MISP event JSON or STIX 2.1 bundle")],
    name: Annotated[str | None, typer.Option(help="watch-list name (default partner-<format>-<hash>)")] = None,
    severity: Annotated[str, typer.Option(help="alert severity of hits")] = "high",
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Import a partner's indicators as a watch list; the next crawls alert on them."""
    result = import_partner(app_settings.data_dir(data_dir), file, name=name, severity=severity,
                            actor=f"cli:{getpass.getuser()}")
    if json_out:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        Console().print(f"watch list [bold]{result['name']}[/]: {result['wallets']} wallets, {result['pgp']} PGP "
                        f"keys, {result['onions']} onions, {result['handles']} handles -> {result['path']}")
