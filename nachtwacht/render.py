"""Human output of the CLI: rich tables and summaries. JSON output does not pass through here."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["crawl_table", "price_text", "search_table", "vendors_table"]


def price_text(price: dict[str, Any] | None) -> str:
    if not price:
        return ""
    amount = price.get("amount")
    return f"{amount:g} {price.get('currency', '')}" if isinstance(amount, int | float) else ""


def search_table(result: Any, query: str) -> Table:
    table = Table(title=f"{result.total} result(s) for {query!r}", show_lines=False)
    for name in ("kind", "title / author", "vendor", "price", "site", "url"):
        table.add_column(name, overflow="fold")
    for hit in result.hits:
        title = hit.get("title") or hit.get("author") or hit.get("vendor_id", "")
        table.add_row(hit.get("kind", ""), title[:70], hit.get("vendor", ""),
                      price_text(hit.get("price")), hit.get("site", ""), hit.get("url", ""))
    return table


def vendors_table(vendors: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(vendors)} vendor(s)")
    for name in ("vendor", "sites", "listings", "wallets", "pgp", "first seen", "last seen"):
        table.add_column(name)
    for vendor in vendors:
        table.add_row(vendor.get("vendor", ""), ", ".join(vendor.get("sites", [])),
                      str(vendor.get("listing_count", 0)), str(len(vendor.get("wallets", []))),
                      str(len(vendor.get("pgp_fingerprints", []))), vendor.get("first_seen", ""),
                      vendor.get("last_seen", ""))
    return table


def crawl_table(summaries: list[Any]) -> Table:
    table = Table(title="crawl summary")
    for name in ("site", "via", "pages", "listings", "posts", "vendors", "entities", "errors", "left"):
        table.add_column(name)
    for s in summaries:
        entities = sum(s.entities.values())
        errors = ", ".join(f"{k}={v}" for k, v in sorted(s.errors.items())) or "-"
        left = s.frontier.get("pending", 0)
        table.add_row(s.site, s.via, str(s.pages), str(s.listings), str(s.posts), str(s.vendors),
                      str(entities), errors, str(left))
    return table


def print_error(console: Console, message: str) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
