"""The legal-basis gate: crawls without one are refused before anything is fetched; with one, it
is stored in the custody log and in every indexed document."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from crawlers.siteconfig import SiteConfig
from nachtwacht.app import Nachtwacht
from nachtwacht.rights import CaseError, CaseRegistry, LegalBasisError, legal_basis_for
from nachtwacht.rights.cases import today
from nachtwacht.rights.policy import RightsPolicy
from tests.conftest import REPO, cli_json, run_cli

ONION = "http://" + "a" * 56 + ".onion"
MARKET = SiteConfig(name="some-market", base_url=ONION)
CASE = "BE-FGP-2026-0412"


def _register(data, case=CASE, days=90):
    return CaseRegistry(data).add_case(case, authority="juge d'instruction Bruxelles, ordonnance 2026/117",
                                       purpose="drug trafficking on market X", officer="insp. Peeters",
                                       expires=today() + timedelta(days=days), by="test")


def test_crawl_without_legal_basis_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(LegalBasisError) as info:
        Nachtwacht(tmp_path).crawl([MARKET], via="tor")
    message = str(info.value)
    assert message.startswith("crawl refused: no legal basis for some-market")
    assert "nachtwacht cases add" in message and "NACHTWACHT_CASE" in message
    assert not (tmp_path / "evidence").exists() and not (tmp_path / "index").exists()


def test_cli_refuses_and_exits_2_before_touching_tor(tmp_path):
    proc = run_cli("crawl", ONION + "/", "--via", "tor", "--tor-socks", "127.0.0.1:9", data_dir=tmp_path,
                   check=False)
    assert proc.returncode == 2, proc.stderr
    assert "crawl refused: no legal basis" in proc.stderr
    assert not (tmp_path / "evidence").exists()


def test_unknown_and_expired_cases_are_refused(tmp_path):
    with pytest.raises(LegalBasisError, match="no registered case 'NOPE-1'"):
        legal_basis_for(tmp_path, [MARKET], "NOPE-1")
    _register(tmp_path, days=10)
    assert legal_basis_for(tmp_path, [MARKET], CASE)["case_ref"] == CASE
    with pytest.raises(LegalBasisError, match="expired"):
        legal_basis_for(tmp_path, [MARKET], CASE, on=today() + timedelta(days=11))


def test_registration_validates_every_field(tmp_path):
    registry = CaseRegistry(tmp_path)
    with pytest.raises(CaseError) as info:
        registry.add_case("BE 1", authority="x", purpose="short", officer="", expires="2020-01-01", by="t")
    text = str(info.value)
    for part in ("authority", "purpose", "officer", "in the past"):
        assert part in text
    with pytest.raises(CaseError, match="at most 730 days"):
        registry.add_case("BE-2", authority="judge X", purpose="a long enough purpose", officer="P",
                          expires=today() + timedelta(days=800), by="t")
    with pytest.raises(CaseError, match="invalid case reference"):
        registry.add_case("-bad", authority="judge X", purpose="a long enough purpose", officer="P",
                          expires=today(), by="t")


def test_exemptions_follow_the_policy(tmp_path):
    demo = SiteConfig(name="demo-noordzee", base_url=ONION)
    local = SiteConfig(name="local", base_url="http://127.0.0.1:8080")
    assert legal_basis_for(tmp_path, [demo, local], None)["exempt"] is True
    strict = RightsPolicy.model_validate({"legal_basis": {"exempt_loopback": False, "exempt_sites": []}})
    with pytest.raises(LegalBasisError, match="demo-noordzee, local"):
        legal_basis_for(tmp_path, [demo, local], None, policy=strict)


@pytest.fixture(scope="module")
def case_crawl(demo_world, tmp_path_factory):
    """A short direct crawl of the demo market under a registered case, through the real CLI."""
    from nachtwacht.demomarket import DemoServer

    data = tmp_path_factory.mktemp("case-crawl")
    _register(data)
    server = DemoServer(demo_world.sites["noordzee"])
    base = server.start()
    try:
        summary = cli_json("crawl", str(REPO / "config" / "sites" / "demo-noordzee.yaml"), "--via", "direct",
                           "--base-url", base, "--max-pages", "12", "--set", f"NACHTWACHT_CASE={CASE}",
                           data_dir=data)
    finally:
        server.stop()
    return data, summary


def test_the_legal_basis_goes_into_custody_log_and_documents(case_crawl):
    data, summary = case_crawl
    assert summary["pages"] > 0
    custody = [json.loads(line) for line in (data / "evidence" / "demo-noordzee" / "custody.jsonl").open()]
    starts = [e for e in custody if e["event"] == "run_start"]
    assert starts and starts[0]["legal_basis"]["case_ref"] == CASE
    assert starts[0]["legal_basis"]["officer"] == "insp. Peeters"
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        docs = list(backend.scan("*"))
    finally:
        backend.close()
    stamped = [d for d in docs if d["kind"] in ("page", "listing", "observation")]
    assert stamped and all(d["legal_basis"]["case_ref"] == CASE for d in stamped)
    assert all(d["legal_basis"]["purpose"] == "drug trafficking on market X" for d in stamped)


def test_a_job_without_legal_basis_is_refused_before_any_process_starts(tmp_path):
    cli_json("jobs", "schedule", ONION + "/", "--name", "onion-job", data_dir=tmp_path)
    before = cli_json("jobs", "status", "onion-job", data_dir=tmp_path)["state"]
    proc = run_cli("jobs", "run", "onion-job", "--wait", data_dir=tmp_path, check=False, timeout=120)
    assert proc.returncode != 0
    assert "not started" in proc.stderr and "no legal basis" in proc.stderr
    status = cli_json("jobs", "status", "onion-job", data_dir=tmp_path)
    assert status["state"] == before, "a refused run leaves the job as it was"
    assert status["last_run"]["outcome"] == "refused"
    assert "no legal basis" in status["last_run"]["error"]
    assert not (tmp_path / "jobs" / "onion-job" / "worker.log").exists(), "no crawl process was started"
    assert not (tmp_path / "evidence").exists()
