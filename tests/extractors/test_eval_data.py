"""Regression floor on the shared evaluation data (../shared/eval); skipped when it is absent.

Thresholds sit below today's measurements so that honest changes are not blocked, but a
broken stage fails. The full table is ``make eval``.
"""

import json
from pathlib import Path

import pytest

from extractors import extract_html, validate_address

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
pytestmark = pytest.mark.skipif(not (EVAL / "gold_pages.jsonl").is_file(),
                                reason=f"evaluation data not found at {EVAL} (internal, not in the repo)")


def _gold_pages():
    return [json.loads(line) for line in (EVAL / "gold_pages.jsonl").read_text().splitlines() if line.strip()]


def test_listing_pages_vendor_and_price():
    hits = {"vendor": [0, 0], "price": [0, 0]}
    for gold in _gold_pages():
        if gold["page_type"] != "listing":
            continue
        result = extract_html((EVAL / gold["path"]).read_bytes(), source=gold["path"])
        first = result.listings[0] if result.listings else None
        exp = gold["expected"]
        hits["vendor"][1] += 1
        hits["vendor"][0] += bool(first and first.vendor.casefold() == exp["vendor"].casefold())
        if exp.get("price"):
            hits["price"][1] += 1
            hits["price"][0] += bool(first and first.price and first.price.currency == exp["price"]["currency"]
                                     and abs(first.price.amount - exp["price"]["amount"]) <= 0.01 * exp["price"]["amount"])
    assert hits["vendor"][0] >= 0.85 * hits["vendor"][1], hits
    assert hits["price"][0] >= 0.85 * hits["price"][1], hits


def test_wallet_vectors_precision_is_perfect():
    rows = [json.loads(line) for line in (EVAL / "wallets.jsonl").read_text().splitlines() if line.strip()]
    false_pos = [r["address"] for r in rows if not r["valid"] and validate_address(r["address"]) is not None]
    found = sum(1 for r in rows if r["valid"] and validate_address(r["address"]) is not None)
    assert false_pos == []
    assert found >= 0.98 * sum(1 for r in rows if r["valid"])
