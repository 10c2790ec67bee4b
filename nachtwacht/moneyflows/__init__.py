"""Money flows (issue 12): per-vendor wallet timelines, shared wallets, money-mule recruitment
leads, and TagPack/CSV exports for blockchain analytics, all with TLP marking."""

from nachtwacht.moneyflows.exceptions import ExportFormatError, MoneyFlowsError, NothingToExport
from nachtwacht.moneyflows.export import (
    CSV_COLUMNS,
    TLP_LEVELS,
    Attribution,
    attributions,
    read_csv,
    render_export,
    to_csv,
    to_tagpack,
    write_export,
)
from nachtwacht.moneyflows.flows import (
    MULE_CUES,
    MoneyFlows,
    MuleLead,
    SharedWallet,
    Sighting,
    build_flows,
    collect,
)

__all__ = [
    "CSV_COLUMNS",
    "MULE_CUES",
    "TLP_LEVELS",
    "Attribution",
    "ExportFormatError",
    "MoneyFlows",
    "MoneyFlowsError",
    "MuleLead",
    "NothingToExport",
    "SharedWallet",
    "Sighting",
    "attributions",
    "build_flows",
    "collect",
    "read_csv",
    "render_export",
    "to_csv",
    "to_tagpack",
    "write_export",
]
