"""Evidence bundles: export the captures behind index documents into one zip, and verify one.

A bundle holds `warc/captures.warc.gz` (the original gzip members, copied byte for byte), the
rendered DOM and screenshot of browser captures, the extracted documents as JSON, the custody
entries of those captures, and `manifest.json`: SHA-256 and size of every file, the records with
their digests, who captured, who exported and when, and the manifest's own digest; and
`manifest.sig`, an HMAC of the manifest with the unit's key (`crawlers.evidence.signature`), so a
manifest re-computed after a change is detected by whoever holds the key.
`verify_bundle` re-checks all of it, independently of the store it came from.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawlers.evidence.custody import CustodyLog, canonical, entry_hash, read_entries, utc_iso
from crawlers.evidence.exceptions import BundleInvalid, EvidenceError, RecordNotFound
from crawlers.evidence.keys import key_id
from crawlers.evidence.signature import SIGNATURE, check_signature, evidence_key, sign_manifest

__all__ = ["BundleReport", "ExportResult", "export_bundle", "find_capture", "verify_bundle"]

logger = logging.getLogger(__name__)

FORMAT = "nachtwacht-evidence-bundle/1"
MANIFEST = "manifest.json"
WARC_NAME = "warc/captures.warc.gz"
_EXTENSIONS = {"dom": "html", "screenshot": "png"}


@dataclass
class ExportResult:
    path: Path
    manifest_sha256: str
    documents: int
    captures: int
    files: int
    key_id: str = ""


@dataclass
class BundleReport:
    """What `verify_bundle` found; `ok` only when there is no problem at all."""

    path: str
    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    documents: int = 0
    manifest_sha256: str = ""
    signature: str = "unchecked"  # valid | invalid | unchecked (no key given)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "problems": self.problems, "files": self.files,
                "records": self.records, "documents": self.documents,
                "manifest_sha256": self.manifest_sha256, "signature": self.signature}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_digest(manifest: dict[str, Any]) -> str:
    return _sha(canonical({k: v for k, v in manifest.items() if k != "digest"}))


def find_capture(data_dir: Path, warc_file: str, record_id: str) -> dict[str, Any]:
    """The custody `capture` entry holding `record_id` in `warc_file` (relative to `data_dir`)."""
    if not warc_file or not record_id:
        raise RecordNotFound("the document has no evidence reference (crawled without evidence?)")
    log = Path(data_dir) / Path(warc_file).parent / "custody.jsonl"
    for entry in read_entries(log):
        if entry.get("event") != "capture" or entry.get("warc_file") != warc_file:
            continue
        if entry.get("record_id") == record_id or any(r.get("id") == record_id
                                                      for r in entry.get("records", [])):
            return entry
    raise RecordNotFound(f"no capture with record {record_id} in {warc_file}")


def _read_member(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise EvidenceError(f"{path} is shorter than its custody log says (truncated?)")
    return data


def _payload(member: bytes) -> bytes:
    for record in ArchiveIterator(io.BytesIO(member)):
        return record.content_stream().read()
    return b""


def export_bundle(data_dir: Path, documents: list[dict[str, Any]], out: Path, *,
                  exported_by: str, query: str = "", note: str = "",
                  key: bytes | None = None) -> ExportResult:
    """Write a bundle of the captures behind `documents` (index documents with `evidence`, or
    page documents with `warc_file`/`warc_record_id`), signed with `key` (default: the unit's
    evidence key, created on first use). Logs the export in `<data_dir>/evidence/exports.jsonl`.
    Raises RecordNotFound when a document has no capture, KeyUnavailable without a usable key."""
    data_dir = Path(data_dir)
    key = key or evidence_key(data_dir, create=True)
    assert key is not None
    captures: dict[str, dict[str, Any]] = {}
    doc_refs = []
    for doc in documents:
        ev = doc.get("evidence") or doc
        entry = find_capture(data_dir, ev.get("warc_file", ""), ev.get("warc_record_id", ""))
        captures.setdefault(entry["hash"], entry)
        doc_refs.append((doc, entry))
    files: dict[str, bytes] = {}
    warc = io.BytesIO()
    records = []
    for entry in captures.values():
        source = data_dir / entry["warc_file"]
        for rec in entry["records"]:
            member = _read_member(source, int(rec["offset"]), int(rec["length"]))
            offset = warc.tell()
            warc.write(member)
            records.append({"id": rec["id"], "type": rec["type"], "role": rec.get("role", ""),
                            "url": entry["url"], "captured_at": entry["time"],
                            "payload_digest": rec.get("payload_digest"),
                            "block_digest": rec.get("block_digest"),
                            "bundle_offset": offset, "bundle_length": len(member),
                            "source_file": entry["warc_file"], "source_offset": rec["offset"]})
            if rec.get("role") in _EXTENSIONS:
                name = f"{rec['role']}/{_safe(rec['id'])}.{_EXTENSIONS[rec['role']]}"
                files[name] = _payload(member)
                records[-1]["file"] = name
    files[WARC_NAME] = warc.getvalue()
    doc_list = []
    for doc, entry in doc_refs:
        doc_id = str(doc.get("id") or entry["record_id"])
        name = f"documents/{_safe(doc_id)}.json"
        files[name] = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True,
                                 default=str).encode()
        ev = doc.get("evidence") or doc
        doc_list.append({"id": doc_id, "kind": doc.get("kind", ""), "url": doc.get("url", ""),
                         "file": name, "record_id": entry["record_id"],
                         "sha256": ev.get("sha256") or entry.get("content_sha256", "")})
    custody = [captures[k] for k in captures]
    files["custody.jsonl"] = b"".join(canonical(e) + b"\n" for e in custody)
    sealed = _sealed_files(data_dir, {e["warc_file"] for e in custody})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": utc_iso(),
        "exported_by": exported_by,
        "query": query,
        "note": note,
        "captured_by": sorted({str(e.get("operator", "")) for e in custody}),
        "jobs": sorted({str(e.get("job", "")) for e in custody}),
        "files": {name: {"sha256": _sha(data), "size": len(data)} for name, data in sorted(files.items())},
        "records": records,
        "documents": doc_list,
        "source_files": sealed,
    }
    manifest["digest"] = _manifest_digest(manifest)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, sign_manifest(manifest_bytes, key))
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
    tmp.replace(out)
    bundle_sha = _sha(out.read_bytes())
    CustodyLog(data_dir / "evidence" / "exports.jsonl").append(
        "export", exported_by=exported_by, bundle=str(out), bundle_sha256=bundle_sha,
        manifest_digest=manifest["digest"], documents=[d["id"] for d in doc_list],
        records=[r["id"] for r in records], query=query, key_id=key_id(key))
    logger.info("exported %d documents (%d captures) to %s", len(doc_list), len(custody), out)
    return ExportResult(path=out, manifest_sha256=manifest["digest"], documents=len(doc_list),
                        captures=len(custody), files=len(files) + 2, key_id=key_id(key))


def _sealed_files(data_dir: Path, warc_files: set[str]) -> dict[str, str]:
    """SHA-256 of each source WARC file as sealed in its job's custody log ('' while open)."""
    sealed = dict.fromkeys(sorted(warc_files), "")
    for warc_file in warc_files:
        for entry in read_entries(data_dir / Path(warc_file).parent / "custody.jsonl"):
            if entry.get("event") == "warc_sealed" and entry.get("warc_file") == warc_file:
                sealed[warc_file] = entry.get("sha256", "")
    return sealed


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name.strip("<>"))[:120]


