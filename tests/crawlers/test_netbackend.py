"""The download handler's asyncio network backend behaves as httpcore2's anyio one: the same data,
the same end of stream, the same exceptions, the same idle-connection probe; real sockets only."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator

import httpcore2
import pytest
from httpcore2._backends.anyio import AnyIOBackend

from crawlers.netbackend import AsyncioBackend

BACKENDS = [AsyncioBackend, AnyIOBackend]  # ours, and httpcore2's own as the reference


@contextlib.asynccontextmanager
async def _connected(backend) -> AsyncIterator[tuple[object, socket.socket, int]]:
    """(client stream, the server's end of it, the port); all three closed after."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    port = server.getsockname()[1]
    stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
    peer, _ = await asyncio.get_running_loop().sock_accept(server)
    try:
        yield stream, peer, port
    finally:
        await stream.aclose()
        peer.close()
        server.close()


async def _read_all(stream, max_bytes: int = 65536) -> bytes:
    out = bytearray()
    while chunk := await stream.read(max_bytes, timeout=5):
        out += chunk
    return bytes(out)


@pytest.mark.parametrize("backend", BACKENDS)
def test_data_in_order_then_end_of_stream(backend):
    async def run() -> tuple[bytes, bytes, int]:
        async with _connected(backend()) as (stream, peer, _):
            await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)
            got_request = await asyncio.get_running_loop().sock_recv(peer, 100)
            payload = bytes(range(256)) * 4096  # 1 MiB: more than the buffer's high-water mark
            await asyncio.get_running_loop().sock_sendall(peer, payload)
            peer.close()
            await asyncio.sleep(0.05)  # the whole answer arrives before anything is read
            first = await stream.read(1000, timeout=5)
            body = first + await _read_all(stream)
        return got_request, body, len(first)

    request, body, first = asyncio.run(run())
    assert request == b"GET / HTTP/1.1\r\n\r\n"
    assert body == bytes(range(256)) * 4096, "every byte, in order, then b'' at the end"
    assert first <= 1000, "a read never returns more than max_bytes"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_waiting_read_gets_what_arrives_and_a_cancelled_one_loses_nothing(backend):
    async def run() -> tuple[bytes, bytes]:
        async with _connected(backend()) as (stream, peer, _):
            loop = asyncio.get_running_loop()
            waiting = asyncio.ensure_future(stream.read(100, timeout=5))
            await asyncio.sleep(0.05)
            await loop.sock_sendall(peer, b"first")
            first = await waiting
            cancelled = asyncio.ensure_future(stream.read(100, timeout=5))
            await asyncio.sleep(0.05)
            cancelled.cancel()
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            await loop.sock_sendall(peer, b"second")
            second = await stream.read(100, timeout=5)
        return first, second

    assert asyncio.run(run()) == (b"first", b"second")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_silent_peer_is_a_read_timeout(backend):
    async def run() -> None:
        async with _connected(backend()) as (stream, _, _):
            with pytest.raises(httpcore2.ReadTimeout):
                await stream.read(100, timeout=0.2)

    asyncio.run(run())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_peer_that_never_reads_is_a_write_timeout(backend):
    async def run() -> None:
        async with _connected(backend()) as (stream, _, _):
            with pytest.raises(httpcore2.WriteTimeout):
                for _ in range(400):  # 400 MiB: the socket buffers fill long before
                    await stream.write(b"x" * (1 << 20), timeout=0.3)

    asyncio.run(run())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reset_connection_is_a_read_error_and_a_closed_one_refuses_writes(backend):
    async def run() -> None:
        async with _connected(backend()) as (stream, peer, _):
            peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            peer.close()  # linger 0: RST
            await asyncio.sleep(0.05)
            with pytest.raises(httpcore2.ReadError):
                await stream.read(100, timeout=5)
            await stream.aclose()
            with pytest.raises((httpcore2.WriteError, httpcore2.ReadError)):
                await stream.write(b"more", timeout=5)
                await stream.read(100, timeout=5)

    asyncio.run(run())


@pytest.mark.parametrize("backend", BACKENDS)
def test_nobody_listening_is_a_connect_error(backend):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    async def run() -> None:
        with pytest.raises(httpcore2.ConnectError):
            await backend().connect_tcp("127.0.0.1", port, timeout=5)

    asyncio.run(run())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_idle_probe_and_addresses(backend):
    """is_readable: an idle pooled connection must answer False, and True once the server wrote,
    closed, or the stream was closed (httpcore2 then drops the connection)."""

    async def run() -> list[bool]:
        async with _connected(backend()) as (stream, peer, port):
            answers = [stream.get_extra_info("is_readable")]
            assert stream.get_extra_info("socket").getsockname() == stream.get_extra_info("client_addr")
            peer.sendall(b"x")
            await asyncio.sleep(0.05)
            answers.append(stream.get_extra_info("is_readable"))
            await stream.read(1, timeout=5)
            answers.append(stream.get_extra_info("is_readable"))
            peer.close()
            await asyncio.sleep(0.05)
            answers.append(stream.get_extra_info("is_readable"))
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
            assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
            assert stream.get_extra_info("ssl_object") is None
            await stream.aclose()
            answers.append(stream.get_extra_info("is_readable"))
        return answers

    assert asyncio.run(run()) == [False, True, False, True, True]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made by the openssl command line."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


@pytest.mark.parametrize("backend", BACKENDS)
def test_tls_over_the_stream(backend, tls_files):
    cert, key = tls_files

    async def run() -> tuple[bytes, str]:
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(cert, key)

        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"hello " + await reader.read(100))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        client_ctx = ssl.create_default_context(cafile=str(cert))
        plain = await backend().connect_tcp("127.0.0.1", port, timeout=5)
        stream = await plain.start_tls(client_ctx, server_hostname="localhost", timeout=5)
        await stream.write(b"onion", timeout=5)
        answer = await _read_all(stream)
        version = stream.get_extra_info("ssl_object").version()
        await stream.aclose()
        server.close()
        await server.wait_closed()
        return answer, version

    answer, version = asyncio.run(run())
    assert answer == b"hello onion"
    assert version.startswith("TLS")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_certificate_that_does_not_verify_is_a_connect_error(backend, tls_files):
    cert, key = tls_files

    async def run() -> None:
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(cert, key)
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        plain = await backend().connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore2.ConnectError):
            await plain.start_tls(ssl.create_default_context(), server_hostname="localhost", timeout=5)
        server.close()
        await server.wait_closed()

    asyncio.run(run())
