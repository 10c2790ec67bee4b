"""Delivery sinks: SMTP (STARTTLS or TLS), webhook (JSON POST signed with HMAC-SHA256), JSON Lines file.

A sink has `name` and `send(payload: dict)`; it raises `DeliveryError` on failure and does
no retrying itself (the dispatcher retries and dead-letters). Secrets come from environment
variables the channel config names.

Webhook signature: header `X-Nachtwacht-Signature: sha256=<hex>` over `<timestamp>.<body>`, with
the timestamp in `X-Nachtwacht-Timestamp` (receivers reject old timestamps to stop replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from nachtwacht.alerts.exceptions import DeliveryError

__all__ = ["FileSink", "Sink", "SmtpSink", "WebhookSink", "build_sink", "sign", "verify_signature"]


class Sink(Protocol):
    name: str

    def send(self, payload: dict[str, Any]) -> None:
        """Deliver one event; raise DeliveryError on failure."""
        ...


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, timestamp: str, body: bytes, header: str, *, max_age: float = 300,
                     now: float | None = None) -> bool:
    """Receiver side: constant-time check of the signature and the timestamp's age."""
    try:
        age = abs((now or time.time()) - float(timestamp))
    except ValueError:
        return False
    return age <= max_age and hmac.compare_digest(sign(secret, timestamp, body), header)


def _secret(env: str, what: str, sink: str) -> str:
    if not env:
        return ""
    value = os.environ.get(env)
    if value is None:
        raise DeliveryError(f"environment variable {env} ({what}) is not set", sink=sink)
    return value


def _subject(payload: dict[str, Any], prefix: str) -> str:
    return f"{prefix} [{payload.get('severity', '')}] {payload.get('title', '')}".strip()[:200]


def _text(payload: dict[str, Any]) -> str:
    lines = [payload.get("title", ""), "", payload.get("summary", ""), "",
             f"alert #{payload.get('id')} rule {payload.get('rule')} ({payload.get('type')}), "
             f"severity {payload.get('severity')}, site {payload.get('site') or '-'}",
             f"raised {payload.get('created_at')}", "", "details:",
             json.dumps(payload.get("details", {}), indent=2, ensure_ascii=False, default=str)]
    return "\n".join(lines)


class SmtpSink:
    """Mail through an SMTP relay. `starttls` (default) fails closed if the server does not offer it."""

    def __init__(self, channel: Any):
        self.name = channel.name
        self.c = channel

    def _tls(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.c.ca_file or None)
        return ctx

    def send(self, payload: dict[str, Any]) -> None:
        c = self.c
        msg = EmailMessage()
        msg["Subject"] = _subject(payload, c.subject_prefix)
        msg["From"] = c.sender
        msg["To"] = ", ".join(c.to)
        msg["X-Nachtwacht-Event"] = str(payload.get("id", ""))
        msg.set_content(_text(payload))
        msg.add_attachment(json.dumps(payload, ensure_ascii=False, default=str).encode(),
                           maintype="application", subtype="json", filename=f"alert-{payload.get('id')}.json")
        try:
            if c.ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=self._tls())
            else:
                client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            with client:
                client.ehlo()
                if c.starttls and not c.ssl:
                    if not client.has_extn("starttls"):
                        raise DeliveryError("server does not offer STARTTLS (set starttls: false to allow "
                                            "plain SMTP)", sink=self.name)
                    client.starttls(context=self._tls())
                    client.ehlo()
                if c.username:
                    client.login(c.username, _secret(c.password_env, "SMTP password", self.name))
                client.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {c.host}:{c.port}: {exc}", sink=self.name) from exc


class WebhookSink:
    """POST the event as JSON; 2xx is success. Never goes through an environment proxy."""

    def __init__(self, channel: Any):
        self.name = channel.name
        self.c = channel
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "nachtwacht-alerts",
                   "X-Nachtwacht-Event": str(payload.get("id", "")), "X-Nachtwacht-Timestamp": timestamp,
                   **self.c.headers}
        secret = _secret(self.c.secret_env, "webhook HMAC key", self.name)
        if secret:
            headers["X-Nachtwacht-Signature"] = sign(secret.encode(), timestamp, body)
        request = urllib.request.Request(self.c.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.c.timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"POST {self.c.url}: HTTP {exc.code}", sink=self.name) from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(f"POST {self.c.url}: {exc}", sink=self.name) from exc


class FileSink:
    """Append one JSON line per event (relative paths are under the data directory)."""

    _lock = threading.Lock()

    def __init__(self, channel: Any, data_dir: Path):
        self.name = channel.name
        path = Path(channel.path).expanduser()
        self.path = path if path.is_absolute() else data_dir / path

    def send(self, payload: dict[str, Any]) -> None:
        line = json.dumps(payload, ensure_ascii=False, default=str) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror}", sink=self.name) from exc


def build_sink(channel: Any, data_dir: Path) -> Sink:
    """The sink for a channel config: built-in types, or a `hook` channel from a plugin."""
    if channel.type == "smtp":
        return SmtpSink(channel)
    if channel.type == "webhook":
        return WebhookSink(channel)
    if channel.type == "file":
        return FileSink(channel, data_dir)
    from nachtwacht.hookspecs import plugin_manager

    for factories in plugin_manager().hook.nachtwacht_alert_channels():
        factory = (factories or {}).get(channel.kind)
        if factory is not None:
            return factory(channel.name, dict(channel.options))
    raise DeliveryError(f"no plugin provides alert channel kind {channel.kind!r}", sink=channel.name)