def verify_bundle(path: Path, key: bytes | None = None) -> BundleReport:
    """Check every file, record, document and custody entry of a bundle, and with `key` its
    signature (without one, `signature` stays "unchecked": hashes alone do not catch a re-computed
    manifest). Raises BundleInvalid only when the file is not a bundle at all; every other finding
    is a problem in the report."""
    report = BundleReport(path=str(path))
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleInvalid(f"{path}: not a readable zip ({exc})") from exc
    with zf:
        contents: dict[str, bytes] = {}
        for info in zf.infolist():
            try:
                contents[info.filename] = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:  # CRC or deflate errors
                report.problems.append(f"{info.filename}: unreadable in the zip ({exc})")
    if MANIFEST not in contents:
        if report.problems:
            return report
        raise BundleInvalid(f"{path}: no {MANIFEST}: not an evidence bundle")
    manifest_bytes = contents.pop(MANIFEST)
    signature = contents.pop(SIGNATURE, None)
    if key is not None:
        problem = check_signature(manifest_bytes, signature, key)
        report.signature = "invalid" if problem else "valid"
        if problem:
            report.problems.append(problem)
    try:
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        report.problems.append(f"{MANIFEST}: not valid JSON ({exc})")
        return report
    report.manifest_sha256 = str(manifest.get("digest", ""))
    if manifest.get("format") != FORMAT:
        report.problems.append(f"{MANIFEST}: unknown format {manifest.get('format')!r}")
    if manifest.get("digest") != _manifest_digest(manifest):
        report.problems.append(f"{MANIFEST}: its digest does not match its content (edited?)")
    _check_files(manifest, contents, report)
    content_by_id = _check_records(manifest, contents.get(WARC_NAME, b""), contents, report)
    _check_documents(manifest, contents, content_by_id, report)
    _check_custody(manifest, contents.get("custody.jsonl", b""), report)
    return report


