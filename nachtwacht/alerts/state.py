"""What detection remembers between crawls (same SQLite file as the events): vendors per market and
their keys, vendor links, listings with their prices, documents seen, crawls and site liveness."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from nachtwacht.alerts.store import connect, now_iso

__all__ = ["State"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_vendors (site TEXT NOT NULL, vendor_id TEXT NOT NULL, handle TEXT NOT NULL,
    first_seen TEXT NOT NULL, PRIMARY KEY (site, vendor_id));
CREATE TABLE IF NOT EXISTS vendor_keys (vendor_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    site TEXT NOT NULL DEFAULT '', PRIMARY KEY (vendor_id, kind, value));
CREATE INDEX IF NOT EXISTS vendor_keys_value ON vendor_keys(kind, value);
CREATE TABLE IF NOT EXISTS vendor_links (a TEXT NOT NULL, b TEXT NOT NULL, confidence REAL NOT NULL,
    reasons TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS seen_listings (id TEXT PRIMARY KEY, site TEXT NOT NULL, vendor_id TEXT,
    title TEXT, url TEXT, base_price REAL, base_currency TEXT, base_eur REAL, cur_price REAL,
    cur_currency TEXT, cur_eur REAL, first_crawl INTEGER NOT NULL, last_crawl INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS seen_listings_site ON seen_listings(site, gone);
CREATE TABLE IF NOT EXISTS seen_docs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, first_crawl INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS crawls (id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, finish_reason TEXT, pages INTEGER, complete INTEGER);
CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY, down_streak INTEGER NOT NULL DEFAULT 0,
    last_ok TEXT);
"""


