"""`nachtwacht retention ...`, `nachtwacht cases ...` and `nachtwacht reidentify` (issue 11)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nachtwacht import settings as app_settings
from nachtwacht.audit import AuditLog
from nachtwacht.rights import CaseRegistry, apply_retention, load_retention, load_rights, reidentify

__all__ = ["cases_app", "reidentify_command", "retention_app"]

retention_app = typer.Typer(help="Retention: delete expired data everywhere, except legal holds.",
                            no_args_is_help=True)
cases_app = typer.Typer(help="Legal bases (case/authorisation) crawls run under, and legal holds.",
                        no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
Backend = Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")]


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@retention_app.command("apply")
def apply(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count what would go; delete nothing")] = False,
    policy: Annotated[Path | None, typer.Option(help="retention policy (default config/retention.yaml)")] = None,
    data_dir: DataDir = None,
    backend: Backend = None,
    backend_url: Annotated[str | None, typer.Option(help="cluster URL (env NACHTWACHT_BACKEND_URL)")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Delete expired documents, captures, alerts and pseudonyms; write the counts to the audit log."""
    data = app_settings.data_dir(data_dir)
    report = apply_retention(data, app_settings.backend_settings(data, backend, backend_url),
                             policy=load_retention(policy), dry_run=dry_run, actor=_actor())
    if json_out:
        _emit(report.to_dict())
        return
    table = Table(title="retention " + ("preview (nothing deleted)" if dry_run else "applied"))
    for name in ("data class", "cutoff", "deleted", "held"):
        table.add_column(name)
    for name in ("documents", "captures", "alerts", "personal_data"):
        counts = getattr(report, name)
        table.add_row(name, str(report.cutoffs.get(name) or "kept forever"), str(counts.get("deleted", 0)),
                      str(counts.get("held", "-")))
    table.add_row("audit_log", "append-only", "0", "-")
    Console().print(table)
    if report.held_cases:
        Console().print(f"legal holds: {', '.join(report.held_cases)}")


@retention_app.command("show")
def show(policy: Annotated[Path | None, typer.Option(help="retention policy file")] = None,
         data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """The retention periods and the active legal holds."""
    loaded = load_retention(policy)
    from nachtwacht.rights.cases import today

    holds = [h.to_dict() for h in CaseRegistry(app_settings.data_dir(data_dir)).holds(active_on=today())]
    data = {"retention": loaded.retention.model_dump(), "policy_holds": [h.model_dump(mode="json")
                                                                           for h in loaded.holds],
            "holds": holds}
    if json_out:
        _emit(data)
        return
    console = Console()
    for name, days in data["retention"].items():
        console.print(f"{name}: {'forever' if days is None else f'{days} days'}")
    for hold in [*data["policy_holds"], *holds]:
        console.print(f"hold: {hold.get('case') or hold.get('case_ref')} ({hold['reason']})")


@cases_app.command("add")
def add_case(
    case_ref: Annotated[str, typer.Argument(help="case / authorisation reference, e.g. BE-FGP-2026-0412")],
    authority: Annotated[str, typer.Option(help="who authorised it and the order's reference")],
    purpose: Annotated[str, typer.Option(help="what the crawls are for")],
    officer: Annotated[str, typer.Option(help="requesting officer")],
    expires: Annotated[str, typer.Option(help="last day covered, YYYY-MM-DD")],
    replace: Annotated[bool, typer.Option(help="amend an existing case (renewal)")] = False,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Register the legal basis crawls run under (then crawl with --set NACHTWACHT_CASE=REF)."""
    data = app_settings.data_dir(data_dir)
    basis = CaseRegistry(data).add_case(case_ref, authority=authority, purpose=purpose, officer=officer,
                                        expires=expires, by=_actor(), replace=replace,
                                        max_validity_days=load_rights().legal_basis.max_validity_days)
    AuditLog(data).append(actor=_actor(), role="admin", action="case.register", target=basis.case_ref,
                          case_ref=basis.case_ref, details=basis.to_dict())
    if json_out:
        _emit(basis.record())
    else:
        Console().print(f"case [bold]{basis.case_ref}[/] registered, valid until {basis.expires}")


@cases_app.command("list")
def list_cases(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Registered cases and holds."""
    registry = CaseRegistry(app_settings.data_dir(data_dir))
    cases, holds = registry.cases(), registry.holds()
    if json_out:
        _emit({"cases": [c.record() for c in cases], "holds": [h.to_dict() for h in holds]})
        return
    table = Table(title=f"{len(cases)} case(s)")
    for name in ("case", "authority", "purpose", "officer", "expires", "held"):
        table.add_column(name, overflow="fold")
    active = {h.case_ref for h in holds if h.active()}
    for c in cases:
        table.add_row(c.case_ref, c.authority, c.purpose, c.officer, c.expires,
                      "yes" if c.case_ref in active else "")
    Console().print(table)


@cases_app.command("hold")
def hold(case_ref: Annotated[str, typer.Argument(help="case reference")],
         reason: Annotated[str, typer.Option(help="why the data must be kept")],
         until: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default until released")] = None,
         data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Place a legal hold: data captured under the case is kept past its retention."""
    data = app_settings.data_dir(data_dir)
    placed = CaseRegistry(data).add_hold(case_ref, reason=reason, until=until, by=_actor())
    AuditLog(data).append(actor=_actor(), role="admin", action="hold.place", target=placed.case_ref,
                          case_ref=placed.case_ref, details={"reason": placed.reason, "until": placed.until})
    if json_out:
        _emit(placed.to_dict())
    else:
        Console().print(f"legal hold on [bold]{placed.case_ref}[/]" + (f" until {until}" if until else ""))


@cases_app.command("release")
def release(case_ref: Annotated[str, typer.Argument(help="case reference")],
            data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Release the legal holds of a case (its data then follows the retention policy)."""
    data = app_settings.data_dir(data_dir)
    count = CaseRegistry(data).release_hold(case_ref, by=_actor())
    AuditLog(data).append(actor=_actor(), role="admin", action="hold.release", target=case_ref,
                          case_ref=case_ref, details={"released": count})
    if json_out:
        _emit({"case_ref": case_ref, "released": count})
    else:
        Console().print(f"{count} hold(s) released on {case_ref}")


def reidentify_command(
    pseudonym: Annotated[str, typer.Argument(help="a pseudonym, e.g. anon-handle-3fa9c2...")],
    user: Annotated[str, typer.Option(help="your admin user name")],
    reason: Annotated[str, typer.Option(help="why (and for which case); written to the audit log")],
    case: Annotated[str, typer.Option(help="case reference")] = "",
    password: Annotated[str | None, typer.Option(help="password (prompted; env NACHTWACHT_PASSWORD)",
                                                 envvar="NACHTWACHT_PASSWORD")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Reveal the clear value behind a pseudonym: admins only, with a logged reason."""
    secret = password if password is not None else typer.prompt("password", hide_input=True)
    found = reidentify(app_settings.data_dir(data_dir), pseudonym, username=user, password=secret,
                       reason=reason, case_ref=case)
    if json_out:
        _emit(found)
    else:
        Console().print(f"{found['pseudonym']} ({found['kind']}) = [bold]{found['value']}[/]")
