"""The event store: deduplication per rule, entity and window; the workflow and its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nachtwacht.alerts.events import Event
from nachtwacht.alerts.exceptions import EventNotFound, WorkflowError
from nachtwacht.alerts.store import EventStore


def _event(entity="demo:vendor1", rule="new-vendor", doc="vendor:vendor1"):
    return Event(rule=rule, type="new_vendor", severity="medium", entity=entity, title=f"new {entity}",
                 site="demo", doc_ids=[doc], details={"handle": "Vendor1"})


@pytest.fixture
def store(tmp_path):
    s = EventStore(tmp_path)
    yield s
    s.close()


def test_one_event_per_rule_entity_and_window(store):
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    first = store.add(_event(), window=3600, now=t0)
    assert first is not None and first.id and first.status == "new"
    assert store.add(_event(doc="listing:2"), window=3600, now=t0 + timedelta(minutes=30)) is None
    again = store.get(first.id)
    assert again.count == 2 and again.doc_ids == ["vendor:vendor1", "listing:2"]
    assert store.add(_event(rule="other-rule"), window=3600, now=t0) is not None
    assert store.add(_event(entity="demo:vendor2"), window=3600, now=t0) is not None
    later = store.add(_event(), window=3600, now=t0 + timedelta(hours=2))
    assert later is not None and later.id != first.id
    assert len(store.list(rule="new-vendor")) == 3


def test_window_zero_never_deduplicates(store):
    assert store.add(_event(), window=0) is not None
    assert store.add(_event(), window=0) is not None


def test_workflow_and_history(store):
    event = store.add(_event(), window=0)
    assert event is not None and event.id is not None
    store.transition(event.id, "acknowledged", actor="anna")
    assigned = store.assign(event.id, "bram", actor="anna", note="his case")
    assert assigned.assignee == "bram" and assigned.status == "investigating"
    store.comment(event.id, "same PGP key as case 41", actor="bram")
    closed = store.transition(event.id, "closed", actor="bram", note="handed to prosecutor")
    assert closed.status == "closed"
    with pytest.raises(WorkflowError, match="closed; it can go to investigating, not acknowledged"):
        store.transition(event.id, "acknowledged", actor="bram")
    actions = [(h["action"], h["actor"], h["to_status"]) for h in store.history(event.id)]
    assert actions == [("raised", "nachtwacht", "new"), ("status", "anna", "acknowledged"),
                       ("assign", "anna", ""), ("status", "anna", "investigating"),
                       ("comment", "bram", ""), ("status", "bram", "closed")]
    assert store.list(open_only=True) == []
    assert store.transition(event.id, "investigating", actor="bram").status == "investigating"


def test_unknown_ids_and_statuses(store):
    with pytest.raises(EventNotFound):
        store.get(999)
    event = store.add(_event(), window=0)
    assert event is not None and event.id is not None
    with pytest.raises(WorkflowError, match="unknown status"):
        store.transition(event.id, "done", actor="x")


def test_two_stores_share_one_file(tmp_path):
    a, b = EventStore(tmp_path), EventStore(tmp_path)
    try:
        event = a.add(_event(), window=3600)
        assert event is not None
        assert b.add(_event(), window=3600) is None
        assert b.get(event.id).count == 2
    finally:
        a.close()
        b.close()
