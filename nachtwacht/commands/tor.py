"""`nachtwacht tor status|newnym`: health and identity of the tor processes a crawl uses."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawlers.tor.control import TorControl

__all__ = ["tor_app"]

tor_app = typer.Typer(help="Tor: health of the tor clients (bootstrap, SOCKS ports, circuits), NEWNYM.",
                      no_args_is_help=True)
out = Console()

DEFAULT_CONTROL = "127.0.0.1:9051"
Controls = Annotated[list[str] | None, typer.Option(
    "--control", help="tor control port host:port (repeatable; default env NACHTWACHT_TOR_CONTROL, "
                      f"comma-separated, else {DEFAULT_CONTROL})")]
Cookie = Annotated[str | None, typer.Option(
    "--cookie", help="control auth cookie file (default env NACHTWACHT_TOR_COOKIE, else what tor announces)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


def _controls(values: list[str] | None) -> list[str]:
    if values:
        return values
    env = [v.strip() for v in os.environ.get("NACHTWACHT_TOR_CONTROL", "").split(",") if v.strip()]
    return env or [DEFAULT_CONTROL]


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@tor_app.command("status")
def status(control: Controls = None, cookie: Cookie = None, json_: JsonFlag = False) -> None:
    """Bootstrap, SOCKS ports, built circuits and liveness of each tor (exit 2 if one is unreachable)."""
    reports = []
    for endpoint in _controls(control):
        with TorControl.connect(endpoint, cookie_path=cookie) as ctl:
            reports.append(ctl.status().to_dict())
    if json_:
        _emit({"tors": reports, "ready": all(r["bootstrap"] == 100 for r in reports)})
        return
    table = Table("control", "version", "bootstrap", "SOCKS ports", "circuits", "network")
    for r in reports:
        table.add_row(r["control"], r["version"], f"{r['bootstrap']}% {r['summary']}",
                      ", ".join(r["socks_ports"]) or "-", str(r["circuits_built"]), r["network_liveness"])
    out.print(table)


@tor_app.command("newnym")
def newnym(control: Controls = None, cookie: Cookie = None, json_: JsonFlag = False) -> None:
    """Ask each tor for new circuits for new streams (NEWNYM; tor rate-limits it silently).

    Open keep-alive connections stay on their circuits: a crawl rotates identity per site
    by changing its SOCKS isolation token instead.
    """
    results = []
    for endpoint in _controls(control):
        with TorControl.connect(endpoint, cookie_path=cookie) as ctl:
            results.append({"control": endpoint, "sent": True, "wait_s": ctl.newnym()})
    if json_:
        _emit({"newnym": results})
        return
    for r in results:
        delay = f" (tor applies it in {r['wait_s']:.0f}s)" if r["wait_s"] else ""
        out.print(f"NEWNYM sent to {r['control']}{delay}")
