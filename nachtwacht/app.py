"""The application layer: one object the CLI, the API and the jobs call. No parsing, no query logic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawlers.runner import CrawlJob, CrawlSummary, run_crawls
from crawlers.siteconfig import SiteConfig, load_site
from nachtwacht import settings as app_settings

__all__ = ["Nachtwacht"]


class Nachtwacht:
    """Wires crawlers, extractors and indexer over one data directory."""

    def __init__(self, data_dir: str | Path | None = None, *, backend: str | None = None,
                 backend_url: str | None = None):
        self.data_dir = app_settings.data_dir(data_dir)
        self.backend_settings = app_settings.backend_settings(self.data_dir, backend, backend_url)

    # --- crawling ------------------------------------------------------------------------------
    def load_site(self, path: str | Path) -> SiteConfig:
        return load_site(path)

    def crawl(self, sites: list[SiteConfig], *, via: str | None = None, max_pages: int | None = None,
              job_id: str | None = None, fresh: bool = False, tor_socks: list[str] | None = None,
              tor_control: list[str] | None = None,
              progress: Callable[[str, dict[str, Any]], None] | None = None,
              overrides: dict[str, Any] | None = None, case: str | None = None) -> list[CrawlSummary]:
        """Crawl the sites (concurrently, one process) into this data directory's index.

        Refused (LegalBasisError) unless `case` (or setting/env NACHTWACHT_CASE) names a registered,
        unexpired legal basis, or config/rights.yaml exempts every site (issue 11).
        """
        from nachtwacht.rights import crawl_settings as rights_settings

        self.data_dir.mkdir(parents=True, exist_ok=True)
        rights = rights_settings(self.data_dir, sites, case=case, overrides=overrides)
        jobs = [CrawlJob(site=s, job_id=job_id if job_id and len(sites) == 1 else "", via=via or "",
                         max_pages=max_pages, fresh=fresh) for s in sites]
        return run_crawls(jobs, data_dir=self.data_dir, tor_socks=tor_socks, tor_control=tor_control,
                          backend=self.backend_settings, progress=progress,
                          overrides={**self.alert_settings(), **(overrides or {}), **rights})

    def alert_settings(self) -> dict[str, Any]:
        """Scrapy settings that turn on alerting (issue 6) with the rules in `config/alerts/`."""
        from crawlers import settings as crawl_defaults

        rules = [str(app_settings.config_dir() / "alerts")]
        if (self.data_dir / "watchlists").is_dir():  # imported partner watch lists (issue 11)
            rules.append(str(self.data_dir / "watchlists"))
        return {"EXTENSIONS": {**crawl_defaults.EXTENSIONS, "nachtwacht.alerts.extension.AlertExtension": 600},
                "NACHTWACHT_ALERT_RULES": rules,
                "NACHTWACHT_ALERT_DATA": str(self.data_dir)}

    # --- reading -------------------------------------------------------------------------------
    def _reader(self) -> Any:
        from indexer import get_backend

        return get_backend(self.backend_settings, readonly=True)

    def search(self, query: str, *, kind: str | None = "listing", limit: int = 20,
               offset: int = 0) -> Any:
        """Search the index with the analysts' query language."""
        backend = self._reader()
        try:
            return backend.search(query, kind=kind, limit=limit, offset=offset)
        finally:
            backend.close()

    def vendors(self, *, query: str = "*", limit: int = 200) -> list[dict[str, Any]]:
        """Vendor profiles, most listings first."""
        backend = self._reader()
        try:
            result = backend.search(query, kind="vendor", limit=limit)
        finally:
            backend.close()
        return sorted(result.hits, key=lambda v: (-int(v.get("listing_count", 0)), v.get("vendor_id", "")))

    # --- API and web UI (issue 7) --------------------------------------------------------------
    def _read(self, fn: Callable[[Any], Any]) -> Any:
        backend = self._reader()
        try:
            return fn(backend)
        finally:
            backend.close()

    def search_sorted(self, query: str, *, kind: str | None = "listing", limit: int = 20,
                      offset: int = 0, sort: str | None = None) -> Any:
        """`search` with an optional sort (`field`, `-field`, `field:desc`)."""
        return self._read(lambda b: b.search(query, kind=kind, limit=limit, offset=offset, sort=sort))

    def document(self, doc_id: str) -> dict[str, Any]:
        """One stored document by id; raises NotFound."""
        from nachtwacht.exceptions import NotFound

        doc = self._read(lambda b: b.get(doc_id))
        if doc is None:
            raise NotFound(f"no document {doc_id!r}")
        return doc

    def vendor(self, vendor_id: str) -> dict[str, Any]:
        """A vendor profile by normalised id (with or without the `vendor:` prefix); raises NotFound."""
        return self.document(vendor_id if vendor_id.startswith("vendor:") else f"vendor:{vendor_id}")

    def price_history(self, listing_id: str, *, limit: int = 1000) -> list[dict[str, Any]]:
        """Observations of a listing, oldest first."""
        escaped = listing_id.replace("\\", "\\\\").replace('"', '\\"')
        result = self._read(lambda b: b.search(f'listing_id:"{escaped}"', kind="observation",
                                                limit=limit, sort="seen"))
        return result.hits

    def aggregate(self, request: dict[str, Any], *, query: str = "*", kind: str | None = None) -> dict[str, Any]:
        """ES-style aggregations over the documents matching `query`."""
        return self._read(lambda b: b.aggregate(request, query=query, kind=kind))

    def export(self, query: str, *, kind: str | None = "listing", limit: int = 100_000) -> list[dict[str, Any]]:
        """Every matching stored document (at most `limit`), for CSV/JSON exports."""
        def scan(b: Any) -> list[dict[str, Any]]:
            out = []
            for doc in b.scan(query, kind=kind):
                out.append(doc)
                if len(out) >= limit:
                    break
            return out

        return self._read(scan)

    def index_health(self) -> dict[str, Any]:
        """Backend name, status and document count."""
        return self._read(lambda b: b.health())

    def vendor_links(self, vendor_id: str) -> list[dict[str, Any]]:
        """Cross-market links of a vendor found by alerting (other vendor, reasons, confidence)."""
        import json

        from nachtwacht.alerts.state import State

        state = State(self.data_dir)
        try:
            rows = state.links(vendor_id)
        finally:
            state.close()
        out = []
        for row in rows:
            reasons = json.loads(row["reasons"]) if isinstance(row["reasons"], str) else row["reasons"]
            out.append({"vendor_id": row["b"] if row["a"] == vendor_id else row["a"],
                        "confidence": row["confidence"], "reasons": reasons,
                        "reason": ", ".join(r["reason"] for r in reasons),
                        "evidence": "; ".join(str(r["evidence"]) for r in reasons)})
        return out

    def _alerts(self, fn: Callable[[Any], Any]) -> Any:
        from nachtwacht.alerts.store import EventStore

        store = EventStore(self.data_dir)
        try:
            return fn(store)
        finally:
            store.close()

    def alerts(self, *, status: str | None = None, type: str | None = None, severity: str | None = None,
               open_only: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        """Alert events, newest first."""
        return self._alerts(lambda s: [e.to_dict() for e in s.list(
            status=status, type=type, severity=severity, open_only=open_only, limit=limit)])

    def alert(self, event_id: int) -> dict[str, Any]:
        """One alert with its workflow history; raises EventNotFound (a NachtwachtError)."""
        return self._alerts(lambda s: s.get(event_id).to_dict() | {"history": s.history(event_id)})

    def alert_action(self, event_id: int, action: str, *, actor: str, note: str = "",
                     assignee: str = "") -> dict[str, Any]:
        """`action`: a workflow status (acknowledged, investigating, closed, false_positive),
        `assign` or `comment`. Raises WorkflowError for a step the workflow does not allow."""
        def act(s: Any) -> dict[str, Any]:
            if action == "assign":
                event = s.assign(event_id, assignee or actor, actor=actor, note=note)
            elif action == "comment":
                event = s.comment(event_id, note, actor=actor)
            else:
                event = s.transition(event_id, action, actor=actor, note=note)
            return event.to_dict()

        return self._alerts(act)

    # --- evidence bundles from the API (issue 7) -----------------------------------------------
    def evidence_bundle(self, doc_ids: list[str], out: str | Path, *, exported_by: str, query: str = "",
                        note: str = "") -> Any:
        """Write the evidence bundle of stored documents to `out`, as `nachtwacht evidence export`
        does (`crawlers.evidence.export_bundle`); returns its ExportResult. Raises NotFound for an
        unknown document and RecordNotFound (a CrawlError) for a document without a capture."""
        from crawlers.evidence import export_bundle

        docs = [self.document(doc_id) for doc_id in doc_ids]
        return export_bundle(self.data_dir, docs, Path(out), exported_by=exported_by, query=query,
                             note=note)

    # --- money flows (issue 12) ----------------------------------------------------------------
    def money_flows(self, query: str = "*") -> Any:
        """Wallet sightings, shared wallets and money-mule leads (`nachtwacht.moneyflows.MoneyFlows`)
        of the listings, posts and vendor profiles matching `query`."""
        from nachtwacht.moneyflows import collect

        return collect(self, query)

    def wallet_timeline(self, vendor: str | None = None, *, query: str = "*") -> list[dict[str, Any]]:
        """Each address of `vendor` (normalised id or handle; every vendor when None) per market,
        first and last seen, with the evidence of its first sighting; oldest first."""
        flows = self.money_flows(query)
        if vendor:
            wanted = "".join(ch for ch in vendor.removeprefix("vendor:").casefold() if ch.isalnum())
            rows = flows.timeline(wanted)
        else:
            rows = sorted(flows.sightings, key=lambda s: (s.vendor_id, s.first_seen, s.site))
        return [s.to_dict() for s in rows]

    def shared_wallets(self, *, query: str = "*") -> list[dict[str, Any]]:
        """Addresses used by several vendors, or by one vendor on several markets."""
        return [s.to_dict() for s in self.money_flows(query).shared]

    def mule_leads(self, *, query: str = "*") -> list[dict[str, Any]]:
        """Money-mule recruitment posts and the vendors they tie to (wallet, contact, handle)."""
        return [m.to_dict() for m in self.money_flows(query).mules]

    def moneyflows_export(self, *, fmt: str, tlp: str, query: str = "*",
                          creator: str = "Nachtwacht") -> tuple[str, int]:
        """Wallet attributions as a GraphSense TagPack (YAML) or CSV text with the analyst's TLP, and
        their count. Raises ExportFormatError (format, TLP) or NothingToExport (a MoneyFlowsError)."""
        from nachtwacht.moneyflows import render_export

        return render_export(self.money_flows(query), fmt=fmt, tlp=tlp, creator=creator)
