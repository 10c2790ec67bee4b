"""`nachtwacht users ...`: add users, change roles and passwords, issue API tokens."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nachtwacht.audit import AuditLog
from nachtwacht.settings import data_dir as resolve_data_dir
from nachtwacht.users import ROLES, UserStore

__all__ = ["users_app"]

users_app = typer.Typer(help="Users of the API and web UI, their roles and API tokens.", no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
ROLE_HELP = "role: " + ", ".join(ROLES)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _audit(data: Path, action: str, target: str, **details: object) -> None:
    AuditLog(data).append(actor=f"cli:{getpass.getuser()}", role="admin", action=action, target=target, details=details)


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="login name: a-z first, then a-z 0-9 . _ -")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "analyst",
    password: Annotated[str | None, typer.Option(help="password (prompted when omitted; env NACHTWACHT_PASSWORD)",
                                                 envvar="NACHTWACHT_PASSWORD")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user (argon2-hashed password)."""
    data = resolve_data_dir(data_dir)
    user = UserStore(data).create_user(username, _password(password), role)
    _audit(data, "user.create", user.username, role=role)
    Console().print(f"user [bold]{user.username}[/] created with role {user.role}")


@users_app.command("list")
def list_(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Users, roles and whether they are disabled."""
    users = UserStore(resolve_data_dir(data_dir)).list_users()
    if json_out:
        sys.stdout.write(json.dumps([u.to_dict() for u in users]) + "\n")
        return
    table = Table(title=f"{len(users)} user(s)")
    for name in ("user", "role", "disabled", "permissions"):
        table.add_column(name)
    for u in users:
        table.add_row(u.username, u.role, "yes" if u.disabled else "", ", ".join(sorted(u.permissions)))
    Console().print(table)


@users_app.command("set")
def set_(
    username: Annotated[str, typer.Argument(help="the user to change")],
    role: Annotated[str | None, typer.Option(help=ROLE_HELP)] = None,
    disable: Annotated[bool | None, typer.Option("--disable/--enable", help="lock or unlock the account")] = None,
    password: Annotated[bool, typer.Option("--password", help="prompt for a new password")] = False,
    data_dir: DataDir = None,
) -> None:
    """Change a user's role, password, or lock the account (ends their sessions and tokens)."""
    data = resolve_data_dir(data_dir)
    new_password = _password(None) if password else None
    user = UserStore(data).update(username, role=role, disabled=disable, password=new_password)
    _audit(data, "user.update", username, role=role, disabled=disable, password_changed=password)
    Console().print(f"user [bold]{user.username}[/]: role {user.role}{', disabled' if user.disabled else ''}")


@users_app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="owner of the token")],
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    days: Annotated[float, typer.Option(help="valid for this many days")] = 90,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Issue an API token (shown once; send it as `Authorization: Bearer <token>`)."""
    data = resolve_data_dir(data_dir)
    secret, record = UserStore(data).create_token(username, name, ttl_days=days)
    _audit(data, "token.create", record["id"], owner=username)
    if json_out:
        sys.stdout.write(json.dumps(record | {"token": secret}) + "\n")
    else:
        Console().print(f"token {record['id']} for {username} (shown once):\n{secret}", highlight=False)
