"""Operator-imported sessions: parsing, encryption at rest, and a real crawl where a login-walled
page becomes reachable with the imported session, while the cookie value appears nowhere in the
data directory (logs, WARC files, custody logs, index), nor in the CLI's output."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.evidence.exceptions import KeyUnavailable, SessionError
from crawlers.render.sessions import SessionCookie, SessionStore, parse_cookies
from tests.conftest import cli_json, run_cli

SECRET = "s3ss-" + secrets.token_hex(16)  # the cookie value that must never show up
NETSCAPE = (f"# Netscape HTTP Cookie File\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\t{SECRET}\n"
            "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tlang\tnl\n")


def test_netscape_and_json_exports_are_read():
    cookies = parse_cookies(NETSCAPE.encode())
    assert [(c.name, c.domain, c.http_only, c.expires) for c in cookies] == [
        ("sid", "127.0.0.1", True, None), ("lang", "127.0.0.1", False, 4102444800.0)]
    extension = json.dumps([{"name": "sid", "value": SECRET, "domain": ".abc.onion", "path": "/",
                             "expirationDate": 4102444800.5, "hostOnly": False, "secure": True}])
    (cookie,) = parse_cookies(extension.encode())
    assert cookie.matches("abc.onion") and cookie.matches("www.abc.onion") and not cookie.matches("xabc.onion")
    assert cookie.scrapy_cookie()["secure"] is False  # onion over http is a secure context
    state = json.dumps({"cookies": [{"name": "sid", "value": SECRET, "domain": "abc.onion",
                                     "expires": -1}], "origins": []})
    (cookie,) = parse_cookies(state.encode())
    assert cookie.host_only and cookie.expires is None and not cookie.matches("www.abc.onion")
    assert SECRET not in repr(cookie)


@pytest.mark.parametrize("data", [b"", b"127.0.0.1\tFALSE\t/\tsid\t" + SECRET.encode(),
                                  b'[{"name": "sid", "value": "' + SECRET.encode() + b'"}]', b"{not json"])
def test_bad_exports_are_refused_without_echoing_values(data):
    with pytest.raises(SessionError) as caught:
        parse_cookies(data)
    assert SECRET not in str(caught.value)


def test_sessions_are_encrypted_per_site_with_a_private_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NACHTWACHT_SESSION_KEY", raising=False)
    store = SessionStore(tmp_path)
    info = store.save("noordzee", parse_cookies(NETSCAPE.encode()), imported_by="insp.peeters")
    path = store.path("noordzee")
    assert SECRET.encode() not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_file = tmp_path / "keys" / "session.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert info.cookies == 2 and info.names == ["lang", "sid"] and info.imported_by == "insp.peeters"
    assert [c.value for c in SessionStore(tmp_path).load("noordzee")] == [SECRET, "nl"]
    assert SessionStore(tmp_path).load("mercado") == []  # another site has no session
    # a session file copied under another site's name does not decrypt (site is authenticated)
    store.path("mercado").write_bytes(path.read_bytes())
    with pytest.raises(SessionError, match="does not decrypt"):
        SessionStore(tmp_path).load("mercado")
    with pytest.raises(SessionError, match="does not decrypt"):
        SessionStore(tmp_path, key=bytes(32)).load("noordzee")
    key_file.chmod(0o644)
    with pytest.raises(KeyUnavailable, match="readable by others"):
        SessionStore(tmp_path).load("noordzee")


def test_the_environment_key_wins_and_must_be_well_formed(tmp_path, monkeypatch):
    monkeypatch.setenv("NACHTWACHT_SESSION_KEY", "11" * 32)
    SessionStore(tmp_path).save("s", [SessionCookie("a", SECRET, "h.onion")], imported_by="x")
    assert not (tmp_path / "keys").exists()
    assert SessionStore(tmp_path, key=bytes.fromhex("11" * 32)).load("s")[0].value == SECRET
    monkeypatch.setenv("NACHTWACHT_SESSION_KEY", "too short")
    with pytest.raises(KeyUnavailable) as caught:
        SessionStore(tmp_path).load("s")
    assert "too short" not in str(caught.value)


def test_expired_cookies_are_dropped():
    store_cookies = [SessionCookie("old", SECRET, "h.onion", expires=1.0)]
    assert store_cookies[0].expired()
    with pytest.raises(SessionError, match="expired"):
        SessionStore("/nonexistent", key=bytes(32)).save("s", store_cookies, imported_by="x")


# --- a real crawl ------------------------------------------------------------------------------

MEMBERS = (b"<html><body><h1>Ledenpagina: Speed 10g</h1><p>Prijs 25 EUR, verzending vanuit Belgie. "
           b'Alleen voor leden.</p><a href="http://localhost:{port}/elsewhere">elders</a></body></html>')
LOGIN = (b'<html><body><h1>Members only</h1><form action="/login" method="post"><input name="u">'
         b'<input type="password" name="p"><button>Log in</button></form></body></html>')


class _WalledSite:
    """`/` links to `/members`; `/members` is a login wall unless the request carries the session
    cookie (then it refreshes it with Set-Cookie). Records (path, Host, Cookie) of every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                cookie = self.headers.get("Cookie", "")
                site.requests.append((self.path, self.headers.get("Host", ""), cookie))
                headers = []
                if self.path == "/":
                    body = b'<html><body><h1>Club</h1><a href="/members">leden</a></body></html>'
                elif self.path == "/members" and f"sid={SECRET}" in cookie:
                    body = MEMBERS.replace(b"{port}", str(site.port).encode())
                    headers.append(("Set-Cookie", f"sid={SECRET}; Path=/; HttpOnly"))
                elif self.path == "/members":
                    body = LOGIN
                else:
                    body = b"<html><body><p>elsewhere</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _pages(data):
    from indexer import get_backend

    backend = get_backend({"backend": "embedded", "data_dir": str(data)}, readonly=True)
    try:
        return backend.search("*", kind=None, limit=200).hits
    finally:
        backend.close()


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    site = _WalledSite()
    data = tmp_path_factory.mktemp("session-crawl")
    config = data / "club.yaml"
    config.write_text(f"name: club\nbase_url: {site.base}\n"
                      f"allowed_hosts: ['127.0.0.1', '127.0.0.1:{site.port}', 'localhost', "
                      f"'localhost:{site.port}']\n")
    env_key = os.environ.pop("NACHTWACHT_SESSION_KEY", None)
    try:
        without = cli_json("crawl", str(config), "--via", "direct", "--job", "nosession", data_dir=data)
        before = list(site.requests)
        cookies = data / "cookies.txt"
        cookies.write_text(NETSCAPE)
        imported = run_cli("sessions", "import", "club", str(cookies), "--operator", "insp.peeters",
                           data_dir=data)
        listed = run_cli("sessions", "list", "--json", data_dir=data)
        cookies.unlink()  # what the operator is told to do
        site.requests.clear()
        summary = cli_json("crawl", str(config), "--via", "direct", "--job", "withsession", data_dir=data)
    finally:
        site.stop()
        if env_key is not None:
            os.environ["NACHTWACHT_SESSION_KEY"] = env_key
    return {"without": without, "before": before, "summary": summary, "requests": site.requests,
            "data": data, "base": site.base, "cli": imported.stdout + imported.stderr
            + listed.stdout + listed.stderr, "listed": json.loads(listed.stdout)}


