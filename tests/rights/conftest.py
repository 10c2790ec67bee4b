"""Fixtures of the fundamental-rights tests: a backdated corpus and, for the cluster case, a real
OpenSearch node (started once for this folder; skipped when Java/Maven are missing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.servers.nodes import OPENSEARCH, Node, tools_missing

NOW = datetime.now(UTC).replace(microsecond=0)
HELD_CASE = "BE-FGP-2024-0001"
OTHER_CASE = "NL-OM-2024-0002"


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def basis(case: str) -> dict[str, Any]:
    return {"case_ref": case, "authority": "juge d'instruction, ordonnance 2024/17", "purpose": "drug market",
            "officer": "insp. Peeters", "expires": "2030-01-01", "exempt": False}


def backdated_corpus() -> tuple[list[dict[str, Any]], set[str]]:
    """Documents of two cases at several ages; and the ids a 365-day retention with a hold on
    HELD_CASE must delete (exactly those)."""
    docs: list[dict[str, Any]] = []
    expired: set[str] = set()

    def add(doc: dict[str, Any], *, expire: bool) -> None:
        docs.append(doc)
        if expire:
            expired.add(doc["id"])

    for i, (age, case) in enumerate([(400, OTHER_CASE), (800, OTHER_CASE), (400, HELD_CASE), (30, OTHER_CASE),
                                     (364, OTHER_CASE), (900, "")]):
        lid = f"listing-{i}"
        old_unheld = age > 365 and case != HELD_CASE
        lb = basis(case) if case else None
        add({"id": lid, "kind": "listing", "site": "demo-x", "url": f"http://x.onion/l/{i}",
             "title": f"listing {i} cocaine", "vendor_id": f"vendor{i % 2}", "first_seen": ago(age + 10),
             "last_seen": ago(age), **({"legal_basis": lb} if lb else {})}, expire=old_unheld)
        add({"id": f"{lid}:{ago(age)}", "kind": "observation", "listing_id": lid, "site": "demo-x",
             "seen_at": ago(age), **({"legal_basis": lb} if lb else {})}, expire=old_unheld)
        add({"id": f"page:{i}", "kind": "page", "site": "demo-x", "url": f"http://x.onion/l/{i}",
             "fetched_at": ago(age), "sha256": "0" * 64, **({"legal_basis": lb} if lb else {})},
            expire=old_unheld)
    add({"id": "post-old", "kind": "post", "site": "forum", "url": "http://f.onion/t/1", "channel": "t",
         "author": "someone", "text": "old post", "posted_at": ago(700), "last_seen": ago(700),
         "legal_basis": basis(OTHER_CASE)}, expire=True)
    add({"id": "post-new", "kind": "post", "site": "forum", "url": "http://f.onion/t/2", "channel": "t",
         "author": "someone", "text": "new post", "posted_at": ago(3), "last_seen": ago(3),
         "legal_basis": basis(OTHER_CASE)}, expire=False)
    # vendor profiles: old and only unheld listings -> deleted; old but one held listing -> kept
    add({"id": "vendor:gone", "kind": "vendor", "vendor_id": "gone", "listing_ids": ["listing-0", "listing-1"],
         "first_seen": ago(900), "last_seen": ago(400)}, expire=True)
    add({"id": "vendor:kept", "kind": "vendor", "vendor_id": "kept", "listing_ids": ["listing-1", "listing-2"],
         "first_seen": ago(900), "last_seen": ago(400)}, expire=False)
    add({"id": "vendor:fresh", "kind": "vendor", "vendor_id": "fresh", "listing_ids": ["listing-3"],
         "first_seen": ago(900), "last_seen": ago(10)}, expire=False)
    return docs, expired


@pytest.fixture(scope="session")
def rights_opensearch() -> Iterator[Node]:
    """A real OpenSearch node for the retention test on a cluster backend."""
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    node = Node(OPENSEARCH)
    try:
        node.start()
        yield node
    finally:
        node.cleanup()
