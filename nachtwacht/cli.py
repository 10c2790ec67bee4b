"""The `nachtwacht` command line: parse, call `nachtwacht.app`, render. No business rules here."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from crawlers.exceptions import CrawlError
from crawlers.siteconfig import SiteConfig
from extractors.exceptions import ExtractionError
from indexer.exceptions import IndexerError
from nachtwacht import render
from nachtwacht.app import Nachtwacht
from nachtwacht.exceptions import NachtwachtError

__all__ = ["app", "main"]

app = typer.Typer(help="Nachtwacht: crawl Tor markets, forums and channels; extract, index, search, alert.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
Backend = Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")]

KNOWN_ERRORS = (NachtwachtError, CrawlError, IndexerError, ExtractionError)


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


class _CrawlProgress:
    """A rich progress bar per site, fed by the crawl's stats every second."""

    def __init__(self, enabled: bool):
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(
            "{task.completed} pages, {task.fields[listings]} listings, {task.fields[posts]} posts, "
            "{task.fields[errors]} errors"), TimeElapsedColumn(), console=err, disable=not enabled)
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _CrawlProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, site: str, stats: dict[str, Any]) -> None:
        if site not in self.tasks:
            self.tasks[site] = self.progress.add_task(site, total=None, listings=0, posts=0, errors=0)
        errors = sum(v for k, v in stats.items() if k.startswith("crawl/error/"))
        self.progress.update(self.tasks[site], completed=stats.get("crawl/pages", 0),
                             listings=stats.get("index/listings", 0), posts=stats.get("index/posts", 0),
                             errors=errors)


