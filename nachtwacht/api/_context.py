"""What every request carries after authentication: the user, how they came in, their case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nachtwacht.app import Nachtwacht
    from nachtwacht.audit import AuditLog
    from nachtwacht.users import User, UserItems, UserStore

__all__ = ["SESSION_COOKIE", "Principal", "Services"]

SESSION_COOKIE = "nw_session"


@dataclass(frozen=True)
class Services:
    """The objects routes call; one per app."""

    nw: Nachtwacht
    users: UserStore
    items: UserItems
    audit: AuditLog
    secure_cookies: bool = False


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. `via` is "token" or "session"; `session_token` only for sessions."""

    user: User
    via: str
    case_ref: str = ""
    csrf: str = ""
    session_token: str = ""

    @property
    def username(self) -> str:
        return self.user.username
