"""The legal-basis gate of every crawl, and the Scrapy settings that carry it into the captures.

`crawl_settings` is called by `Nachtwacht.crawl` before anything is fetched. It returns
`NACHTWACHT_LEGAL_BASIS` (a dict: the case, authority, purpose, officer and expiry, or an
exemption and its reason), which the evidence custody log and every indexed document carry,
and turns on the minimisation pipeline. Without a valid legal basis it raises LegalBasisError.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nachtwacht.rights.cases import CaseRegistry
from nachtwacht.rights.exceptions import CaseError, LegalBasisError
from nachtwacht.rights.policy import RightsPolicy, load_rights

__all__ = ["CASE_ENV", "CASE_SETTING", "LEGAL_BASIS_SETTING", "MINIMISE_PIPELINE", "crawl_settings",
           "exemption", "legal_basis_for"]

logger = logging.getLogger(__name__)

CASE_ENV = "NACHTWACHT_CASE"  # environment variable naming the case of a crawl
CASE_SETTING = "NACHTWACHT_CASE"  # the same as a crawl setting (`--set NACHTWACHT_CASE=...`, job settings)
LEGAL_BASIS_SETTING = "NACHTWACHT_LEGAL_BASIS"
MINIMISE_PIPELINE = "nachtwacht.rights.minimise.MinimisePipeline"
MINIMISE_ORDER = 400  # after ExtractPipeline (300), before IndexPipeline (500)


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exemption(site: Any, policy: RightsPolicy) -> str:
    """Why `site` needs no legal basis under `policy`, or "" when it needs one."""
    rules = policy.legal_basis
    if not rules.required:
        return "legal_basis.required is false in config/rights.yaml"
    if site.name in rules.exempt_sites:
        return f"site {site.name} is exempt (legal_basis.exempt_sites: the synthetic demo market)"
    host = urlsplit(site.base_url).hostname or ""
    if rules.exempt_loopback and _loopback(host):
        return f"loopback target {host} (legal_basis.exempt_loopback: local test and demo services)"
    return ""


def legal_basis_for(data_dir: str | Path, sites: Iterable[Any], case: str | None, *,
                    policy: RightsPolicy | None = None, on: date | None = None) -> dict[str, Any]:
    """The legal-basis record of a crawl of `sites` under `case` (a registered case reference).

    With a case: the case must be registered and not expired. Without one: every site must be
    exempt by the policy. Raises LegalBasisError with what to do otherwise.
    """
    policy = policy or load_rights()
    sites = list(sites)
    if case:
        try:
            basis = CaseRegistry(data_dir).get_case(case)
        except CaseError as exc:
            raise LegalBasisError(f"crawl refused: {exc}") from None
        if basis.expired(on):
            raise LegalBasisError(f"crawl refused: the authorisation of case {basis.case_ref} expired on "
                                  f"{basis.expires}; register a renewed one (nachtwacht cases add "
                                  f"{basis.case_ref} --replace ...)")
        return {**basis.to_dict(), "exempt": False}
    reasons = {site.name: exemption(site, policy) for site in sites}
    missing = sorted(name for name, reason in reasons.items() if not reason)
    if missing:
        raise LegalBasisError(
            f"crawl refused: no legal basis for {', '.join(missing)}. Register the authorisation "
            "(nachtwacht cases add CASE --authority ... --purpose ... --officer ... --expires YYYY-MM-DD) "
            f"and name it: --set {CASE_SETTING}=CASE (or env {CASE_ENV})")
    return {"case_ref": "", "exempt": True, "reason": "; ".join(sorted(set(reasons.values())))}


def crawl_settings(data_dir: str | Path, sites: Iterable[Any], *, case: str | None = None,
                   overrides: dict[str, Any] | None = None, policy: RightsPolicy | None = None
                   ) -> dict[str, Any]:
    """Scrapy settings a crawl needs from this layer; raises LegalBasisError before any fetch.

    The case comes from `case`, else the crawl setting NACHTWACHT_CASE, else env NACHTWACHT_CASE.
    """
    from crawlers import settings as crawl_defaults

    policy = policy or load_rights()
    case = case or str((overrides or {}).get(CASE_SETTING) or "") or os.environ.get(CASE_ENV) or None
    basis = legal_basis_for(data_dir, sites, case, policy=policy)
    logger.info("legal basis: %s", basis.get("case_ref") or basis.get("reason"))
    values: dict[str, Any] = {LEGAL_BASIS_SETTING: basis}
    if policy.minimisation.enabled:
        from nachtwacht.rights.pseudonym import load_key

        load_key(data_dir, policy.minimisation)  # no usable key: refused now, not mid-crawl
        pipelines = dict(crawl_defaults.ITEM_PIPELINES)
        pipelines[MINIMISE_PIPELINE] = MINIMISE_ORDER
        values["ITEM_PIPELINES"] = pipelines
        values["NACHTWACHT_MINIMISE_DATA"] = str(data_dir)
    return values
