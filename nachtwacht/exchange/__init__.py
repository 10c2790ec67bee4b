"""Intelligence exchange with partners: MISP events (PyMISP data model) and STIX 2.1 bundles out,
partner MISP/STIX files in as watch lists."""

from nachtwacht.exchange.exceptions import ExchangeError, PartnerDataError, SelectionError
from nachtwacht.exchange.selection import TLP_LEVELS, Intel, build_intel
from nachtwacht.exchange.service import ExportResult, export_selection, import_partner, select

__all__ = [
    "TLP_LEVELS",
    "ExchangeError",
    "ExportResult",
    "Intel",
    "PartnerDataError",
    "SelectionError",
    "build_intel",
    "export_selection",
    "import_partner",
    "select",
]
