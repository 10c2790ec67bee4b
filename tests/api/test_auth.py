"""Login, sessions, CSRF, tokens, the login rate limit and deny-by-default."""

from __future__ import annotations

import pytest

from nachtwacht.api import PUBLIC_PATHS
from nachtwacht.users import UserStore
from tests.api.conftest import CASE, PASSWORD


def test_every_api_route_denies_anonymous_callers(api_env):
    anonymous = api_env.client()
    checked = 0
    for path, operations in api_env.app.openapi()["paths"].items():
        if not path.startswith("/api/") or path in PUBLIC_PATHS:
            continue
        url = path.replace("{doc_id}", "x").replace("{listing_id}", "x").replace(
            "{vendor_id}", "x").replace("{item_id}", "1").replace("{username}", "x").replace(
            "{token_id}", "x").replace("{job_id}", "x").replace("{alert_id}", "x")
        for method in operations:
            r = anonymous.request(method.upper(), url, json={})
            assert r.status_code == 401, (method, path, r.status_code, r.text)
            assert r.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 20


def test_public_health_says_nothing_about_the_data(api_env):
    r = api_env.client().get("/api/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_wrong_token_is_401(api_env):
    client = api_env.client()
    r = client.get("/api/search", headers={"Authorization": "Bearer nwt_forged", "X-Case-Ref": CASE})
    assert r.status_code == 401


def test_login_sets_an_httponly_strict_cookie_and_me_answers(api_env):
    client, csrf = api_env.browser("ana")
    cookie = client.http.cookies.get("nw_session")
    assert cookie and csrf
    r = client.get("/api/me")
    assert r.status_code == 200
    assert r.json()["username"] == "ana" and r.json()["case_ref"] == CASE and r.json()["via"] == "session"
    assert "search" in r.json()["permissions"] and "users" not in r.json()["permissions"]


def test_wrong_password_is_401_and_does_not_say_which_part_was_wrong(api_env):
    r1 = api_env.client().post("/api/auth/login", json={"username": "ana", "password": "wrong-password"})
    r2 = api_env.client().post("/api/auth/login", json={"username": "nobody", "password": "wrong-password"})
    assert r1.status_code == r2.status_code == 401
    assert r1.json() == r2.json()


def test_login_is_rate_limited_per_user(api_env):
    api_env.users.create_user("victim", PASSWORD, "analyst")
    client = api_env.client()
    codes = [client.post("/api/auth/login", json={"username": "victim", "password": f"guess-{i}-xxxx"},
                         ).status_code for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    r = client.post("/api/auth/login", json={"username": "victim", "password": PASSWORD})
    assert r.status_code == 429, "even the right password waits out the lock"
    assert int(r.headers["retry-after"]) > 0
    api_env.clock.now += 301
    assert client.post("/api/auth/login", json={"username": "victim", "password": PASSWORD}).status_code == 200


def test_session_unsafe_request_needs_the_csrf_token(api_env):
    client, csrf = api_env.browser("ana")
    body = {"name": "coke", "query": "cocaine", "kind": "listing"}
    assert client.post("/api/saved-searches", json=body).status_code == 403
    assert client.post("/api/saved-searches", json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    r = client.post("/api/saved-searches", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


def test_expired_session_is_refused(api_env):
    client, _ = api_env.browser("ana")
    assert client.get("/api/me").status_code == 200
    api_env.clock.now += api_env.users.session_idle + 1
    try:
        r = client.get("/api/me")
    finally:
        api_env.clock.now -= api_env.users.session_idle + 1
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert client.get("/api/me").status_code == 401, "an expired session is deleted, not revived"


def test_logout_ends_the_session(api_env):
    client, csrf = api_env.browser("bob")
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/me").status_code == 401


def test_session_case_reference_can_be_changed_and_is_validated(api_env):
    client, csrf = api_env.browser("ana", case="OPS-1")
    r = client.put("/api/me/case", json={"case_ref": "OPS-2"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json() == {"case_ref": "OPS-2"}
    bad = client.put("/api/me/case", json={"case_ref": "<script>"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400
    assert client.get("/api/me").json()["case_ref"] == "OPS-2"


def test_tokens_create_use_revoke(api_env):
    client = api_env.client("bob")
    r = client.post("/api/tokens", json={"name": "script"})
    assert r.status_code == 201
    secret, token_id = r.json()["token"], r.json()["id"]
    other = api_env.client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert other.get("/api/me", headers=headers).json()["username"] == "bob"
    assert all("token" not in t for t in client.get("/api/tokens").json())
    assert api_env.client("ana").delete(f"/api/tokens/{token_id}").status_code == 404, "not ana's token"
    assert client.delete(f"/api/tokens/{token_id}").status_code == 200
    assert other.get("/api/me", headers=headers).status_code == 401


def test_expired_token_is_refused(api_env):
    secret, _ = api_env.users.create_token("bob", "short", ttl_days=1)
    client = api_env.client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=headers).status_code == 200
    api_env.clock.now += 2 * 86400
    try:
        assert client.get("/api/me", headers=headers).status_code == 401
    finally:
        api_env.clock.now -= 2 * 86400


def test_passwords_are_stored_as_argon2_hashes(api_env):
    import sqlite3

    conn = sqlite3.connect(api_env.users.path)
    try:
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
    finally:
        conn.close()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


@pytest.mark.parametrize("name", ["A", "x", "has space", "émile"])
def test_bad_usernames_are_refused(tmp_path, name):
    from nachtwacht.users import AuthError

    with pytest.raises(AuthError):
        UserStore(tmp_path).create_user(name, PASSWORD, "analyst")
