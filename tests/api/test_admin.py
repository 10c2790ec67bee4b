"""Users (admin only) and the audit log (auditor)."""

from __future__ import annotations


def test_admin_creates_and_disables_a_user(api_env):
    admin = api_env.client("root")
    r = admin.post("/api/users", json={"username": "newbie", "password": "a long passphrase", "role": "analyst"})
    assert r.status_code == 201 and r.json()["permissions"] == ["alerts", "search"]
    assert admin.post("/api/users", json={"username": "newbie", "password": "a long passphrase",
                                          "role": "analyst"}).status_code == 409
    secret, _ = api_env.users.create_token("newbie", "t")
    me = api_env.client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert admin.patch("/api/users/newbie", json={"disabled": True}).status_code == 200
    me = api_env.client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401, "disabling revokes the user's tokens"
    assert api_env.audit.records(action="user.update", limit=1)[0]["target"] == "newbie"


def test_weak_password_and_unknown_role_are_422(api_env):
    admin = api_env.client("root")
    assert admin.post("/api/users", json={"username": "weak", "password": "short", "role": "analyst"}
                      ).status_code == 422
    assert admin.post("/api/users", json={"username": "weak", "password": "long enough pw",
                                          "role": "superuser"}).status_code == 422


def test_only_admins_manage_users(api_env):
    for user in ("ana", "ops", "aud"):
        assert api_env.client(user).get("/api/users").status_code == 403
        assert api_env.client(user).post("/api/users", json={
            "username": "evil", "password": "a long passphrase", "role": "admin"}).status_code == 403


def test_auditor_reads_and_verifies_the_log_but_cannot_search(api_env):
    api_env.client("ana").get("/api/search", params={"q": "mdma"})
    auditor = api_env.client("aud")
    records = auditor.get("/api/audit", params={"action": "search", "limit": 5}).json()
    assert records[0]["target"] == "mdma" and records[0]["actor"] == "ana"
    verify = auditor.get("/api/audit/verify").json()
    assert verify["ok"] is True and verify["records"] >= 1 and len(verify["head_hash"]) == 64
    assert auditor.get("/api/search", params={"q": "*"}).status_code == 403
    assert api_env.client("ana").get("/api/audit").status_code == 403
