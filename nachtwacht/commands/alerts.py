"""`nachtwacht alerts list|show|ack|assign|close|resolve|comment|retro-hunt|test|links|dead-letters`."""

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
from nachtwacht.alerts.engine import AlertEngine
from nachtwacht.alerts.rules import load_rules
from nachtwacht.alerts.state import State
from nachtwacht.alerts.store import EventStore

__all__ = ["alerts_app"]

alerts_app = typer.Typer(help="Alerts: list and work events (ack, assign, close), retro-hunt a rule, test "
                              "delivery.", no_args_is_help=True)
out = Console()

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
By = Annotated[str | None, typer.Option("--by", help="who does it (default: the login name)")]
Note = Annotated[str, typer.Option("--note", help="a note for the history")]
Rules = Annotated[list[Path] | None, typer.Option("--rules", help="rule files or folders (default config/alerts)")]


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _store(data_dir: Path | None) -> EventStore:
    return EventStore(app_settings.data_dir(data_dir))


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def _rules(paths: list[Path] | None) -> Any:
    return load_rules(*(paths or [app_settings.config_dir() / "alerts"]))


def _table(events: list[Any]) -> Table:
    table = Table(title=f"{len(events)} alert(s)")
    for name in ("id", "severity", "status", "type", "site", "title", "assignee", "count", "created"):
        table.add_column(name, overflow="fold")
    for e in events:
        table.add_row(str(e.id), e.severity, e.status, e.type, e.site, e.title[:90], e.assignee, str(e.count),
                      e.created_at)
    return table


def _show_one(event: Any, json_out: bool) -> None:
    if json_out:
        _emit(event.to_dict())
    else:
        out.print(f"#{event.id} [{event.severity}] {event.status}: {event.title}"
                  + (f" (assignee {event.assignee})" if event.assignee else ""))


@alerts_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="new|acknowledged|investigating|closed|false_positive")] = None,
    rule: Annotated[str | None, typer.Option(help="rule name")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="event type, e.g. new_vendor")] = None,
    site: Annotated[str | None, typer.Option(help="site name")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="only events not closed")] = False,
    limit: Annotated[int, typer.Option(help="at most this many, newest first")] = 100,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Alerts, newest first."""
    store = _store(data_dir)
    try:
        events = store.list(status=status, rule=rule, type=type_, site=site, limit=limit, open_only=open_only)
    finally:
        store.close()
    if json_out:
        _emit({"total": len(events), "alerts": [e.to_dict() for e in events]})
    else:
        out.print(_table(events))


@alerts_app.command()
def show(event_id: int, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """One alert with its details, history and delivery attempts."""
    store = _store(data_dir)
    try:
        event = store.get(event_id)
        data = {**event.to_dict(), "history": store.history(event_id), "deliveries": store.deliveries(event_id)}
    finally:
        store.close()
    if json_out:
        _emit(data)
        return
    _show_one(event, False)
    out.print(event.summary)
    out.print_json(json.dumps(event.details, default=str))
    for h in data["history"]:
        out.print(f"  {h['at']} {h['actor']}: {h['action']} {h['to_status']} {h['note']}".rstrip())


def _move(event_id: int, status: str, by: str | None, note: str, data_dir: Path | None, json_out: bool) -> None:
    store = _store(data_dir)
    try:
        event = store.transition(event_id, status, actor=_actor(by), note=note)
    finally:
        store.close()
    _show_one(event, json_out)


@alerts_app.command()
def ack(event_id: int, by: By = None, note: Note = "", data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Acknowledge an alert (someone has seen it)."""
    _move(event_id, "acknowledged", by, note, data_dir, json_out)


@alerts_app.command()
def assign(event_id: int, assignee: str, by: By = None, note: Note = "", data_dir: DataDir = None,
           json_out: JsonFlag = False) -> None:
    """Assign an alert; it moves to investigating."""
    store = _store(data_dir)
    try:
        event = store.assign(event_id, assignee, actor=_actor(by), note=note)
    finally:
        store.close()
    _show_one(event, json_out)


