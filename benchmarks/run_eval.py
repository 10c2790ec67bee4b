"""`make eval`: score `nachtwacht extract` on ../shared/eval, plus the demo market, in one table.

Runs the shared scorer (its table and SCORE line are printed as they are), then measures the
same extractor on the bundled demo market against its ground truth. Skips cleanly (exit 0)
when ../shared/eval is absent. Options: --limit N (per file/kind), --only pages,texts,wallets.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO))


def run_scorer(limit: int, only: str) -> int:
    cmd = [sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL), "--cmd",
           f"{REPO / '.venv' / 'bin' / 'nachtwacht'} extract", "--only", only]
    if limit:
        cmd += ["--limit", str(limit)]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, check=False)
    print(f"(scorer finished in {time.monotonic() - started:.0f}s)")
    return proc.returncode


def demo_market(seed: int = 7) -> None:
    """Per-field accuracy on the generated demo market (ground truth from the generator)."""
    from extractors import extract_html
    from nachtwacht.demomarket import generate

    world = generate(seed)
    fields = {"page_type": 0, "title": 0, "vendor": 0, "price": 0, "ships_from": 0, "ships_to": 0}
    rows = world.truth["listings"]
    started = time.monotonic()
    for rec in rows:
        page = world.sites[rec["site"]].pages.get(rec["path"], b"")
        result = extract_html(page, url="http://demo" + rec["path"], site=rec["site"])
        first = result.listings[0] if result.listings else None
        fields["page_type"] += result.page_type == "listing"
        if first is None:
            continue
        fields["title"] += first.title == rec["title"]
        fields["vendor"] += first.vendor == rec["vendor"]
        p = rec["price"]
        fields["price"] += bool(first.price and first.price.currency == p["currency"]
                                and abs(first.price.amount - p["amount"]) <= 0.01 * p["amount"])
        fields["ships_from"] += first.ships_from == rec["ships_from"]
        fields["ships_to"] += set(first.ships_to) == set(rec["ships_to"])
    took = time.monotonic() - started
    print(f"\ndemo market (seed {seed}): {len(rows)} listing pages in {took:.1f}s")
    for name, ok in fields.items():
        print(f"demo     {name:<48} {'':>9} {'':>9} {'':>9} {ok / len(rows):9.3f} {len(rows):8d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--only", default="pages,texts,wallets")
    args = parser.parse_args()
    if not (EVAL / "score.py").is_file():
        print(f"eval: {EVAL} not found (internal data, not in the repository); skipped")
        return 0
    rc = run_scorer(args.limit, args.only)
    demo_market()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
