"""`nachtwacht extract FILE... [--format html|text] [--json] [--workers N]`.

Streams one JSON object per HTML file, or per ``{"id", "text"}`` record of a JSONL file, in
input order. Large batches go to worker processes (each loads the pipelines once).
Unreadable inputs print a one-line error on stderr; the exit code is then 1.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["extract"]

AUTO_WORKERS_FROM = {"html": 24, "text": 400}  # batch size from which 2+ workers pay off
_CHUNK = {"html": 4, "text": 128}  # html: files per task; text: records per model call


def _one_html(path: str) -> dict[str, Any] | str:
    from extractors import extract_html

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return extract_html(data, source=path).to_dict()


def _text_chunk(records: list[tuple[str, str]]) -> list[dict[str, Any] | str]:
    """A chunk of text records in one call (the recruitment model scores them together)."""
    from extractors import extract_texts

    return [result.to_dict() for result in extract_texts(records)]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _records(files: list[Path], errors: list[str]) -> Iterator[tuple[str, str]]:
    for path in files:
        try:
            handle = path.open(encoding="utf-8", errors="replace")
        except OSError as exc:
            errors.append(f"cannot read {path}: {exc.strerror or exc}")
            continue
        with handle:
            for n, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    rid, text = str(rec.get("id", f"{path}:{n}")), rec["text"]
                    if not isinstance(text, str):
                        raise TypeError("'text' is not a string")
                except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                    errors.append(f"{path}:{n}: not a {{\"id\", \"text\"}} record ({exc})")
                    continue
                yield rid, text


def _summary(obj: dict[str, Any]) -> str:
    first = obj["listings"][0] if obj["listings"] else {}
    price = first.get("price") or {}
    parts = [obj["source"], obj["page_type"], obj["lang"] or "-", f"{len(obj['listings'])} listing(s)"]
    if first:
        parts.append(f"{first.get('title', '')[:60]!r} by {first.get('vendor') or '?'}"
                     + (f" {price.get('amount')} {price.get('currency')}" if price else ""))
    if obj.get("recruitment", {}).get("label"):
        parts.append(f"RECRUITMENT {obj['recruitment']['score']:.2f}")
    return "  ".join(str(p) for p in parts)


def extract(
    files: Annotated[list[Path], typer.Argument(help="saved pages (html) or JSONL files of {id, text} (text)")],
    format: Annotated[str, typer.Option("--format", help="html|text")] = "html",
    json_out: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout")] = False,
    workers: Annotated[int, typer.Option("--workers", help="worker processes; 0 = automatic")] = 0,
) -> None:
    """Run extraction on saved pages or text records; one JSON object per page or record."""
    if format not in ("html", "text"):
        typer.echo(f"error: --format must be html or text, not {format!r}", err=True)
        raise typer.Exit(2)
    errors: list[str] = []
    if format == "html":
        items: list[Any] = [str(p) for p in files]
        func: Any = _one_html
        n_items = len(items)
    else:
        records = list(_records(files, errors))
        items, func, n_items = _chunks(records, _CHUNK["text"]), _text_chunk, len(records)
    n_workers = workers if workers > 0 else (min(2, os.cpu_count() or 1) if n_items >= AUTO_WORKERS_FROM[format] else 1)
    for message in errors:
        typer.echo(f"error: {message}", err=True)
    chunksize = _CHUNK["html"] if format == "html" else 1
    if n_workers > 1:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            results = pool.map(func, items, chunksize=chunksize)
            failed = _emit_all(results if format == "html" else chain.from_iterable(results), json_out)
    else:
        results = map(func, items)
        failed = _emit_all(results if format == "html" else chain.from_iterable(results), json_out)
    if errors or failed:
        raise typer.Exit(1)


def _emit_all(results: Iterator[dict[str, Any] | str], json_out: bool) -> int:
    """Write each result as it comes; print read errors at once. Returns the failure count."""
    failed = 0
    for result in results:
        if isinstance(result, str):
            typer.echo(f"error: {result}", err=True)
            failed += 1
            continue
        if json_out:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            typer.echo(_summary(result))
        sys.stdout.flush()
    return failed
