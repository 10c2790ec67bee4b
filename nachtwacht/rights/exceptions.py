"""Errors of the fundamental-rights layer (legal basis, retention, pseudonymisation).

RightsError (a NachtwachtError)
 ├── PolicyError          config/rights.yaml or config/retention.yaml is invalid; names file, line, field
 ├── LegalBasisError      a crawl has no valid legal basis (missing, unknown case, expired): refused
 ├── CaseError            a case registration or legal hold is invalid (bad reference, no purpose, ...)
 ├── PseudonymKeyError    no pseudonymisation key, or an unusable one
 └── ReidentifyRefused    re-identification refused (not an admin, no reason, unknown pseudonym)
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError

__all__ = ["CaseError", "LegalBasisError", "PolicyError", "PseudonymKeyError", "ReidentifyRefused",
           "RightsError"]


class RightsError(NachtwachtError):
    """Root of the fundamental-rights errors."""


class PolicyError(RightsError):
    """A policy file is invalid. The message names the file, line and field."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, field: str = ""):
        self.path = path
        self.line = line
        self.field = field
        where = path + (f":{line}" if line is not None else "")
        prefix = f"{where}: " if where else ""
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message)


class LegalBasisError(RightsError):
    """A crawl was refused: it has no (valid) legal basis."""


class CaseError(RightsError):
    """A case (authorisation) or legal hold cannot be registered or found."""


class PseudonymKeyError(RightsError):
    """The pseudonymisation key is missing or unusable."""


class ReidentifyRefused(RightsError):
    """Re-identification was refused; nothing was revealed."""
