"""Fundamental rights: the legal basis of every crawl, retention with legal holds, and
pseudonymisation of non-targets' personal data (with logged re-identification)."""

from nachtwacht.rights.cases import CaseRegistry, Hold, LegalBasis
from nachtwacht.rights.exceptions import (
    CaseError,
    LegalBasisError,
    PolicyError,
    PseudonymKeyError,
    ReidentifyRefused,
    RightsError,
)
from nachtwacht.rights.legal import (
    CASE_SETTING,
    LEGAL_BASIS_SETTING,
    crawl_settings,
    legal_basis_for,
)
from nachtwacht.rights.policy import RetentionPolicy, RightsPolicy, load_retention, load_rights
from nachtwacht.rights.pseudonym import Pseudonymiser, PseudonymVault, load_key
from nachtwacht.rights.reidentify import reidentify
from nachtwacht.rights.retention import RetentionReport, apply_retention

__all__ = [
    "CASE_SETTING",
    "LEGAL_BASIS_SETTING",
    "CaseError",
    "CaseRegistry",
    "Hold",
    "LegalBasis",
    "LegalBasisError",
    "PolicyError",
    "PseudonymKeyError",
    "PseudonymVault",
    "Pseudonymiser",
    "ReidentifyRefused",
    "RetentionPolicy",
    "RetentionReport",
    "RightsError",
    "RightsPolicy",
    "apply_retention",
    "crawl_settings",
    "legal_basis_for",
    "load_key",
    "load_retention",
    "load_rights",
    "reidentify",
]
