"""Errors of the exchange layer (MISP / STIX export and partner import).

ExchangeError (a NachtwachtError)
 ├── SelectionError     the selection to export is empty or ill-formed (no query, vendor or case)
 └── PartnerDataError   a partner's MISP event or STIX bundle cannot be read or yields nothing to watch
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError

__all__ = ["ExchangeError", "PartnerDataError", "SelectionError"]


class ExchangeError(NachtwachtError):
    """Root of the exchange errors."""


class SelectionError(ExchangeError):
    """Nothing (or nothing valid) to export."""


class PartnerDataError(ExchangeError):
    """A partner file is unreadable, invalid, or holds no indicator we can watch for."""
