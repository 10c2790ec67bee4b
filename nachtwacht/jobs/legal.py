"""The legal-basis gate of a job run, checked before its crawl process is started (issue 11).

It asks `nachtwacht.rights.crawl_settings`, the same check `Nachtwacht.crawl` makes inside the
worker, so a run the worker would refuse is refused up front and no process is started for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from nachtwacht.jobs.sites import site_for

if TYPE_CHECKING:
    from nachtwacht.jobs.model import Job

__all__ = ["job_case", "legal_refusal"]


def job_case(job: Job, env: Mapping[str, str] | None = None) -> str:
    """The case a run of `job` crawls under: its setting NACHTWACHT_CASE, else the worker's env."""
    from nachtwacht.rights.legal import CASE_ENV, CASE_SETTING

    env = os.environ if env is None else env
    return str((job.settings or {}).get(CASE_SETTING) or "") or env.get(CASE_ENV, "")


def legal_refusal(data_dir: str | Path, job: Job, env: Mapping[str, str] | None = None) -> str:
    """Why a run of `job` would be refused now ("" when it may run).

    `env` is the environment its worker would get (default: this process's). Refusals are the
    rights layer's: no legal basis, an unknown or expired case, no usable pseudonymisation key.
    """
    from nachtwacht.rights import RightsError, crawl_settings

    try:
        crawl_settings(data_dir, [site_for(job)], case=job_case(job, env) or None)
    except RightsError as exc:
        return str(exc)
    return ""
