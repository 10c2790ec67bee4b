"""Court-ready evidence: WARC capture of every fetched page, custody log, bundles and verification."""

from crawlers.evidence.bundle import (
    BundleReport,
    ExportResult,
    export_bundle,
    find_capture,
    verify_bundle,
)
from crawlers.evidence.custody import CustodyLog, verify_chain
from crawlers.evidence.exceptions import BundleInvalid, EvidenceError, RecordNotFound
from crawlers.evidence.warc import Capture, Exchange, Resource, WarcStore

__all__ = [
    "BundleInvalid",
    "BundleReport",
    "Capture",
    "CustodyLog",
    "EvidenceError",
    "Exchange",
    "ExportResult",
    "RecordNotFound",
    "Resource",
    "WarcStore",
    "export_bundle",
    "find_capture",
    "verify_bundle",
    "verify_chain",
]
