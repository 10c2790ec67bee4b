"""`make bench`: run every benchmark, print one table (figure, baseline, ratio), write JSON.

    .venv/bin/python benchmarks/run.py [--quick] [--only crawl,extract,index,index1m,tor,workers]

Each benchmark runs in its own process (one Twisted reactor each, fresh memory); its baseline is
measured in the same run, on the same machine, so the ratio is what to read, not the absolute
figure. A benchmark that cannot run here (no tor, no Java, no redis-server) is reported as
skipped with its reason; the others still run. Results go to
``benchmarks/results/bench-<UTC time>.json``. ``--quick`` shrinks every size (a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
PY = sys.executable


@dataclass
class Row:
    """One line of the table: a figure next to its baseline; `ratio` = value / baseline, or
    `paired` when set (the median of ratios of runs paired in time; value and baseline are then
    each the best of their runs)."""

    bench: str
    figure: str
    value: float | None
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""  # e.g. ">= 0.50": what the issue asks of the ratio
    note: str = ""
    paired: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.paired is not None:
            return self.paired
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def verdict(self) -> str:
        if not self.target or self.ratio is None:
            return ""
        op, bound = self.target.split()
        ok = self.ratio >= float(bound) if op == ">=" else self.ratio <= float(bound)
        return "ok" if ok else "MISS"


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return proc


def _json_of(cmd: list[str], timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    try:
        _run([*cmd, "--json", out], timeout)
        return json.loads(Path(out).read_text())
    finally:
        os.unlink(out)


# --- the benchmarks ------------------------------------------------------------------------------
def bench_crawl(quick: bool) -> tuple[dict[str, Any], list[Row]]:
    # 5 interleaved full/bare pairs: on a shared 2-core VM one run of either can be 1.5x off, and
    # the machine drifts between minutes; the ratio is the median pair
    data = _json_of([PY, str(BENCH / "bench_crawl.py"), "--repeat", "1" if quick else "5"], 900)
    full, bare, rss = data["full"], data["bare"], data["rss32"]
    sites = data.get("sites", 1)
    runs = data.get("full_vs_bare_runs", [])
    rows = [
        Row("crawl", f"full pipeline, loopback, {sites} sites x {data['concurrency']} concurrent",
            full["pages_per_s"], "pages/s", "bare Scrapy, same URLs", bare["pages_per_s"], ">= 0.50",
            f"{full['fetched']} pages; ratio: median of {len(runs)} pairs {runs}, best/best "
            f"{data.get('full_vs_bare_best')}; extraction workers: {data.get('extract_workers', 0)}, "
            f"index writer: {data.get('index_writer', 'inline')}", paired=data.get("full_vs_bare")),
        Row("crawl", "crawl-process CPU per page", full.get("main_cpu_ms_per_page"), "ms",
            "bare Scrapy", bare.get("main_cpu_ms_per_page"), "",
            f"extraction worker and index writer apart; in the garbage collector {full.get('main_gc_ms_per_page')} "
            f"ms (bare {bare.get('main_gc_ms_per_page')})"),
        Row("crawl", "peak RSS, full pipeline, 32 concurrent", rss["full_mib"], "MiB",
            "bare Scrapy, 32 concurrent", rss["bare_mib"], "",
            f"largest process; the crawl process alone {rss.get('full_main_mib', '?')} MiB"),
    ]
    return data, rows


def bench_extract(quick: bool) -> tuple[dict[str, Any], list[Row]]:
    proc = _run([PY, str(BENCH / "bench_extract.py"), "--repeat", "1" if quick else "2"], 900)
    rates: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        match = re.match(r"(.+?)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", line.strip())
        if match:
            rates[match.group(1).strip()] = float(match.group(3))
    tokenizer = next((v for k, v in rates.items() if k.startswith("bare spaCy tokenizer")), None)
    rows = [Row("extract", name, value, "docs/s", "bare spaCy tokenizer (stock)", tokenizer,
                ">= 0.20" if "1 process" in name else "")
            for name, value in rates.items() if not name.startswith("bare spaCy tokenizer")]
    return {"docs_per_s": rates, "stdout": proc.stdout}, rows


def _index_json(docs: int, backends: str, timeout: float) -> dict[str, Any]:
    before = set(RESULTS.glob("bench_index-*.json"))
    _run([PY, str(BENCH / "bench_index.py"), "--docs", str(docs), "--backends", backends], timeout)
    written = sorted(set(RESULTS.glob("bench_index-*.json")) - before)
    if not written:
        raise RuntimeError("bench_index.py wrote no result file")
    return json.loads(written[-1].read_text())


def bench_index(quick: bool) -> tuple[dict[str, Any], list[Row]]:
    backends = ["embedded"]
    skipped = []
    data = _index_json(10_000 if quick else 100_000, "embedded", 900)
    if _java_ok():  # one node at a time; ~500 docs/s on 2 cores, hence fewer documents
        backends += ["opensearch", "elasticsearch"]
        clusters = _index_json(5_000 if quick else 20_000, "opensearch,elasticsearch", 1200)
        data.update({name: {**clusters[name], "docs": clusters["docs"]} for name in backends[1:]})
    else:
        skipped.append("opensearch/elasticsearch: no java")
    rows = []
    for name in backends:
        res = data[name]
        raw = res.get("raw_bulk_docs_per_s")
        rows.append(Row("index", f"bulk upsert, {name}, {res['docs']:,} docs", res["bulk_docs_per_s"], "docs/s",
                        "raw NDJSON _bulk" if raw else "", raw))
    embedded = data["embedded"]
    rows.append(Row("index", f"query p50, embedded, {data['docs']:,} docs", embedded["query_ms_p50"], "ms"))
    rows.append(Row("index", f"query p95, embedded, {data['docs']:,} docs", embedded["query_ms_p95"], "ms"))
    for note in skipped:
        rows.append(Row("index", "bulk upsert, clusters", None, "", note="skipped: " + note))
    return data, rows


def bench_index_1m(quick: bool, small: dict[str, Any] | None) -> tuple[dict[str, Any], list[Row]]:
    data = _index_json(100_000 if quick else 1_000_000, "embedded", 1500)
    embedded = data["embedded"]
    base = (small or {}).get("embedded", {})
    label = f"{data['docs']:,}"
    rows = [Row("index", f"bulk upsert, embedded, {label} docs", embedded["bulk_docs_per_s"], "docs/s",
                "same at 100k" if base else "", base.get("bulk_docs_per_s")),
            Row("index", f"query p50, embedded, {label} docs", embedded["query_ms_p50"], "ms",
                "same at 100k" if base else "", base.get("query_ms_p50")),
            Row("index", f"query p95, embedded, {label} docs", embedded["query_ms_p95"], "ms",
                "same at 100k" if base else "", base.get("query_ms_p95"))]
    return data, rows


def _rounds(data: dict[str, Any], side: str) -> str:
    runs = data.get(f"{side}_vs_curl_runs", [])
    return f"ratio: median of {len(runs)} rounds {runs}, best/best {data.get(f'{side}_vs_curl_best')}"


def bench_tor(quick: bool) -> tuple[dict[str, Any], list[Row]]:
    cmd = [PY, str(BENCH / "bench_torcrawl.py")]
    if quick:
        cmd += ["--pages", "60", "--clients", "1,2"]
    data = _json_of(cmd, 1500)
    rows = [Row("tor", f"full pipeline via private Tor, {data['concurrency']} concurrent",
                data["full"]["pages_per_s"], "pages/s", "curl --socks5-hostname, same pages",
                data["curl"]["pages_per_s"], ">= 0.90", f"{data['curl']['pages']} pages; {_rounds(data, 'full')}",
                paired=data.get("full_vs_curl"))]
    if "fetch" in data:  # our download stack alone (handler + Tor middleware) on the same URLs
        rows.append(Row("tor", "our fetch stack alone via private Tor", data["fetch"]["pages_per_s"], "pages/s",
                        "curl --socks5-hostname, same pages", data["curl"]["pages_per_s"], "",
                        _rounds(data, "fetch"), paired=data.get("fetch_vs_curl")))
    if "slow" in data:  # the same with an onion round trip: where the network is the limit
        slow = data["slow"]
        rows.append(Row("tor", f"full pipeline via Tor, onion +{slow['delay_s']}s/answer",
                        slow["full"]["pages_per_s"], "pages/s", "curl --socks5-hostname, same pages",
                        slow["curl"]["pages_per_s"], ">= 0.90", f"network-limited; {_rounds(slow, 'full')}",
                        paired=slow.get("full_vs_curl")))
    one = data["clients"].get("1", {}).get("pages_per_s")
    for clients, res in sorted(data["clients"].items(), key=lambda kv: int(kv[0])):
        rows.append(Row("tor", f"crawl via {clients} tor client(s), {res['sites']} sites", res["pages_per_s"],
                        "pages/s", "1 tor client", one))
    return data, rows


def bench_workers(quick: bool) -> tuple[dict[str, Any], list[Row]]:
    cmd = [PY, str(BENCH / "bench_workers.py")]
    if quick:
        cmd += ["--workers", "1,2"]
    data = _json_of(cmd, 1200)
    one = data["workers"]["1"]["pages_per_s"]
    rows = [Row("workers", f"Redis frontier, {n} worker process(es)", res["pages_per_s"], "pages/s",
                "1 worker", one, note=f"{res['pages']} pages, {data['cores']} cores")
            for n, res in sorted(data["workers"].items())]
    return data, rows


def _java_ok() -> bool:
    try:
        return subprocess.run(["java", "-version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# --- the table -----------------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def table(rows: list[Row], cores: int | None) -> str:
    head = f"Nachtwacht benchmarks on {cores} cores ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    widths = (8, 50, 9, 8, 28, 9, 6, 12)
    cols = ("bench", "figure", "value", "unit", "baseline", "base", "ratio", "target")
    lines = [head, "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines.append("-" * (sum(widths) + 2 * len(widths)))
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        target = f"{row.target} {row.verdict()}".strip()
        cells = (row.bench, row.figure, _fmt(row.value), row.unit, row.baseline_name, _fmt(row.baseline),
                 ratio, target)
        lines.append("  ".join(str(c)[:w].ljust(w) for c, w in zip(cells, widths, strict=True))
                     + (f"  {row.note}" if row.note else ""))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every benchmark")
    parser.add_argument("--only", default="crawl,extract,index,index1m,tor,workers")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"cores": os.cpu_count(), "started": datetime.now(UTC).isoformat(),
                               "quick": args.quick, "benchmarks": {}}
    rows: list[Row] = []
    steps: dict[str, Callable[[], tuple[dict[str, Any], list[Row]]]] = {
        "crawl": lambda: bench_crawl(args.quick),
        "extract": lambda: bench_extract(args.quick),
        "index": lambda: bench_index(args.quick),
        "index1m": lambda: bench_index_1m(args.quick, results["benchmarks"].get("index", {}).get("data")),
        "tor": lambda: bench_tor(args.quick),
        "workers": lambda: bench_workers(args.quick),
    }
    for name in wanted:
        started = time.monotonic()
        sys.stderr.write(f"bench: {name} ...\n")
        try:
            data, new_rows = steps[name]()
        except Exception as exc:  # one benchmark failing must not hide the others
            data, new_rows = {"error": str(exc)}, [Row(name, "(not measured)", None, "", note=str(exc)[:160])]
        took = round(time.monotonic() - started, 1)
        sys.stderr.write(f"bench: {name} done in {took}s\n")
        results["benchmarks"][name] = {"seconds": took, "data": data, "rows": [asdict(r) for r in new_rows]}
        rows += new_rows
    results["table"] = table(rows, os.cpu_count())
    path = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    sys.stdout.write(results["table"] + f"\n\nwritten {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
