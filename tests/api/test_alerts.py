"""Alerts over the API: inbox, workflow actions, and another user's alert stays theirs."""

from __future__ import annotations

import pytest

from nachtwacht.alerts.events import Event
from nachtwacht.alerts.store import EventStore


@pytest.fixture
def alert_id(api_env):
    store = EventStore(api_env.data_dir)
    try:
        event = store.add(Event(rule="test-rule", type="new_vendor", severity="high",
                                entity=f"e{id(object())}", title="new vendor: GrijzeKat on alpha",
                                site="alpha", doc_ids=["lst0003"]), window=0)
    finally:
        store.close()
    return event.id


def test_inbox_lists_open_alerts(api_env, alert_id):
    r = api_env.client("ana").get("/api/alerts", params={"open_only": "true"})
    assert r.status_code == 200
    assert alert_id in [e["id"] for e in r.json()]


def test_acknowledge_then_close_with_history_and_audit(api_env, alert_id):
    ana = api_env.client("ana")
    r = ana.post(f"/api/alerts/{alert_id}/actions", json={"action": "acknowledged", "note": "seen"})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert ana.post(f"/api/alerts/{alert_id}/actions", json={"action": "closed"}).json()["status"] == "closed"
    history = ana.get(f"/api/alerts/{alert_id}").json()["history"]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in history][-2:] == [
        ("new", "acknowledged", "ana"), ("acknowledged", "closed", "ana")]
    assert api_env.audit.records(actor="ana", action="alert.closed", limit=1)[0]["target"] == f"alert:{alert_id}"


def test_a_refused_workflow_step_is_409(api_env, alert_id):
    ana = api_env.client("ana")
    ana.post(f"/api/alerts/{alert_id}/actions", json={"action": "closed"})
    r = ana.post(f"/api/alerts/{alert_id}/actions", json={"action": "acknowledged"})
    assert r.status_code == 409


def test_another_users_alert_cannot_be_acted_on(api_env, alert_id):
    ana, bob = api_env.client("ana"), api_env.client("bob")
    assert ana.post(f"/api/alerts/{alert_id}/actions", json={"action": "assign"}).json()["assignee"] == "ana"
    r = bob.post(f"/api/alerts/{alert_id}/actions", json={"action": "closed"})
    assert r.status_code == 403 and "assigned to ana" in r.json()["detail"]
    assert bob.post(f"/api/alerts/{alert_id}/actions", json={"action": "assign"}).status_code == 403
    assert api_env.client("root").post(f"/api/alerts/{alert_id}/actions",
                                       json={"action": "closed"}).status_code == 200, "admins may"


def test_unknown_alert_is_404_and_roles_without_alerts_get_403(api_env):
    assert api_env.client("ana").get("/api/alerts/999999").status_code == 404
    for user in ("ops", "aud"):
        assert api_env.client(user).get("/api/alerts").status_code == 403
