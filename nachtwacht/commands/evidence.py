"""`nachtwacht evidence export|verify`: evidence bundles for court, and their verification."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from crawlers.evidence import export_bundle, verify_bundle
from crawlers.evidence.keys import parse_key
from crawlers.evidence.signature import evidence_key
from crawlers.middlewares.evidence import operator_name
from nachtwacht.app import Nachtwacht
from nachtwacht.exceptions import NotFound

__all__ = ["evidence_app"]

evidence_app = typer.Typer(help="Evidence bundles: export the captures behind documents, verify a bundle.",
                           no_args_is_help=True)
out = Console()

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


def _documents(nw: Nachtwacht, ids: list[str], query: str | None, kind: str, limit: int) -> list[dict[str, Any]]:
    """The stored documents to export: by id, and/or every match of a query (at most `limit`)."""
    from indexer import get_backend

    backend = get_backend(nw.backend_settings, readonly=True)
    try:
        docs = []
        for doc_id in ids:
            doc = backend.get(doc_id)
            if doc is None:
                raise NotFound(f"no document {doc_id!r} in the index")
            docs.append(doc)
        if query:
            result = backend.search(query, kind=None if kind == "any" else kind, limit=limit)
            docs.extend(result.hits)
    finally:
        backend.close()
    return docs


@evidence_app.command("export")
def export(
    doc_ids: Annotated[list[str] | None, typer.Argument(help="document ids (listing, post or page)")] = None,
    query: Annotated[str | None, typer.Option(help="export every document matching this query")] = None,
    kind: Annotated[str, typer.Option(help="kind of documents the query selects (listing, post, page, any)")] = "listing",
    limit: Annotated[int, typer.Option(help="at most this many documents from --query")] = 500,
    out_path: Annotated[Path, typer.Option("--out", help="bundle to write (.zip)")] = Path("evidence-bundle.zip"),
    operator: Annotated[str | None, typer.Option(help="who exports (default env NACHTWACHT_OPERATOR or the OS user)")] = None,
    note: Annotated[str, typer.Option(help="case reference or remark, kept in the manifest")] = "",
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Write a bundle: WARC records, DOM, screenshots, documents, custody log and SHA-256 manifest."""
    if not doc_ids and not query:
        raise typer.BadParameter("give document ids or --query")
    nw = Nachtwacht(data_dir)
    docs = _documents(nw, list(doc_ids or []), query, kind, limit)
    if not docs:
        raise NotFound(f"no document matches {query!r}")
    result = export_bundle(nw.data_dir, docs, out_path, exported_by=operator or operator_name(),
                           query=query or "", note=note)
    summary = {"bundle": str(result.path), "manifest_digest": result.manifest_sha256,
               "documents": result.documents, "captures": result.captures, "files": result.files,
               "key_id": result.key_id}
    if json_out:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"wrote {result.path}: {result.documents} documents, {result.captures} captures, "
                  f"{result.files} files\nmanifest digest: {result.manifest_sha256}, signed with key "
                  f"{result.key_id}\n"
                  f"check it with: nachtwacht evidence verify {result.path}")


def _verify_key(key_file: Path | None, data_dir: Path | None) -> bytes | None:
    """--key-file, else env NACHTWACHT_EVIDENCE_KEY, else the data directory's evidence key."""
    if key_file is not None:
        try:
            return parse_key(key_file.read_text(), source=str(key_file))
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {key_file}: {exc.strerror}") from None
    return evidence_key(Nachtwacht(data_dir).data_dir, create=False)


@evidence_app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(help="an evidence bundle (.zip)")],
    key_file: Annotated[Path | None, typer.Option(help="the unit's evidence key file (default: env "
                                                       "NACHTWACHT_EVIDENCE_KEY, else <data dir>/keys/evidence.key)")] = None,
    skip_signature: Annotated[bool, typer.Option(help="check hashes only, without the key (a re-computed "
                                                      "manifest then goes unnoticed)")] = False,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-check every hash, WARC digest, document and custody entry, and the manifest's HMAC
    signature; exit 1 when anything is off (or when no key is at hand, unless --skip-signature)."""
    key = None if skip_signature else _verify_key(key_file, data_dir)
    report = verify_bundle(bundle, key=key)
    if key is None and not skip_signature:
        report.problems.append("signature not checked: no evidence key (--key-file, env "
                               "NACHTWACHT_EVIDENCE_KEY or the data directory's keys/evidence.key)")
    if json_out:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
    elif report.ok:
        out.print(f"[bold green]OK[/] {bundle}: {report.files} files, {report.records} WARC records, "
                  f"{report.documents} documents verified; manifest digest {report.manifest_sha256}; "
                  f"signature {report.signature}")
    else:
        out.print(f"[bold red]FAILED[/] {bundle}: {len(report.problems)} problem(s)")
        for problem in report.problems:
            out.print(f"  - {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
