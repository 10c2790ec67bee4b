"""Job pages in-process (httpx over ASGI, a session cookie): the case and legal basis shown, a start
without legal basis refused with a clear message, roles and CSRF. Live progress: test_jobs_ui.py."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from nachtwacht.rights import CaseRegistry
from tests.api.conftest import Env, make_env

CASE = "2026/0777-BE"
OUTSIDE = "http://203.0.113.9/"  # not loopback, not a demo site: needs a legal basis


@pytest.fixture(scope="module")
def web_env(tmp_path_factory) -> Iterator[Env]:
    data_dir = tmp_path_factory.mktemp("web-jobs")
    CaseRegistry(data_dir).add_case(CASE, authority="Juge d'instruction Bruxelles, ord. 55/2026",
                                    purpose="monitoring of a market for tests", officer="Insp. Page",
                                    expires=date.today() + timedelta(days=60), by="tests")
    loop = asyncio.new_event_loop()
    yield make_env(data_dir, loop)
    loop.close()


def _error(html: str, element: str) -> str:
    match = re.search(rf'id="{element}">(.*?)</p>', html, re.S)
    assert match, f"no #{element} on the page"
    return match.group(1)


def test_operator_defines_a_job_and_sees_its_case(web_env):
    client, csrf = web_env.browser("ops", case=CASE)
    r = client.get("/jobs")
    assert r.status_code == 200 and 'id="job-form"' in r.text
    r = client.post("/jobs", data={"csrf_token": csrf, "target": OUTSIDE, "name": "cased", "via": "direct",
                                   "case_ref": CASE, "max_pages": "5"})
    assert r.status_code == 303 and r.headers["location"] == "/jobs/cased"
    page = client.get("/jobs/cased").text
    assert re.search(r'id="job-case">\s*2026/0777-BE', page)
    assert "legal valid" in page and "Juge d&#39;instruction Bruxelles" in page
    assert "cased" in client.get("/jobs").text
    assert web_env.audit.records(action="job.create", limit=1)[0]["target"] == "job:cased"


def test_start_without_legal_basis_is_refused_with_a_clear_message(web_env):
    client, csrf = web_env.browser("ops", case=CASE)
    client.post("/jobs", data={"csrf_token": csrf, "target": OUTSIDE, "name": "nobasis", "via": "direct"})
    page = client.get("/jobs/nobasis").text
    assert "NO LEGAL BASIS" in page
    r = client.post("/jobs/nobasis/start", data={"csrf_token": csrf})
    assert r.status_code == 403
    message = _error(r.text, "job-error")
    assert "not started" in message and "no legal basis" in message and "nachtwacht cases add" in message
    assert 'id="job-state">idle' in r.text and 'id="job-legal-hint"' in r.text
    r = client.post("/jobs", data={"csrf_token": csrf, "target": OUTSIDE, "name": "nobasis", "case_ref": CASE,
                                   "replace": "true"})
    assert r.status_code == 303
    assert "legal valid" in client.get("/jobs/nobasis").text, "redefined under a registered case"
    assert client.get("/api/jobs/nobasis/history", headers={"X-CSRF-Token": csrf}).json() == []


def test_form_errors_are_shown_on_the_page(web_env):
    client, csrf = web_env.browser("ops", case=CASE)
    r = client.post("/jobs", data={"csrf_token": csrf, "target": "/etc/passwd"})
    assert r.status_code == 400 and "target" in _error(r.text, "job-form-error")
    r = client.post("/jobs", data={"csrf_token": csrf, "target": OUTSIDE, "case_ref": "NOT-REGISTERED"})
    assert r.status_code == 400 and "no registered case" in _error(r.text, "job-form-error")


def test_jobs_pages_need_the_jobs_role_and_csrf(web_env):
    analyst, csrf = web_env.browser("ana", case=CASE)
    assert analyst.get("/jobs").status_code == 403
    assert analyst.post("/jobs", data={"csrf_token": csrf, "target": OUTSIDE, "name": "x"}).status_code == 403
    ops, _ = web_env.browser("ops", case=CASE)
    r = ops.post("/jobs", data={"csrf_token": "forged", "target": OUTSIDE, "name": "forged"})
    assert r.status_code == 403 and ops.get("/api/jobs/forged").status_code == 404
    anonymous = web_env.client()
    r = anonymous.get("/jobs")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert 'href="/jobs"' in ops.get("/jobs").text and 'href="/jobs"' not in analyst.get("/search").text


def test_home_leads_each_role_to_its_first_page(web_env):
    for user, home in (("ops", "/jobs"), ("ana", "/search"), ("aud", "/audit"), ("root", "/search")):
        client, _ = web_env.browser(user, case=CASE)
        r = client.get("/")
        assert r.status_code == 303 and r.headers["location"] == home, user
    r = web_env.client().get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