class State:
    """Detection memory. Writes are committed at once: a second engine in the process sees them."""

    def __init__(self, data_dir: str | Path):
        self.conn: sqlite3.Connection = connect(data_dir)
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # --- crawls ---------------------------------------------------------------------------------
    def begin_crawl(self, site: str) -> tuple[int, bool]:
        """A new crawl id for `site`, and whether the site had a crawl with pages before."""
        before = self.conn.execute("SELECT COUNT(*) FROM crawls WHERE site = ? AND pages > 0",
                                   (site,)).fetchone()[0]
        cur = self.conn.execute("INSERT INTO crawls (site, started_at) VALUES (?, ?)", (site, now_iso()))
        return int(cur.lastrowid or 0), before > 0

    def end_crawl(self, crawl_id: int, *, reason: str, pages: int, complete: bool) -> None:
        self.conn.execute("UPDATE crawls SET finished_at = ?, finish_reason = ?, pages = ?, complete = ? "
                          "WHERE id = ?", (now_iso(), reason, pages, int(complete), crawl_id))

    def liveness(self, site: str, reachable: bool) -> int:
        """Record a crawl's reachability; returns the number of consecutive unreachable crawls."""
        if reachable:
            self.conn.execute("INSERT INTO sites (site, down_streak, last_ok) VALUES (?, 0, ?) "
                              "ON CONFLICT(site) DO UPDATE SET down_streak = 0, last_ok = excluded.last_ok",
                              (site, now_iso()))
            return 0
        self.conn.execute("INSERT INTO sites (site, down_streak) VALUES (?, 1) "
                          "ON CONFLICT(site) DO UPDATE SET down_streak = down_streak + 1", (site,))
        return int(self.conn.execute("SELECT down_streak FROM sites WHERE site = ?", (site,)).fetchone()[0])

    def last_ok(self, site: str) -> str | None:
        row = self.conn.execute("SELECT last_ok FROM sites WHERE site = ?", (site,)).fetchone()
        return row[0] if row else None

    # --- documents ------------------------------------------------------------------------------
    def first_crawl_of(self, doc_id: str, kind: str, crawl_id: int) -> int:
        """The crawl that first saw `doc_id` (recording `crawl_id` if none did)."""
        self.conn.execute("INSERT OR IGNORE INTO seen_docs (id, kind, first_crawl) VALUES (?, ?, ?)",
                          (doc_id, kind, crawl_id))
        return int(self.conn.execute("SELECT first_crawl FROM seen_docs WHERE id = ?", (doc_id,)).fetchone()[0])

    # --- listings -------------------------------------------------------------------------------
    def sight_listing(self, doc: dict[str, Any], crawl_id: int, price: tuple[float | None, str, float | None]
                      ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Record a sighting; returns (the row before, the row after). The base price is the last
        price of the previous crawl that saw the listing, so two sightings in one crawl compare alike."""
        old_row = self.conn.execute("SELECT * FROM seen_listings WHERE id = ?", (doc["id"],)).fetchone()
        old = dict(old_row) if old_row else None
        amount, currency, eur = price
        if old is None:
            self.conn.execute(
                "INSERT INTO seen_listings (id, site, vendor_id, title, url, cur_price, cur_currency, cur_eur, "
                "first_crawl, last_crawl) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc["id"], doc.get("site", ""), doc.get("vendor_id", ""), doc.get("title", ""),
                 doc.get("url", ""), amount, currency, eur, crawl_id, crawl_id))
        else:
            new_crawl = old["last_crawl"] != crawl_id
            base = (old["cur_price"], old["cur_currency"], old["cur_eur"]) if new_crawl else \
                (old["base_price"], old["base_currency"], old["base_eur"])
            self.conn.execute(
                "UPDATE seen_listings SET base_price = ?, base_currency = ?, base_eur = ?, cur_price = ?, "
                "cur_currency = ?, cur_eur = ?, last_crawl = ?, gone = 0, title = ?, vendor_id = ? WHERE id = ?",
                (*base, amount if amount is not None else old["cur_price"],
                 currency or old["cur_currency"], eur if eur is not None else old["cur_eur"], crawl_id,
                 doc.get("title") or old["title"], doc.get("vendor_id") or old["vendor_id"], doc["id"]))
        new = dict(self.conn.execute("SELECT * FROM seen_listings WHERE id = ?", (doc["id"],)).fetchone())
        return old, new

    def unseen_listings(self, site: str, crawl_id: int) -> list[dict[str, Any]]:
        """Listings of `site` known and not gone that crawl `crawl_id` did not see."""
        rows = self.conn.execute("SELECT * FROM seen_listings WHERE site = ? AND gone = 0 AND last_crawl != ?",
                                 (site, crawl_id))
        return [dict(r) for r in rows]

    def live_listing_count(self, site: str) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM seen_listings WHERE site = ? AND gone = 0",
                                     (site,)).fetchone()[0])

    def mark_gone(self, ids: list[str]) -> None:
        self.conn.executemany("UPDATE seen_listings SET gone = 1 WHERE id = ?", [(i,) for i in ids])

    # --- vendors --------------------------------------------------------------------------------
    def vendor_known(self, site: str, vendor_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM seen_vendors WHERE site = ? AND vendor_id = ?",
                                 (site, vendor_id)).fetchone() is not None

    def vendor_sites(self, vendor_id: str) -> dict[str, str]:
        rows = self.conn.execute("SELECT site, handle FROM seen_vendors WHERE vendor_id = ?", (vendor_id,))
        return {r["site"]: r["handle"] for r in rows}

    def add_vendor(self, site: str, vendor_id: str, handle: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO seen_vendors (site, vendor_id, handle, first_seen) "
                          "VALUES (?, ?, ?, ?)", (site, vendor_id, handle, now_iso()))

    def add_keys(self, vendor_id: str, kind: str, values: set[str], site: str = "") -> None:
        self.conn.executemany("INSERT OR IGNORE INTO vendor_keys (vendor_id, kind, value, site) VALUES (?, ?, ?, ?)",
                              [(vendor_id, kind, v, site) for v in values])

    def vendors_with_key(self, kind: str, value: str) -> set[str]:
        rows = self.conn.execute("SELECT vendor_id FROM vendor_keys WHERE kind = ? AND value = ?", (kind, value))
        return {r[0] for r in rows}

    def all_vendors(self) -> dict[str, dict[str, str]]:
        """vendor_id -> {site: handle}, for handle similarity."""
        out: dict[str, dict[str, str]] = {}
        for r in self.conn.execute("SELECT vendor_id, site, handle FROM seen_vendors"):
            out.setdefault(r["vendor_id"], {})[r["site"]] = r["handle"]
        return out

    def save_link(self, a: str, b: str, confidence: float, reasons_json: str) -> bool:
        """Store the link between two vendor ids; True if it is new or its confidence rose."""
        a, b = sorted((a, b))
        row = self.conn.execute("SELECT confidence FROM vendor_links WHERE a = ? AND b = ?", (a, b)).fetchone()
        if row is not None and row[0] >= confidence - 1e-9:
            return False
        self.conn.execute("INSERT INTO vendor_links (a, b, confidence, reasons, first_seen) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT(a, b) DO UPDATE SET confidence = excluded.confidence, "
                          "reasons = excluded.reasons", (a, b, confidence, reasons_json, now_iso()))
        return True

    def links(self, vendor_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM vendor_links", ()
        if vendor_id:
            sql, args = sql + " WHERE a = ? OR b = ?", (vendor_id, vendor_id)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY confidence DESC, a, b", args)]
