"""Cases in the API: analysts' case references must be registered once cases exist, and a job without
a valid legal basis (missing, unknown or expired case) is not started."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from nachtwacht.rights import CaseRegistry
from tests.api.conftest import CASE, PASSWORD, Env, make_env
from tests.api.corpus import seed

EXPIRED = "OLD-2024/7"
OUTSIDE = "http://203.0.113.7/market"  # TEST-NET-3: not loopback, not a demo site: needs a case


@pytest.fixture(scope="module")
def legal_env(tmp_path_factory) -> Iterator[Env]:
    data_dir = tmp_path_factory.mktemp("api-legal")
    seed(data_dir)
    registry = CaseRegistry(data_dir)
    for ref in (CASE, EXPIRED):
        registry.add_case(ref, authority="Parquet Antwerpen, order 12/345", purpose="market monitoring for tests",
                          officer="Insp. Test", expires=date.today() + timedelta(days=30), by="tests")
    with sqlite3.connect(registry.path) as db:  # time passes: this authorisation ran out
        db.execute("UPDATE cases SET expires=? WHERE case_ref=?", ("2024-12-31", EXPIRED))
    loop = asyncio.new_event_loop()
    yield make_env(data_dir, loop)
    loop.close()


def test_analyst_case_reference_must_be_registered(legal_env):
    r = legal_env.client("ana", case="2026/9999-XX").get("/api/search", params={"q": "*"})
    assert r.status_code == 400 and "not a registered case" in r.json()["detail"]
    assert CASE not in r.text, "the refusal does not reveal registered cases"
    assert legal_env.client("ana").get("/api/search", params={"q": "*"}).status_code == 200


def test_login_and_session_case_must_be_registered(legal_env):
    client = legal_env.client()
    r = client.post("/api/auth/login", json={"username": "ana", "password": PASSWORD, "case_ref": "NOPE-1"})
    assert r.status_code == 400 and "not a registered case" in r.json()["detail"]
    session, csrf = legal_env.browser("ana")
    r = session.put("/api/me/case", json={"case_ref": "NOPE-1"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400
    assert session.get("/api/me").json()["case_ref"] == CASE


def test_job_without_legal_basis_is_not_started(legal_env):
    ops = legal_env.client("ops")
    r = ops.post("/api/jobs", json={"target": OUTSIDE, "name": "outside", "via": "direct"})
    assert r.status_code == 201
    basis = r.json()["legal_basis"]
    assert basis["ok"] is False and basis["status"] == "missing" and r.json()["case_ref"] == ""
    r = ops.post("/api/jobs/outside/start")
    assert r.status_code == 403
    assert "not started" in r.json()["detail"] and "no legal basis" in r.json()["detail"]
    assert ops.get("/api/jobs/outside").json()["state"] == "idle"
    assert ops.get("/api/jobs/outside/history").json() == []
    record = legal_env.audit.records(action="job.start.refused", limit=1)[0]
    assert record["target"] == "job:outside" and record["actor"] == "ops"


def test_job_with_an_expired_case_is_not_started(legal_env):
    ops = legal_env.client("ops")
    r = ops.post("/api/jobs", json={"target": OUTSIDE, "name": "expired", "via": "direct", "case_ref": EXPIRED})
    assert r.status_code == 201 and r.json()["case_ref"] == EXPIRED
    assert r.json()["legal_basis"]["status"] == "expired"
    r = ops.post("/api/jobs/expired/start")
    assert r.status_code == 403 and "expired on 2024-12-31" in r.json()["detail"]
    assert ops.get("/api/jobs/expired/history").json() == []


def test_job_case_must_be_registered_and_a_valid_one_shows(legal_env):
    ops = legal_env.client("ops")
    r = ops.post("/api/jobs", json={"target": OUTSIDE, "name": "unknown", "case_ref": "NOPE-1"})
    assert r.status_code == 400 and "no registered case" in r.json()["detail"]
    r = ops.post("/api/jobs", json={"target": OUTSIDE, "name": "valid", "case_ref": CASE})
    assert r.status_code == 201
    basis = ops.get("/api/jobs/valid").json()["legal_basis"]
    assert basis["ok"] and basis["status"] == "valid" and basis["case_ref"] == CASE
    assert basis["authority"].startswith("Parquet Antwerpen")


def test_demo_and_loopback_jobs_are_exempt(legal_env):
    ops = legal_env.client("ops")
    r = ops.post("/api/jobs", json={"target": "http://127.0.0.1:9/", "name": "loop", "via": "direct"})
    assert r.json()["legal_basis"]["status"] == "exempt" and "loopback" in r.json()["legal_basis"]["message"]


def test_a_session_case_unregistered_since_login_is_refused(tmp_path):
    seed(tmp_path)
    loop = asyncio.new_event_loop()
    try:
        env = make_env(tmp_path, loop)
        session, csrf = env.browser("ana", case="BEFORE-1")  # no cases registered yet: accepted
        assert session.get("/api/search", params={"q": "*"}).status_code == 200
        page = session.get("/search", params={"q": "*"})
        assert page.status_code == 200
        CaseRegistry(tmp_path).add_case(CASE, authority="Parquet Gent, order 1/2", purpose="market monitoring tests",
                                        officer="Insp. Test", expires=date.today() + timedelta(days=5), by="tests")
        r = session.get("/api/search", params={"q": "*"})
        assert r.status_code == 400 and "not a registered case" in r.json()["detail"]
        page = session.get("/search", params={"q": "*"})
        assert page.status_code == 303 and page.headers["location"].startswith("/case")
        assert session.put("/api/me/case", json={"case_ref": CASE}, headers={"X-CSRF-Token": csrf}).status_code == 200
        assert session.get("/api/search", params={"q": "*"}).status_code == 200
    finally:
        loop.close()