@alerts_app.command()
def close(event_id: int,
          false_positive: Annotated[bool, typer.Option("--false-positive", help="close as a false positive")] = False,
          by: By = None, note: Note = "", data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Close an alert (resolved), or mark it a false positive."""
    _move(event_id, "false_positive" if false_positive else "closed", by, note, data_dir, json_out)


alerts_app.command("resolve", help="Same as close.")(close)


@alerts_app.command()
def comment(event_id: int, text: str, by: By = None, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Add a note to an alert's history."""
    store = _store(data_dir)
    try:
        event = store.comment(event_id, text, actor=_actor(by))
    finally:
        store.close()
    _show_one(event, json_out)


@alerts_app.command("retro-hunt")
def retro_hunt(
    rule: Annotated[str, typer.Argument(help="a watchlist or saved_search rule")],
    rules: Rules = None,
    deliver: Annotated[bool, typer.Option(help="also send the events to the rule's channels")] = False,
    data_dir: DataDir = None,
    backend: Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Run a rule over everything already indexed (deduplicated against live alerts)."""
    from indexer import get_backend

    base = app_settings.data_dir(data_dir)
    engine = AlertEngine(base, _rules(rules), deliver=deliver)
    index = get_backend(app_settings.backend_settings(base, backend), readonly=True)
    try:
        events = engine.retro_hunt(rule, index)
    finally:
        index.close()
        engine.close()
    if json_out:
        _emit({"rule": rule, "raised": len(events), "alerts": [e.to_dict() for e in events]})
    else:
        out.print(_table(events))


@alerts_app.command()
def test(
    channel: Annotated[list[str] | None, typer.Option(help="channel name (repeatable; default all)")] = None,
    rules: Rules = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Send a test alert to the channels and report each delivery."""
    base = app_settings.data_dir(data_dir)
    engine = AlertEngine(base, _rules(rules))
    try:
        event = engine.send_test(channel)
    finally:
        engine.close()
    store = EventStore(base)
    try:
        deliveries = store.deliveries(event.id)
        dead = [d for d in store.dead_letters() if d["event_id"] == event.id]
    finally:
        store.close()
    if json_out:
        _emit({"alert": event.id, "deliveries": deliveries, "dead_letters": dead})
        return
    for d in deliveries:
        out.print(f"{d['channel']}: attempt {d['attempt']} {'ok' if d['ok'] else 'FAILED ' + d['error']}")
    if dead:
        raise typer.Exit(1)


@alerts_app.command()
def links(vendor: Annotated[str | None, typer.Argument(help="a vendor id")] = None, data_dir: DataDir = None,
          json_out: JsonFlag = False) -> None:
    """Cross-market vendor links with their evidence and confidence."""
    state = State(app_settings.data_dir(data_dir))
    try:
        found = state.links(vendor)
    finally:
        state.close()
    for link in found:
        link["reasons"] = json.loads(link["reasons"])
    if json_out:
        _emit({"total": len(found), "links": found})
        return
    table = Table(title=f"{len(found)} vendor link(s)")
    for name in ("vendor", "vendor", "confidence", "evidence"):
        table.add_column(name, overflow="fold")
    for link in found:
        table.add_row(link["a"], link["b"], f"{link['confidence']:.2f}",
                      "; ".join(f"{r['reason']}: {r['evidence']}" for r in link["reasons"]))
    out.print(table)


@alerts_app.command("dead-letters")
def dead_letters(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Deliveries that failed every attempt (kept with their payload)."""
    store = _store(data_dir)
    try:
        dead = store.dead_letters()
    finally:
        store.close()
    if json_out:
        _emit({"total": len(dead), "dead_letters": dead})
        return
    for d in dead:
        out.print(f"#{d['id']} alert {d['event_id']} -> {d['channel']} after {d['attempts']} attempt(s): {d['error']}")
