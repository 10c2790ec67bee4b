"""Indexing and query benchmark for the three backends (not part of `make test`).

    .venv/bin/python benchmarks/bench_index.py --docs 100000 --backends embedded,opensearch,elasticsearch
    .venv/bin/python benchmarks/bench_index.py --docs 1000000 --backends embedded

Measures, per backend: bulk upsert docs/s through ``SearchBackend.upsert`` + ``commit`` and
query latency p50/p95 over a fixed query mix; for clusters also the raw ``_bulk`` of
pre-serialised NDJSON (the limit of the node itself, without our preparation). Documents are
synthetic (seeded), nodes come from tests/servers (Maven Central integ-test zips). Results are
printed and written to benchmarks/results/bench_index-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer import get_backend  # noqa: E402
from indexer._es_render import to_body  # noqa: E402
from indexer._mapping import prepare  # noqa: E402

PRODUCTS = [("cocaine", "stimulants"), ("mdma", "ecstasy"), ("cannabis", "cannabis"), ("heroin", "opioids"),
            ("ketamine", "dissociatives"), ("amphetamine", "stimulants"), ("lsd", "psychedelics")]
WORDS = ["pure", "quality", "fast", "shipping", "stealth", "discreet", "sample", "bulk", "offer", "premium", "tested", "lab", "grade", "livraison", "rapide", "qualité", "envoi", "snelle", "levering", "kwaliteit", "envío", "rápido", "calidad"]
COUNTRIES = ["NL", "BE", "FR", "ES", "DE", "SE", "PL"]
LANGS = ["en", "fr", "nl", "es"]
QUERIES = [
    "cocaine", "vendor:v17", "product:mdma AND ships_from:NL", "price_eur:[10 TO 50]",
    '"fast shipping"', "seen:>now-30d AND category:stimulants", "pure OR premium", "ships_to:BE -ships_from:NL",
    "coca*", "lang:fr AND livraison",
]


def make_doc(i: int, rng: random.Random, now: datetime) -> dict[str, Any]:
    name, cat = PRODUCTS[i % len(PRODUCTS)]
    seen = now - timedelta(days=rng.randint(0, 365))
    return {
        "id": f"b{i:08d}", "kind": "listing", "site": f"market{i % 5}", "url": f"http://m/{i}",
        "title": f"{name} {' '.join(rng.sample(WORDS, 4))}",
        "description": " ".join(rng.choices(WORDS, k=40)), "vendor": f"v{i % 997}",
        "vendor_id": f"v{i % 997}", "price": {"amount": rng.uniform(5, 500), "currency": "EUR"},
        "price_eur": {"amount": rng.uniform(5, 500), "rate": 1.0, "rate_date": "2025-01-01"},
        "ships_from": rng.choice(COUNTRIES), "ships_to": rng.sample(COUNTRIES, 3), "category": cat,
        "products": [{"name": name, "category": cat}], "lang": rng.choice(LANGS),
        "first_seen": (seen - timedelta(days=30)).isoformat(), "last_seen": seen.isoformat(),
        "entities": {"wallets": [], "pgp_keys": [], "onions": [], "emails": [], "contacts": []},
    }


def docs(n: int) -> list[dict[str, Any]]:
    rng = random.Random(42)
    now = datetime.now(UTC).replace(microsecond=0)
    return [make_doc(i, rng, now) for i in range(n)]


def bench_backend(settings: dict[str, Any], corpus: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    backend = get_backend(settings)
    t0 = time.perf_counter()
    for start in range(0, len(corpus), batch):
        backend.upsert(corpus[start : start + batch])
        backend.commit()
    elapsed = time.perf_counter() - t0
    total = backend.search("*", limit=0).total
    lat: dict[str, list[float]] = {}
    for _ in range(20):
        for q in QUERIES:
            t = time.perf_counter()
            backend.search(q, limit=20)
            lat.setdefault(q, []).append((time.perf_counter() - t) * 1000)
    allq = sorted(x for v in lat.values() for x in v)
    backend.close()
    return {
        "docs": total,
        "bulk_docs_per_s": round(len(corpus) / elapsed),
        "query_ms_p50": round(statistics.median(allq), 3),
        "query_ms_p95": round(allq[int(len(allq) * 0.95)], 3),
        "per_query_p50_ms": {q: round(statistics.median(v), 3) for q, v in lat.items()},
    }


def raw_bulk(url: str, corpus: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    """POST pre-serialised NDJSON to /_bulk: the node's own limit (no Python preparation timed)."""
    index = "raw-bench"
    body = {"settings": {"number_of_shards": 1, "number_of_replicas": 0}}
    req = urllib.request.Request(f"{url}/{index}", data=json.dumps(body).encode(), method="PUT",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    payloads = []
    for start in range(0, len(corpus), batch):
        lines = []
        for doc in corpus[start : start + batch]:
            lines.append(json.dumps({"index": {"_index": index, "_id": doc["id"]}}))
            lines.append(json.dumps(to_body(prepare(doc))))
        payloads.append(("\n".join(lines) + "\n").encode())
    t0 = time.perf_counter()
    for payload in payloads:
        req = urllib.request.Request(f"{url}/_bulk", data=payload, method="POST",
                                     headers={"Content-Type": "application/x-ndjson"})
        urllib.request.urlopen(req).read()
    urllib.request.urlopen(urllib.request.Request(f"{url}/{index}/_refresh", method="POST")).read()
    elapsed = time.perf_counter() - t0
    return {"raw_bulk_docs_per_s": round(len(corpus) / elapsed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backends", default="embedded,opensearch,elasticsearch")
    parser.add_argument("--batch", type=int, default=5_000, help="documents per upsert+commit")
    args = parser.parse_args()
    corpus = docs(args.docs)
    results: dict[str, Any] = {"docs": args.docs, "batch": args.batch, "when": datetime.now(UTC).isoformat()}
    for name in args.backends.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="nw-bench-"))
        if name == "embedded":
            results[name] = bench_backend({"backend": name, "data_dir": str(tmp)}, corpus, args.batch)
        else:
            from tests.servers.nodes import ELASTICSEARCH, OPENSEARCH, Node

            node = Node(ELASTICSEARCH if name == "elasticsearch" else OPENSEARCH, heap="1g")
            try:
                node.start()
                settings = {"backend": name, "url": node.url, "spool_dir": str(tmp / "spool"),
                            "timeout": 120}
                results[name] = bench_backend(settings, corpus, args.batch)
                results[name].update(raw_bulk(node.url, corpus, args.batch))
            finally:
                node.cleanup()
        print(name, json.dumps(results[name]), flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench_index-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
