"""Export a selection (query, vendor or case) as MISP or STIX, and import partner files as watch
lists; both written to the audit log (what was selected, how many objects, the TLP; no contents)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nachtwacht.exchange.exceptions import SelectionError
from nachtwacht.exchange.selection import TLP_LEVELS, Intel, build_intel

__all__ = ["ExportResult", "export_selection", "import_partner", "select"]

FORMATS = ("misp", "stix")
_NAME = re.compile(r"[^a-z0-9_.-]+")


@dataclass
class ExportResult:
    path: str
    format: str
    tlp: str
    selection: str
    documents: int
    vendors: int
    objects: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _links(data_dir: Path, vendor_ids: list[str]) -> list[dict[str, Any]]:
    if not (data_dir / "alerts" / "alerts.db").exists():
        return []
    from nachtwacht.alerts.state import State

    state = State(data_dir)
    try:
        seen, out = set(), []
        for vid in vendor_ids:
            for row in state.links(vid):
                key = tuple(sorted((row["a"], row["b"])))
                if key in seen:
                    continue
                seen.add(key)
                reasons = row["reasons"]
                out.append({"a": row["a"], "b": row["b"], "confidence": row["confidence"],
                            "reasons": json.loads(reasons) if isinstance(reasons, str) else reasons})
        return out
    finally:
        state.close()


def select(data_dir: str | Path, backend_settings: dict[str, Any], *, query: str | None = None,
           vendor: str | None = None, case: str | None = None, limit: int = 50_000) -> Intel:
    """The documents of a query, a vendor (listings and profile) or a case, folded into an `Intel`."""
    from indexer import get_backend

    if sum(bool(x) for x in (query, vendor, case)) != 1:
        raise SelectionError("select exactly one of a query, a vendor or a case")
    backend = get_backend(backend_settings, readonly=True)
    try:
        docs: list[dict[str, Any]] = []
        if vendor:
            from extractors import normalise_vendor

            vid = normalise_vendor(vendor)
            docs = list(backend.scan(f'vendor_id:"{vid}"'))
            description = f"vendor {vid}"
        elif case:
            docs = [d for d in backend.scan("*") if (d.get("legal_basis") or {}).get("case_ref") == case]
            description = f"case {case}"
        else:
            assert query is not None
            docs = [d for d in backend.scan(query) if d.get("kind") in ("listing", "post", "vendor")]
            vendors = {d["vendor_id"] for d in docs if d.get("vendor_id") and d.get("kind") == "listing"}
            for vid in sorted(vendors - {d.get("vendor_id") for d in docs if d.get("kind") == "vendor"}):
                profile = backend.get(f"vendor:{vid}")
                if profile:
                    docs.append(profile)
            description = f"query {query}"
        docs = [d for d in docs if d.get("kind") in ("listing", "post", "vendor")][:limit]
    finally:
        backend.close()
    ids = sorted({d["vendor_id"] for d in docs if d.get("vendor_id")})
    return build_intel(docs, description=description, links=_links(Path(data_dir), ids))


def export_selection(data_dir: str | Path, backend_settings: dict[str, Any], *, fmt: str, tlp: str, out: Path,
                     query: str | None = None, vendor: str | None = None, case: str | None = None,
                     actor: str = "nachtwacht", org: str = "Nachtwacht") -> ExportResult:
    """Write the selection as a MISP event JSON or a STIX bundle to `out`; audited."""
    from nachtwacht.audit import AuditLog

    fmt, tlp = fmt.lower(), tlp.lower().replace("white", "clear")
    if fmt not in FORMATS:
        raise SelectionError(f"format must be one of {', '.join(FORMATS)}")
    if tlp not in TLP_LEVELS:
        raise SelectionError(f"TLP must be one of {', '.join(TLP_LEVELS)}")
    intel = select(data_dir, backend_settings, query=query, vendor=vendor, case=case)
    if fmt == "misp":
        from nachtwacht.exchange.misp import misp_json

        data = misp_json(intel, tlp=tlp)
        objects = len(data["Event"].get("Object", [])) + len(data["Event"].get("Attribute", []))
        text = json.dumps(data, ensure_ascii=False, indent=1)
    else:
        from nachtwacht.exchange.stix import to_stix

        bundle = to_stix(intel, tlp=tlp, org=org)
        objects = len(bundle.objects)
        text = bundle.serialize(pretty=True)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    result = ExportResult(str(out), fmt, tlp, intel.description, intel.documents, len(intel.vendors), objects)
    AuditLog(data_dir).append(actor=actor, role="analyst", action="exchange.export", target=intel.description,
                              case_ref=case or "", details={"format": fmt, "tlp": tlp, "documents": intel.documents,
                                                            "vendors": len(intel.vendors), "objects": objects})
    return result


def import_partner(data_dir: str | Path, path: str | Path, *, name: str | None = None,
                   actor: str = "nachtwacht", severity: str = "high") -> dict[str, Any]:
    """Turn a partner MISP event / STIX bundle into watch list `name` of this data directory; audited."""
    from nachtwacht.audit import AuditLog
    from nachtwacht.exchange.partner import read_partner_file, write_watchlist

    found, digest = read_partner_file(path)
    rule_name = _NAME.sub("-", (name or f"partner-{found.source}-{digest[:10]}").lower()).strip("-.")
    written = write_watchlist(data_dir, rule_name, found, source_file=Path(path).name, sha256=digest,
                              severity=severity)
    counts = {"wallets": len(found.wallets), "pgp": len(found.pgp), "onions": len(found.onions),
              "handles": len(found.handles)}
    AuditLog(data_dir).append(actor=actor, role="analyst", action="exchange.import", target=rule_name,
                              details={"source": found.source, "sha256": digest, "tlp": found.tlp, **counts})
    return {"name": rule_name, "path": str(written), "source": found.source, "tlp": found.tlp,
            "sha256": digest, **counts}
