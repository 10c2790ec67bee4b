"""Delivery to real receivers: SMTP with STARTTLS (aiosmtpd), a webhook that verifies the HMAC;
a receiver that is down is retried, then dead-lettered, and nothing blocks the caller."""

from __future__ import annotations

import time

import pytest

from nachtwacht.alerts.dispatch import Dispatcher
from nachtwacht.alerts.events import Event
from nachtwacht.alerts.rules import load_rules
from nachtwacht.alerts.sinks import sign, verify_signature
from nachtwacht.alerts.store import EventStore
from tests.alerts.receivers import channels_yaml, free_port


def _stored_event(tmp_path, title="new vendor X") -> dict:
    store = EventStore(tmp_path)
    try:
        event = store.add(Event(rule="new-vendor", type="new_vendor", severity="high", entity=title,
                                title=title, site="demo", summary="first seen", details={"handle": "X"}),
                          window=0)
        assert event is not None
        return event.to_dict()
    finally:
        store.close()


def _rules(tmp_path, text):
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_mail_and_signed_webhook_are_received(tmp_path, smtp_receiver, webhook_receiver):
    rules = _rules(tmp_path, channels_yaml(smtp_receiver, webhook_receiver))
    payload = _stored_event(tmp_path, "mail and hook")
    dispatcher = Dispatcher(tmp_path, rules.channels)
    dispatcher.submit(payload, ["mail", "hook"])
    dispatcher.close(timeout=20)
    mail = smtp_receiver.by_event()[str(payload["id"])]
    assert "[high] mail and hook" in mail["Subject"]
    assert "first seen" in mail.get_body(("plain",)).get_content()
    hooked = [p for p in webhook_receiver.payloads() if p["title"] == "mail and hook"]
    assert hooked == [payload]
    store = EventStore(tmp_path)
    assert store.get(payload["id"]).delivery == "delivered"
    assert {(d["channel"], d["ok"]) for d in store.deliveries(payload["id"])} == {("mail", 1), ("hook", 1)}
    assert store.dead_letters() == []


def test_a_flaky_webhook_is_retried(tmp_path, webhook_receiver):
    rules = _rules(tmp_path, channels_yaml(None, webhook_receiver, attempts=4))
    payload = _stored_event(tmp_path, "flaky")
    with webhook_receiver.lock:
        webhook_receiver.fail_next = 2
    dispatcher = Dispatcher(tmp_path, rules.channels)
    dispatcher.submit(payload, ["hook"])
    dispatcher.close(timeout=20)
    attempts = [d["ok"] for d in EventStore(tmp_path).deliveries(payload["id"])]
    assert attempts == [0, 0, 1]
    assert [p["title"] for p in webhook_receiver.payloads()].count("flaky") == 1


def test_a_receiver_that_is_down_is_dead_lettered_without_blocking(tmp_path, webhook_receiver):
    rules = _rules(tmp_path, channels_yaml(None, webhook_receiver, dead_port=free_port(), attempts=3))
    payload = _stored_event(tmp_path, "down")
    dispatcher = Dispatcher(tmp_path, rules.channels)
    started = time.monotonic()
    dispatcher.submit(payload, ["down", "hook"])
    assert time.monotonic() - started < 0.5  # submit only queues
    dispatcher.close(timeout=20)
    store = EventStore(tmp_path)
    dead = store.dead_letters()
    assert [(d["channel"], d["attempts"], d["payload"]["id"]) for d in dead] == [("down", 3, payload["id"])]
    assert "Connection refused" in dead[0]["error"] or "refused" in dead[0]["error"].lower()
    assert store.get(payload["id"]).delivery == "partial"
    assert any(p["title"] == "down" for p in webhook_receiver.payloads())


def test_smtp_without_starttls_fails_closed(tmp_path):
    """A server that offers no STARTTLS gets nothing when the channel asks for STARTTLS."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    received: list = []
    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = _rules(tmp_path, f"channels:\n  - {{name: plain, type: smtp, host: 127.0.0.1, port: {port}, "
                                 "from: a@b.invalid, to: [c@d.invalid], attempts: 1}\n")
        payload = _stored_event(tmp_path, "plain")
        dispatcher = Dispatcher(tmp_path, rules.channels)
        dispatcher.submit(payload, ["plain"])
        dispatcher.close(timeout=10)
    finally:
        controller.stop()
    assert received == []
    assert "STARTTLS" in EventStore(tmp_path).dead_letters()[0]["error"]


def test_queued_deliveries_left_at_shutdown_are_dead_lettered(tmp_path):
    port = free_port()
    rules = _rules(tmp_path, f"channels:\n  - {{name: slow, type: webhook, url: 'http://127.0.0.1:{port}/', "
                             "attempts: 5, backoff: 5}\n")
    payloads = [_stored_event(tmp_path, f"e{i}") for i in range(3)]
    dispatcher = Dispatcher(tmp_path, rules.channels)
    for payload in payloads:
        dispatcher.submit(payload, ["slow"])
    started = time.monotonic()
    dispatcher.close(timeout=0.5)
    assert time.monotonic() - started < 8
    dead = EventStore(tmp_path).dead_letters()
    assert sorted(d["payload"]["id"] for d in dead) == sorted(p["id"] for p in payloads)


@pytest.mark.parametrize(("delta", "tamper", "ok"), [(0, False, True), (0, True, False), (600, False, False)])
def test_signature_check(delta, tamper, ok):
    body = b'{"id": 1}'
    header = sign(b"k", "1000", body)
    assert verify_signature(b"k", "1000", body + (b" " if tamper else b""), header, now=1000 + delta) is ok
