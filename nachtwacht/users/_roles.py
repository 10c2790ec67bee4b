"""Roles and the permissions they grant. Every API route names one permission; nothing is implied."""

from __future__ import annotations

__all__ = ["PERMISSIONS", "ROLES", "permissions_of"]

#: permission -> what it allows
PERMISSIONS: dict[str, str] = {
    "search": "search, open documents, vendors, trends, exports, saved searches, watch lists",
    "alerts": "read alerts and act on them (acknowledge, assign, close)",
    "jobs": "create, start, stop and schedule crawl jobs",
    "audit": "read and verify the audit log",
    "users": "manage users and their roles",
}

#: role -> permissions it grants
ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "operator": frozenset({"jobs"}),
    "analyst": frozenset({"search", "alerts"}),
    "auditor": frozenset({"audit"}),
}


def permissions_of(role: str) -> frozenset[str]:
    """Permissions of a role; an unknown role grants nothing (deny by default)."""
    return ROLES.get(role, frozenset())
