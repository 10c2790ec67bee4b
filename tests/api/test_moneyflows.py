"""Money-flow routes: wallet timeline, shared wallets, mule leads, TagPack/CSV export with TLP;
roles, case reference, audit before the read, errors (issue 12)."""

from __future__ import annotations

import asyncio

import pytest
import yaml

from indexer import get_backend
from nachtwacht.moneyflows import CSV_COLUMNS, read_csv
from tests.api.conftest import CASE, make_env
from tests.moneyflows.docs import BTC1, BTC2, ETH1, corpus
from tests.moneyflows.test_export import _validate

ROUTES = ["/api/moneyflows/wallets?vendor=kadekoning", "/api/moneyflows/shared", "/api/moneyflows/mules",
          "/api/moneyflows/export?tlp=amber"]


@pytest.fixture(scope="module")
def mf_env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("api-moneyflows")
    backend = get_backend({"backend": "embedded", "data_dir": str(data_dir)})
    try:
        backend.upsert(corpus())
        backend.commit()
    finally:
        backend.close()
    loop = asyncio.new_event_loop()
    yield make_env(data_dir, loop)
    loop.close()


def test_wallet_timeline_of_a_vendor_is_audited_with_the_case(mf_env):
    r = mf_env.client("ana").get("/api/moneyflows/wallets", params={"vendor": "Kade_Koning"})
    assert r.status_code == 200, r.text
    rows = [(s["address"], s["site"], s["first_seen"][:10], s["last_seen"][:10]) for s in r.json()["sightings"]]
    assert rows == [(BTC1, "alpha", "2026-01-05", "2026-03-01"), (BTC1, "beta", "2026-02-10", "2026-02-10"),
                    (ETH1, "alpha", "2026-03-01", "2026-03-01")]
    record = mf_env.audit.records(actor="ana", action="moneyflows.wallets", limit=1)[0]
    assert record["target"] == "vendor:Kade_Koning" and record["case_ref"] == CASE


def test_shared_wallets_and_mule_leads(mf_env):
    client = mf_env.client("ana")
    shared = {s["address"]: s for s in client.get("/api/moneyflows/shared").json()["shared"]}
    assert shared[BTC2]["vendors"] == ["easycash", "grijzekat", "lunaroja"]
    assert shared[BTC1]["sites"] == ["alpha", "beta"]
    mules = {m["post_id"]: m for m in client.get("/api/moneyflows/mules").json()["mules"]}
    assert set(mules) == {"p1", "p2"}
    assert mules["p1"]["tied_to"] == [{"vendor_id": "kadekoning", "reason": "contact", "value": "@kadekoning"}]
    assert mf_env.audit.records(actor="ana", action="moneyflows.mules", limit=1)


def test_tagpack_export_with_the_analysts_tlp_passes_tagpack_tool(mf_env, tmp_path):
    r = mf_env.client("ana").get("/api/moneyflows/export", params={"tlp": "red", "creator": "Unit X"})
    assert r.status_code == 200, r.text
    assert r.headers["x-tlp"] == "RED" and "attachment" in r.headers["content-disposition"]
    pack = yaml.safe_load(r.text)
    assert pack["title"].endswith("(TLP:RED)") and pack["creator"] == "Unit X"
    assert len(pack["tags"]) == int(r.headers["x-attributions"])
    path = tmp_path / "api.yaml"
    path.write_text(r.text, encoding="utf-8")
    proc = _validate(path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    record = mf_env.audit.records(actor="ana", action="moneyflows.export", limit=1)[0]
    assert record["details"]["tlp"] == "red" and record["details"]["format"] == "tagpack"


def test_csv_export_round_trips_and_follows_the_query(mf_env):
    r = mf_env.client("ana").get("/api/moneyflows/export",
                                 params={"tlp": "green", "format": "csv", "q": "site:alpha"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = read_csv(r.text)
    assert rows and {row.tlp for row in rows} == {"green"}
    assert {row.market for row in rows if row.vendor != "lunaroja"} == {"alpha"}


def test_export_errors(mf_env):
    client = mf_env.client("ana")
    assert client.get("/api/moneyflows/export").status_code == 422  # the TLP is the analyst's choice
    assert client.get("/api/moneyflows/export", params={"tlp": "purple"}).status_code == 422
    r = client.get("/api/moneyflows/export", params={"tlp": "amber", "q": "site:nowhere"})
    assert r.status_code == 404 and "no valid wallet attribution" in r.json()["detail"]


@pytest.mark.parametrize("path", ROUTES)
def test_without_a_token_401(mf_env, path):
    r = mf_env.client().get(path)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("user", ["ops", "aud"])
@pytest.mark.parametrize("path", ROUTES)
def test_roles_without_search_get_403(mf_env, user, path):
    assert mf_env.client(user).get(path).status_code == 403


@pytest.mark.parametrize("path", ROUTES)
def test_without_a_case_reference_refused_and_not_run(mf_env, path):
    before = len(mf_env.audit.records(limit=100_000))
    r = mf_env.client("ana", case=None).get(path)
    assert r.status_code == 400 and "case reference" in r.json()["detail"]
    assert len(mf_env.audit.records(limit=100_000)) == before


def test_admin_may_export(mf_env):
    assert mf_env.client("root").get("/api/moneyflows/export", params={"tlp": "clear"}).status_code == 200
