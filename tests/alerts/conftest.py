"""Session receivers for alert delivery: one SMTP server and one webhook receiver per test session."""

from __future__ import annotations

import pytest

from tests.alerts.receivers import WEBHOOK_SECRET, SmtpReceiver, WebhookReceiver


@pytest.fixture(scope="session")
def smtp_receiver(tmp_path_factory):
    receiver = SmtpReceiver(tmp_path_factory.mktemp("smtp"))
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def webhook_receiver():
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(autouse=True)
def _hook_secret(monkeypatch):
    monkeypatch.setenv("NW_TEST_HOOK_SECRET", WEBHOOK_SECRET)
