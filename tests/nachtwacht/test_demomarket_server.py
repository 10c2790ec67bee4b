"""The demo server over real loopback HTTP: status codes, hostile pages, concurrency."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from nachtwacht.demomarket import DemoServer, DemoServerError, DemoWorld, generate, serve_world


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(7)


@pytest.fixture(scope="module")
def servers(world: DemoWorld) -> Iterator[dict[str, DemoServer]]:
    started = serve_world(world)
    yield started
    for server in started.values():
        server.stop()


def _get(server: DemoServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, target)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_each_site_has_its_own_loopback_port(servers: dict[str, DemoServer]) -> None:
    assert set(servers) >= {"noordzee", "mercado"}
    ports = {s.port for s in servers.values()}
    assert len(ports) == len(servers) and 0 not in ports
    for server in servers.values():
        assert server.base_url == f"http://127.0.0.1:{server.port}"


def test_pages_are_served_byte_for_byte_with_charset(world: DemoWorld, servers: dict[str, DemoServer]) -> None:
    for name, server in servers.items():
        site = world.sites[name]
        for key in list(site.pages)[:40]:
            status, headers, body = _get(server, key)
            assert status == 200, (name, key)
            assert body == site.pages[key]
            assert headers["content-type"] == "text/html; charset=utf-8"
            assert int(headers["content-length"]) == len(body)


def test_head_has_headers_and_no_body(servers: dict[str, DemoServer]) -> None:
    status, headers, body = _get(servers["noordzee"], "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_query_handling_page_one_alias_and_ignored_keys(world: DemoWorld, servers: dict[str, DemoServer]) -> None:
    nz, mc = servers["noordzee"], servers["mercado"]
    assert _get(nz, "/categorie/cocaine?pagina=1")[2] == world.sites["noordzee"].pages["/categorie/cocaine"]
    assert _get(nz, "/categorie/cocaine?pagina=2&sort=prijs")[0] == 200
    assert _get(nz, "/categorie/cocaine?pagina=999")[0] == 404
    item = next(t for t in world.truth["listings"] if t["site"] == "mercado" and not t["malformed"])
    assert _get(mc, item["path"] + "&lang=fr")[2] == world.sites["mercado"].pages[item["path"]]


@pytest.mark.parametrize(
    "target",
    ["/nope", "/product/abc", "/product/99999999999999999999", "/verkoper/", "/%00", "/../../etc/passwd",
     "/categorie/cocaine?pagina=%ff%fe", "/" + "a" * 5000, "/agenda/2024/13", "/agenda/0/5",
     "/product/1?x=%zz", "/product//1", "/item.php?id=1", "/seller/%C3%28"],
)
def test_weird_paths_get_a_404_page_not_a_crash(servers: dict[str, DemoServer], target: str) -> None:
    for server in servers.values():
        status, headers, body = _get(server, target)
        assert status == 404 and b"404" in body and "charset=utf-8" in headers["content-type"]


def test_garbage_request_lines_leave_the_server_running(servers: dict[str, DemoServer]) -> None:
    server = servers["noordzee"]
    for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET\r\n\r\n",
                    b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(garbage)
            sock.recv(4096)
    assert _get(server, "/")[0] == 200


def test_calendar_trap_is_infinite_both_ways(servers: dict[str, DemoServer]) -> None:
    for name, start, pattern in (("noordzee", "/agenda/2024/11", r'href="(/agenda/\d+/\d+)"'),
                                 ("mercado", "/calendar/2024-11", r'href="(/calendar/\d+-\d+)"')):
        assert f'href="{start}"' in _get(servers[name], "/")[2].decode()
        for direction in (0, 1):  # each month links to the previous one, then the next one
            target, seen = start, []
            for _ in range(40):
                status, _, body = _get(servers[name], target)
                assert status == 200, target
                seen.append(target)
                target = re.findall(pattern, body.decode())[direction]
            assert len(set(seen)) == 40, (name, direction)
        # far out of any real range, still a page that links onwards
        far = "/agenda/99999/12" if name == "noordzee" else "/calendar/99999-12"
        assert _get(servers[name], far)[0] == 200


def test_big_page_is_20_mib_streamed_with_content_length(servers: dict[str, DemoServer]) -> None:
    for name, path in (("noordzee", "/export/catalogus.html"), ("mercado", "/dump.html")):
        assert f'href="{path}"'.encode() in _get(servers[name], "/")[2]
        status, headers, _ = _get(servers[name], path, "HEAD")
        assert status == 200 and int(headers["content-length"]) == 20 * 1024 * 1024
        status, headers, body = _get(servers[name], path)
        assert len(body) == 20 * 1024 * 1024
        assert body.startswith(b"<!DOCTYPE html>") and body.rstrip().endswith(b"</html>")


def test_client_dropping_the_big_page_early_does_not_hurt_the_server(servers: dict[str, DemoServer]) -> None:
    server = servers["noordzee"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /export/catalogus.html HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in sock.recv(65536)
    assert _get(server, "/")[0] == 200


def test_redirect_loops_and_login_walls(servers: dict[str, DemoServer]) -> None:
    cases = (("noordzee", "/lus/a", "/lus/b"), ("noordzee", "/lus/b", "/lus/a"),
             ("mercado", "/r/1", "/r/2"), ("mercado", "/r/2", "/r/1"),
             ("noordzee", "/account", "/login"), ("mercado", "/orders", "/signin"))
    for name, source, location in cases:
        status, headers, _ = _get(servers[name], source)
        assert (status, headers["location"]) == (302, location)
    for name, wall in (("noordzee", "/login"), ("mercado", "/signin")):
        status, _, body = _get(servers[name], wall)
        assert status == 200 and b"<form" in body and b'type="password"' in body


def test_posting_the_login_form_is_refused(servers: dict[str, DemoServer]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", servers["noordzee"].port, timeout=10)
    conn.request("POST", "/login", body=b"gebruiker=a&wachtwoord=b",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    assert resp.status == 403 and b"<form" in resp.read()
    conn.close()


def test_malformed_pages_are_served_as_is(world: DemoWorld, servers: dict[str, DemoServer]) -> None:
    bad = [t for t in world.truth["listings"] if t["malformed"]]
    assert {t["site"] for t in bad} == {"noordzee", "mercado"}
    for t in bad:
        status, headers, body = _get(servers[t["site"]], t["path"])
        assert status == 200 and "charset=utf-8" in headers["content-type"]
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert t["vendor"].encode() in body


def test_serves_concurrent_keep_alive_clients(world: DemoWorld, servers: dict[str, DemoServer]) -> None:
    site = world.sites["mercado"]
    keys = list(site.pages)
    errors: list[str] = []

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", servers["mercado"].port, timeout=30)
        for i in range(60):
            key = keys[(offset * 7 + i) % len(keys)]
            conn.request("GET", key)
            resp = conn.getresponse()
            if resp.status != 200 or resp.read() != site.pages[key]:
                errors.append(key)
        conn.close()

    # One client holds a slow big download open the whole time: others must not wait on it.
    slow = socket.create_connection(("127.0.0.1", servers["mercado"].port), timeout=30)
    slow.sendall(b"GET /dump.html HTTP/1.1\r\nHost: x\r\n\r\n")
    slow.recv(1024)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    slow.close()
    assert not errors and all(not t.is_alive() for t in threads)
    assert time.monotonic() - began < 30


def test_hits_record_served_targets_and_stop_frees_the_port(world: DemoWorld) -> None:
    server = DemoServer(world.sites["noordzee"])
    with server:
        port = server.port
        _get(server, "/product/does-not-exist")
        _get(server, "/categorie/cannabis?pagina=2")
        assert server.hits == ["/product/does-not-exist", "/categorie/cannabis?pagina=2"]
    assert server.hits[-1] == "/categorie/cannabis?pagina=2"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_binding_a_taken_port_raises_a_clear_error(world: DemoWorld) -> None:
    with DemoServer(world.sites["noordzee"]) as first, pytest.raises(
        DemoServerError, match="cannot serve mercado"
    ):
        DemoServer(world.sites["mercado"], port=first.port).start()


def test_module_entry_point_serves_every_site_until_stopped() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "nachtwacht.demomarket", "--seed", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        urls = {}
        for _ in range(3):
            line = proc.stdout.readline()
            name, url = line.split()
            urls[name] = url
        assert set(urls) == {"noordzee", "mercado", "forum"}
        for url in urls.values():
            host, port = url.removeprefix("http://").rstrip("/").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", "/")
            assert conn.getresponse().status == 200
            conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_latency_delays_every_answer_and_changes_nothing_else(world: DemoWorld) -> None:
    with DemoServer(world.sites["noordzee"], latency=0.3) as slow:
        started = time.monotonic()
        status, _, body = _get(slow, "/")
        took = time.monotonic() - started
    assert took >= 0.3, "the answer waited its latency"
    assert status == 200 and body == world.sites["noordzee"].pages["/"]