@app.command()
def demo(
    via: Annotated[str, typer.Option(help="tor (private Tor network, default) or direct (loopback, no Tor)")] = "tor",
    seed: Annotated[int, typer.Option(help="seed of the generated demo market")] = 7,
    max_pages: Annotated[int | None, typer.Option(help="pages per site")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Serve the bundled demo market, crawl it, extract, index, and say where to look next."""
    from nachtwacht.demo import UI_URL, run_demo

    if via not in ("tor", "direct"):
        raise typer.BadParameter("--via must be tor or direct")
    nw = Nachtwacht(data_dir)
    with _CrawlProgress(enabled=not json_out) as bars:
        result = run_demo(nw, via=via, seed=seed, max_pages=max_pages, progress=bars.update,
                          status=lambda msg: err.print(f"[cyan]{msg}[/]"))
    if json_out:
        _emit_json(result.to_dict())
        return
    totals = result.totals()
    out.print(render.crawl_table(result.summaries))
    entities = ", ".join(f"{k} {v}" for k, v in sorted(totals["entities"].items()))
    out.print(f"[bold]demo done[/] in {result.elapsed_s}s via [bold]{result.via}[/]"
              + (f" (tor network ready in {result.tor_bootstrap_s}s)" if result.tor_bootstrap_s else "")
              + f": {totals['pages']} pages, {totals['listings']} listings, {totals['posts']} posts, "
              f"{totals['vendors']} vendors; entities: {entities or 'none'}")
    for name, address in result.addresses.items():
        out.print(f"  {name}: {address}")
    out.print(f"data: {result.data_dir}\nnext:\n  nachtwacht search 'cocaine'\n"
              "  nachtwacht search --json 'cocaine AND ships_from:Netherlands'\n  nachtwacht vendors\n"
              f"  nachtwacht serve   then open {UI_URL} and log in as {result.ui_user} / "
              f"{result.ui_password}")


def _site_from_target(nw: Nachtwacht, target: str, base_url: str | None) -> SiteConfig:
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        name = "".join(ch if ch.isalnum() else "-" for ch in (parts.hostname or "site").lower())[:60]
        site = SiteConfig(name=name.strip("-") or "site", base_url=f"{parts.scheme}://{parts.netloc}",
                          start_paths=[(parts.path or "/") + (f"?{parts.query}" if parts.query else "")])
    else:
        site = nw.load_site(target)
    return site.with_base_url(base_url) if base_url else site


@app.command()
def crawl(
    target: Annotated[str, typer.Argument(help="a site config (YAML) or a start URL")],
    via: Annotated[str | None, typer.Option(help="tor or direct; default: the site's (tor)")] = None,
    max_pages: Annotated[int | None, typer.Option(help="pages in this run; the rest stays pending")] = None,
    job: Annotated[str | None, typer.Option(help="job name (default: the site's name)")] = None,
    base_url: Annotated[str | None, typer.Option(help="serve the site config from another base URL")] = None,
    tor_socks: Annotated[list[str] | None, typer.Option(help="tor SOCKS endpoint host:port (repeatable)")] = None,
    fresh: Annotated[bool, typer.Option(help="start over instead of resuming an interrupted crawl")] = False,
    setting: Annotated[list[str] | None, typer.Option("--set", help="Scrapy setting NAME=VALUE (repeatable)")] = None,
    data_dir: DataDir = None,
    backend: Backend = None,
    json_out: JsonFlag = False,
) -> None:
    """Crawl one site (through Tor unless --via direct), extract and index what it finds."""
    if via not in (None, "tor", "direct"):
        raise typer.BadParameter("--via must be tor or direct")
    nw = Nachtwacht(data_dir, backend=backend)
    site = _site_from_target(nw, target, base_url)
    if (via or site.via) == "direct":
        err.print("[bold yellow]WARNING: --via direct: requests leave WITHOUT Tor[/]")
    with _CrawlProgress(enabled=not json_out) as bars:
        summaries = nw.crawl([site], via=via, max_pages=max_pages, job_id=job, fresh=fresh,
                             tor_socks=tor_socks, progress=bars.update, overrides=_settings(setting))
    if json_out:
        _emit_json(summaries[0].to_dict())
    else:
        out.print(render.crawl_table(summaries))


def _settings(pairs: list[str] | None) -> dict[str, str]:
    overrides = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise typer.BadParameter(f"--set takes NAME=VALUE with an upper-case Scrapy setting, got {pair!r}")
        overrides[name] = value
    return overrides


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="query, e.g. 'cocaine AND ships_from:NL AND price_eur:[10 TO 50]'")],
    kind: Annotated[str, typer.Option(help="listing, post, vendor, or any")] = "listing",
    limit: Annotated[int, typer.Option(help="results per page")] = 20,
    offset: Annotated[int, typer.Option(help="results to skip")] = 0,
    data_dir: DataDir = None,
    backend: Backend = None,
    json_out: JsonFlag = False,
) -> None:
    """Search listings, posts and vendors with the analysts' query language."""
    nw = Nachtwacht(data_dir, backend=backend)
    result = nw.search(query, kind=None if kind == "any" else kind, limit=limit, offset=offset)
    if json_out:
        _emit_json({"query": query, "total": result.total, "hits": result.hits})
    else:
        out.print(render.search_table(result, query))


@app.command()
def vendors(
    query: Annotated[str, typer.Argument(help="filter, e.g. 'site:demo-noordzee'")] = "*",
    limit: Annotated[int, typer.Option(help="at most this many vendors")] = 200,
    data_dir: DataDir = None,
    backend: Backend = None,
    json_out: JsonFlag = False,
) -> None:
    """Vendor profiles: handles per market, listing counts, wallets, PGP keys."""
    found = Nachtwacht(data_dir, backend=backend).vendors(query=query, limit=limit)
    if json_out:
        _emit_json({"total": len(found), "vendors": found})
    else:
        out.print(render.vendors_table(found))


# Commands that live in their own modules: (module, attribute, name, kind). A "group" is a Typer
# sub-app (`nachtwacht tor status`), a "command" a single function. An import error is a bug, not
# a reason to hide a command: it propagates.
COMMAND_MODULES = (
    ("nachtwacht.commands.extract", "extract", "extract", "command"),
    ("nachtwacht.commands.trends", "trends", "trends", "command"),
    ("nachtwacht.commands.tor", "tor_app", "tor", "group"),
    ("nachtwacht.commands.jobs", "jobs_app", "jobs", "group"),
    ("nachtwacht.commands.jobs", "scheduler", "scheduler", "command"),
    ("nachtwacht.commands.alerts", "alerts_app", "alerts", "group"),
    ("nachtwacht.commands.evidence", "evidence_app", "evidence", "group"),
    ("nachtwacht.commands.sessions", "sessions_app", "sessions", "group"),
    ("nachtwacht.commands.serve", "serve", "serve", "command"),
    ("nachtwacht.commands.users", "users_app", "users", "group"),
    ("nachtwacht.commands.audit", "audit_app", "audit", "group"),
    ("nachtwacht.commands.retention", "retention_app", "retention", "group"),
    ("nachtwacht.commands.retention", "cases_app", "cases", "group"),
    ("nachtwacht.commands.retention", "reidentify_command", "reidentify", "command"),
    ("nachtwacht.commands.exchange", "exchange_app", "exchange", "group"),
    ("nachtwacht.commands.moneyflows", "moneyflows_app", "moneyflows", "group"),
)


def _register_commands() -> None:
    for module_name, attribute, name, kind in COMMAND_MODULES:
        target = getattr(importlib.import_module(module_name), attribute)
        if kind == "group":
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)


_register_commands()


def main() -> None:
    """Console entry point: known errors become one line on stderr and exit code 2."""
    try:
        app()
    except KNOWN_ERRORS as exc:
        render.print_error(err, str(exc))
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        render.print_error(err, "interrupted")
        raise SystemExit(130) from None
