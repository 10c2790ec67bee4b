"""Per-user items: saved searches and watch-list entries. A user sees and changes only their own."""

from __future__ import annotations

import json
from typing import Any

from nachtwacht.exceptions import NotFound

from ._db import connect
from ._store import UserStore
from .exceptions import AuthError

__all__ = ["ITEM_TYPES", "WATCH_KINDS", "UserItems"]

ITEM_TYPES = ("search", "watch")
#: What a watch-list entry can follow.
WATCH_KINDS = ("vendor", "wallet", "pgp", "term", "product")
MAX_ITEMS = 500


class UserItems:
    """Saved searches and watch lists stored beside the users (same SQLite file)."""

    def __init__(self, store: UserStore):
        self.store = store

    def add(self, owner: str, type_: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        if type_ not in ITEM_TYPES:
            raise AuthError(f"unknown item type {type_!r}")
        if type_ == "watch" and payload.get("kind") not in WATCH_KINDS:
            raise AuthError(f"a watch-list entry follows one of: {', '.join(WATCH_KINDS)}")
        now = self.store.clock()
        with connect(self.store.path) as conn:
            count = conn.execute("SELECT COUNT(*) FROM items WHERE owner=?", (owner,)).fetchone()[0]
            if count >= MAX_ITEMS:
                raise AuthError(f"at most {MAX_ITEMS} saved searches and watch-list entries per user")
            cur = conn.execute("INSERT INTO items (owner, type, name, payload, created_at) VALUES (?,?,?,?,?)",
                               (owner, type_, name[:120], json.dumps(payload), now))
            item_id = cur.lastrowid
        return {"id": item_id, "name": name[:120], "created_at": now, **payload}

    def list(self, owner: str, type_: str) -> list[dict[str, Any]]:
        with connect(self.store.path) as conn:
            rows = conn.execute("SELECT * FROM items WHERE owner=? AND type=? ORDER BY id",
                                (owner, type_)).fetchall()
        return [self._row(r) for r in rows]

    def get(self, owner: str, type_: str, item_id: int) -> dict[str, Any]:
        """The owner's item; another user's item is NotFound (its existence is not revealed)."""
        with connect(self.store.path) as conn:
            row = conn.execute("SELECT * FROM items WHERE id=? AND owner=? AND type=?",
                               (item_id, owner, type_)).fetchone()
        if row is None:
            raise NotFound(f"no {type_} {item_id}")
        return self._row(row)

    def delete(self, owner: str, type_: str, item_id: int) -> None:
        with connect(self.store.path) as conn:
            cur = conn.execute("DELETE FROM items WHERE id=? AND owner=? AND type=?", (item_id, owner, type_))
            if cur.rowcount == 0:
                raise NotFound(f"no {type_} {item_id}")

    @staticmethod
    def _row(row: Any) -> dict[str, Any]:
        return {"id": row["id"], "name": row["name"], "created_at": row["created_at"],
                **json.loads(row["payload"])}
