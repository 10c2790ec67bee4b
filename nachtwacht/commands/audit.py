"""`nachtwacht audit ...`: read and verify the hash-chained audit log."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nachtwacht.audit import AuditLog
from nachtwacht.settings import data_dir as resolve_data_dir

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The audit log: who searched or opened what, when, for which case.",
                        no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


@audit_app.command("verify")
def verify(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Recompute the hash chain; exit 1 if a record was edited, removed or reordered."""
    report = AuditLog(resolve_data_dir(data_dir)).verify()
    if json_out:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
    else:
        console = Console()
        if report.ok:
            console.print(f"[green]audit log intact[/]: {report.records} records, head {report.head_seq} "
                          f"{report.head_hash}")
        else:
            console.print(f"[bold red]audit log TAMPERED[/]: {len(report.problems)} problem(s)")
            for problem in report.problems:
                console.print(f"  - {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def show(
    actor: Annotated[str | None, typer.Option(help="only this user")] = None,
    action: Annotated[str | None, typer.Option(help="search, open, export, login, ...")] = None,
    case: Annotated[str | None, typer.Option(help="only this case reference")] = None,
    limit: Annotated[int, typer.Option(help="at most this many records")] = 50,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """The latest audit records, newest first."""
    records = AuditLog(resolve_data_dir(data_dir)).records(actor=actor, action=action, case_ref=case,
                                                           limit=limit)
    if json_out:
        sys.stdout.write(json.dumps(records, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(records)} audit record(s)")
    for name in ("seq", "at", "actor", "role", "action", "target", "case"):
        table.add_column(name, overflow="fold")
    for r in records:
        table.add_row(str(r["seq"]), r["at"][:19], r["actor"], r["role"], r["action"], r["target"][:60],
                      r["case_ref"])
    Console().print(table)
