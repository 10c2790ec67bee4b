"""`nachtwacht sessions import|list|remove`: operator sessions (cookies from Tor Browser) per site,
encrypted at rest. Cookie values are never printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crawlers.middlewares.evidence import operator_name
from crawlers.render.sessions import SessionStore, parse_cookies
from nachtwacht.app import Nachtwacht
from nachtwacht.exceptions import NotFound

__all__ = ["sessions_app"]

sessions_app = typer.Typer(help="Sessions: import the cookies of a logged-in Tor Browser for one site "
                                "(stored encrypted), list or remove them.", no_args_is_help=True)
out = Console()

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


@sessions_app.command("import")
def import_session(
    site: Annotated[str, typer.Argument(help="site name (as in its site config)")],
    cookies: Annotated[Path, typer.Argument(help="cookies.txt (Netscape) or cookies.json export")],
    operator: Annotated[str | None, typer.Option(help="who imports (default env NACHTWACHT_OPERATOR or the OS user)")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Encrypt and store the session for SITE; crawls of SITE (and only SITE) then send it.
    Key: env NACHTWACHT_SESSION_KEY, else <data dir>/keys/session.key (created, mode 0600).
    Delete the export file afterwards: it holds the session in the clear."""
    nw = Nachtwacht(data_dir)
    try:
        data = cookies.read_bytes()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {cookies}: {exc.strerror}") from None
    info = SessionStore(nw.data_dir).save(site, parse_cookies(data), imported_by=operator or operator_name())
    if json_out:
        sys.stdout.write(json.dumps(info.to_dict()) + "\n")
    else:
        out.print(f"session for [bold]{site}[/] stored encrypted: {info.cookies} cookies "
                  f"({', '.join(info.names)}) for {', '.join(info.domains)}"
                  + (f"; first expiry {info.expires}" if info.expires else "")
                  + f"\nkey id {info.key_id}. Now delete {cookies}: it holds the session in the clear.")


@sessions_app.command("list")
def list_sessions(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Imported sessions: site, cookie names, domains, expiry, who imported them (never values)."""
    store = SessionStore(Nachtwacht(data_dir).data_dir)
    infos = [info for site in store.sites() if (info := store.info(site)) is not None]
    if json_out:
        sys.stdout.write(json.dumps({"sessions": [i.to_dict() for i in infos]}) + "\n")
        return
    table = Table("site", "cookies", "domains", "imported", "by", "expires")
    for info in infos:
        table.add_row(info.site, ", ".join(info.names), ", ".join(info.domains), info.imported_at,
                      info.imported_by, info.expires or "-")
    out.print(table)


@sessions_app.command("remove")
def remove_session(site: Annotated[str, typer.Argument(help="site name")], data_dir: DataDir = None) -> None:
    """Delete the stored session of SITE."""
    if not SessionStore(Nachtwacht(data_dir).data_dir).remove(site):
        raise NotFound(f"no session stored for {site}")
    out.print(f"session for {site} removed")