def _check_files(manifest: dict[str, Any], contents: dict[str, bytes], report: BundleReport) -> None:
    listed = manifest.get("files") or {}
    for name, meta in listed.items():
        data = contents.get(name)
        if data is None:
            report.problems.append(f"{name}: listed in the manifest but missing")
            continue
        report.files += 1
        if _sha(data) != meta.get("sha256") or len(data) != meta.get("size"):
            report.problems.append(f"{name}: SHA-256 does not match the manifest (altered)")
    for name in sorted(set(contents) - set(listed)):
        report.problems.append(f"{name}: not listed in the manifest (added)")


def _check_records(manifest: dict[str, Any], warc: bytes, contents: dict[str, bytes],
                   report: BundleReport) -> dict[str, str]:
    """Verify WARC digests with warcio; return record id -> SHA-256 of its decoded content."""
    found: dict[str, Any] = {}
    content_by_id: dict[str, str] = {}
    try:
        for record in ArchiveIterator(io.BytesIO(warc), check_digests=True):
            rid = record.rec_headers.get_header("WARC-Record-ID")
            decoded = record.content_stream().read()  # decodes Content-Encoding; drives digests
            record.raw_stream.read()
            checker = record.digest_checker
            if checker.passed is False or checker.problems:
                report.problems.append(f"WARC record {rid}: {'; '.join(checker.problems)}")
            if record.rec_type in ("response", "resource"):
                content_by_id[rid] = _sha(decoded)
                claimed = record.rec_headers.get_header("WARC-X-Content-SHA256")
                if claimed and claimed != content_by_id[rid]:
                    report.problems.append(f"WARC record {rid}: content SHA-256 does not match")
            found[rid] = record.rec_headers
            report.records += 1
    except Exception as exc:  # warcio raises assorted errors on damaged input
        report.problems.append(f"{WARC_NAME}: unreadable ({type(exc).__name__}: {exc})")
    for rec in manifest.get("records") or []:
        headers = found.get(rec.get("id"))
        if headers is None:
            report.problems.append(f"record {rec.get('id')}: in the manifest, not in the WARC")
            continue
        if headers.get_header("WARC-Payload-Digest") != rec.get("payload_digest"):
            report.problems.append(f"record {rec.get('id')}: payload digest differs from the manifest")
        name = rec.get("file")
        if name and name in contents and _sha(contents[name]) != content_by_id.get(rec["id"]):
            report.problems.append(f"{name}: differs from its WARC record {rec['id']}")
    return content_by_id


def _check_documents(manifest: dict[str, Any], contents: dict[str, bytes],
                     content_by_id: dict[str, str], report: BundleReport) -> None:
    for doc in manifest.get("documents") or []:
        report.documents += 1
        rid = doc.get("record_id")
        if rid not in content_by_id:
            report.problems.append(f"document {doc.get('id')}: its evidence record is missing")
            continue
        if doc.get("sha256") and doc["sha256"] != content_by_id[rid]:
            report.problems.append(f"document {doc.get('id')}: indexed SHA-256 differs from the "
                                   f"captured bytes")
        data = contents.get(doc.get("file", ""))
        if data is None:
            continue
        try:
            body = json.loads(data)
        except ValueError:
            report.problems.append(f"{doc.get('file')}: not valid JSON")
            continue
        ev = body.get("evidence") or body
        if ev.get("sha256") and ev["sha256"] != doc.get("sha256"):
            report.problems.append(f"{doc.get('file')}: evidence SHA-256 differs from the manifest")


def _check_custody(manifest: dict[str, Any], data: bytes, report: BundleReport) -> None:
    ids = {r.get("id") for r in manifest.get("records") or []}
    for number, line in enumerate(data.splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            report.problems.append(f"custody.jsonl line {number}: not valid JSON")
            continue
        if entry.get("hash") != entry_hash(entry):
            report.problems.append(f"custody.jsonl line {number}: entry hash does not match")
        for rec in entry.get("records", []):
            if rec.get("id") not in ids:
                report.problems.append(f"custody.jsonl line {number}: record {rec.get('id')} "
                                       f"not in the bundle")
