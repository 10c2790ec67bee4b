"""Errors of the fundamental-rights layer (legal basis, retention, pseudonymisation).

RightsError (a NachtwachtError)
 ├── PolicyError          config/rights.yaml or retention.yaml is invalid (also a ConfigError)
 ├── LegalBasisError      a crawl has no valid legal basis (missing, unknown case, expired): refused
 ├── CaseError            a case registration or legal hold is invalid (bad reference, no purpose, ...)
 ├── PseudonymKeyError    no pseudonymisation key, or an unusable one
 └── ReidentifyRefused    re-identification refused (not an admin, no reason, unknown pseudonym)
"""

from __future__ import annotations

from crawlers.exceptions import ConfigError
from nachtwacht.exceptions import NachtwachtError

__all__ = ["CaseError", "LegalBasisError", "PolicyError", "PseudonymKeyError", "ReidentifyRefused",
           "RightsError"]


class RightsError(NachtwachtError):
    """Root of the fundamental-rights errors."""


class PolicyError(RightsError, ConfigError):
    """A policy file is invalid; a `ConfigError` too, so it names the file, line and field."""


class LegalBasisError(RightsError):
    """A crawl was refused: it has no (valid) legal basis."""


class CaseError(RightsError):
    """A case (authorisation) or legal hold cannot be registered or found."""


class PseudonymKeyError(RightsError):
    """The pseudonymisation key is missing or unusable."""


class ReidentifyRefused(RightsError):
    """Re-identification was refused; nothing was revealed."""
