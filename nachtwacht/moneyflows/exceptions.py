"""Errors of the money-flow layer (wallet timelines, shared wallets, TagPack/CSV export).

MoneyFlowsError (a NachtwachtError)
 ├── NothingToExport   the selection holds no valid wallet attribution
 └── ExportFormatError an unknown format or TLP, or a CSV that does not read back
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError

__all__ = ["ExportFormatError", "MoneyFlowsError", "NothingToExport"]


class MoneyFlowsError(NachtwachtError):
    """Root of the money-flow errors."""


class NothingToExport(MoneyFlowsError):
    """No valid wallet attribution matches the selection."""


class ExportFormatError(MoneyFlowsError):
    """Unknown export format or TLP level, or an unreadable CSV."""
