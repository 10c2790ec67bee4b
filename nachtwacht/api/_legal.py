"""Cases in the API and UI: analysts' case references and the legal basis of crawl jobs (issue 11).

Once the rights layer holds registered cases (`nachtwacht cases add`), a case reference stated by
an analyst (login, session case, `X-Case-Ref`) must be one of them. A job's case is its crawl
setting `NACHTWACHT_CASE`; `job_legal_basis` says whether a run would be allowed, and why not.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from nachtwacht.rights import CASE_SETTING, CaseRegistry, LegalBasisError, legal_basis_for
from nachtwacht.users import AuthError, check_case_ref

if TYPE_CHECKING:
    from nachtwacht.jobs import Job

__all__ = ["job_case", "job_legal_basis", "registered_case", "still_registered"]


def registered_case(data_dir: str | Path, value: str) -> str:
    """The well-formed case reference `value`; when cases are registered, it must be one of them.

    Raises AuthError (HTTP 400) naming what is wrong; never lists the registered cases.
    """
    case = check_case_ref(value)
    registry = CaseRegistry(data_dir)
    known = {c.case_ref for c in registry.cases()}
    if known and case not in known:
        raise AuthError(f"case {case!r} is not a registered case: ask an admin to register its legal "
                        "basis (nachtwacht cases add) or use a registered case reference")
    return case


def still_registered(data_dir: str | Path, case: str) -> bool:
    """False when cases are registered and `case` (accepted earlier, e.g. at login) is not one of them."""
    known = {c.case_ref for c in CaseRegistry(data_dir).cases()}
    return not known or case in known


def job_case(job: Job) -> str:
    """The case a job crawls under ("" when none is set)."""
    return str((job.settings or {}).get(CASE_SETTING) or "")


def job_legal_basis(data_dir: str | Path, job: Job) -> dict[str, Any]:
    """Whether `job` may run now: {ok, status, case_ref, message, ...the basis}.

    `status` is `valid` (a registered, unexpired case), `exempt` (demo or loopback site, per
    config/rights.yaml), `expired`, `unknown` (case not registered) or `missing` (no case, not exempt).
    """
    from nachtwacht.jobs.sites import site_for

    case = job_case(job)
    try:
        basis = legal_basis_for(data_dir, [site_for(job)], case or None)
    except LegalBasisError as exc:
        message = str(exc)
        if not case:
            status = "missing"
        elif "expired" in message:
            status = "expired"
        else:
            status = "unknown"
        return {"ok": False, "status": status, "case_ref": case, "message": message}
    status = "exempt" if basis.get("exempt") else "valid"
    message = basis.get("reason", "") if status == "exempt" else (
        f"case {basis['case_ref']}: {basis['authority']}, valid until {basis['expires']}")
    return {**basis, "ok": True, "status": status, "case_ref": case, "message": message}
