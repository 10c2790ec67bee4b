"""Real receivers for alert delivery tests: an aiosmtpd SMTP server with STARTTLS, an HTTP webhook
receiver that verifies the HMAC signature. Both bind 127.0.0.1 on free ports."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nachtwacht.alerts.sinks import verify_signature

WEBHOOK_SECRET = "test-webhook-key-not-a-secret"


def free_port() -> int:
    """A port nothing listens on right now (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (IP SAN) and its key, written to `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpReceiver:
    """aiosmtpd in its own thread; requires STARTTLS before MAIL; keeps every message."""

    def __init__(self, folder: Path):
        from aiosmtpd.controller import Controller

        self.cert, key = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.messages: list[Any] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes, policy

                with receiver.lock:
                    receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def by_event(self) -> dict[str, Any]:
        with self.lock:
            return {m["X-Nachtwacht-Event"]: m for m in self.messages}


class WebhookReceiver:
    """HTTP server recording each POST, whether its signature verified; can fail the next N requests."""

    def __init__(self, secret: str = WEBHOOK_SECRET):
        self.secret = secret.encode()
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    valid = verify_signature(receiver.secret, self.headers.get("X-Nachtwacht-Timestamp", ""),
                                             body, self.headers.get("X-Nachtwacht-Signature", ""))
                    receiver.received.append({"valid": valid, "payload": json.loads(body),
                                              "headers": dict(self.headers)})
                self.send_response(204 if valid else 401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r["payload"] for r in self.received if r["valid"]]


def channels_yaml(smtp: SmtpReceiver | None, hook: WebhookReceiver | None, *, dead_port: int | None = None,
                  attempts: int = 3, backoff: float = 0.05) -> str:
    """The `channels:` section for rule files pointing at the receivers."""
    out = ["channels:"]
    if smtp is not None:
        out += [f"  - {{name: mail, type: smtp, host: 127.0.0.1, port: {smtp.port}, starttls: true,",
                f"     ca_file: '{smtp.cert}', from: nachtwacht@test.invalid, to: [cyber@test.invalid],",
                f"     attempts: {attempts}, backoff: {backoff}, timeout: 5}}"]
    if hook is not None:
        out += [f"  - {{name: hook, type: webhook, url: '{hook.url}', secret_env: NW_TEST_HOOK_SECRET,",
                f"     attempts: {attempts}, backoff: {backoff}, timeout: 5}}"]
    if dead_port is not None:
        out += [f"  - {{name: down, type: webhook, url: 'http://127.0.0.1:{dead_port}/hook',",
                f"     attempts: {attempts}, backoff: {backoff}, timeout: 2}}"]
    return "\n".join(out) + "\n"