def test_without_a_session_the_members_page_is_a_login_wall(walled):
    assert walled["without"]["errors"].get("loginwall") == 1, walled["without"]
    assert all(f"sid={SECRET}" not in cookie for _, _, cookie in walled["before"])


def test_the_imported_session_reaches_the_members_page(walled):
    pages = {p["url"]: p for p in _pages(walled["data"]) if p.get("kind") == "page"}
    assert walled["base"] + "/members" in pages, sorted(pages)
    sent = [cookie for path, _, cookie in walled["requests"] if path == "/members"]
    assert sent and f"sid={SECRET}" in sent[0]
    assert not walled["summary"]["errors"].get("loginwall"), walled["summary"]
    (info,) = walled["listed"]["sessions"]
    assert info["site"] == "club" and info["names"] == ["lang", "sid"] and info["imported_by"] == "insp.peeters"


def test_the_session_goes_to_its_own_host_only(walled):
    other = [(path, cookie) for path, host, cookie in walled["requests"] if host.startswith("localhost")]
    assert other, "the crawl never followed the link to the other host: the test proves nothing"
    assert all(cookie == "" for _, cookie in other), other


def _files(data):
    for path in sorted(data.rglob("*")):
        if path.is_file() and "sessions" not in path.parts:
            raw = path.read_bytes()
            yield path, gzip.decompress(raw) if path.name.endswith(".gz") else raw


def test_the_cookie_value_is_nowhere_in_logs_warc_custody_or_index(walled):
    seen = {p.relative_to(walled["data"]).as_posix() for p, _ in _files(walled["data"])}
    assert any(s.endswith("crawl.log") for s in seen) and any(s.endswith(".warc.gz") for s in seen)
    assert any(s.endswith("custody.jsonl") for s in seen)
    leaks = [str(path) for path, data in _files(walled["data"]) if SECRET.encode() in data]
    assert leaks == []
    assert SECRET not in json.dumps(_pages(walled["data"]))
    assert SECRET not in walled["cli"]
    # the cookie was sent and answered, and the WARC says so without the value
    warcs = b"".join(data for path, data in _files(walled["data"])
                     if path.name.endswith(".warc.gz") and "withsession" in path.parts)
    assert b"Cookie: [redacted]" in warcs and b"Set-Cookie: [redacted]" in warcs
