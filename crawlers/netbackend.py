"""An httpcore2 network backend on the crawl's own asyncio transports, for the download handler.

Under asyncio, httpcore2 reaches sockets through anyio: every read and write enters a cancel
scope with a loop timer, maps exceptions through a context manager, passes a checkpoint and
pauses/resumes reading. On the loopback benchmark that was ~17% of the crawl process's CPU
(py-spy). Here a protocol buffers what arrives, `read` takes from the buffer (waiting, with a
timer only when there is a timeout, when it is empty), and `write` waits only when the transport
pushes back. Same httpcore2 exceptions as the anyio stream (`ConnectError`, `ReadTimeout`, ...),
same `get_extra_info` answers. The same design is proposed upstream (pydantic/httpx2#1170);
when a release ships it, this module goes.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from httpcore2 import (
    AsyncNetworkBackend,
    AsyncNetworkStream,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)
from httpcore2._utils import is_socket_readable

__all__ = ["AsyncioBackend"]

#: bytes buffered unread before the socket stops being read (and resumes below `_LOW_WATER`)
_HIGH_WATER = 256 * 1024
_LOW_WATER = 64 * 1024


def _wake(waiter: asyncio.Future[bool] | None, value: bool = True) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(value)


class _Connection(asyncio.Protocol):
    """What arrived on one connection and not yet read, and whether it ended."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.ended = False  # EOF or connection lost
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self.read_waiter: asyncio.Future[bool] | None = None
        self.write_waiter: asyncio.Future[bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > _HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.transport.pause_reading()
            self.reading_paused = True
        _wake(self.read_waiter)

    def eof_received(self) -> bool:
        self.ended = True
        _wake(self.read_waiter)
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        _wake(self.read_waiter)
        _wake(self.write_waiter)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.write_waiter)

    def take(self, max_bytes: int) -> bytes:
        chunk = self.chunks.popleft()
        if len(chunk) > max_bytes:
            self.chunks.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        self.buffered -= len(chunk)
        if self.reading_paused and self.buffered < _LOW_WATER and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()
        return chunk


async def _until_woken(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[bool],
                       timeout: float | None) -> bool:
    """True when `waiter` was woken, False when `timeout` seconds passed first."""
    timer = loop.call_later(timeout, _wake, waiter, False) if timeout is not None else None
    try:
        return await waiter
    finally:
        if timer is not None:
            timer.cancel()


class AsyncioStream(AsyncNetworkStream):
    """One connection (plain or TLS) as httpcore2 reads and writes it."""

    __slots__ = ("_closed", "_conn", "_loop", "_sock", "_transport")

    def __init__(self, transport: asyncio.Transport, conn: _Connection):
        self._transport = transport
        self._conn = conn
        self._loop = asyncio.get_running_loop()
        self._sock = transport.get_extra_info("socket")
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        conn = self._conn
        if not conn.chunks and not conn.ended and not self._closed:
            conn.read_waiter = self._loop.create_future()
            try:
                if not await _until_woken(self._loop, conn.read_waiter, timeout):
                    raise ReadTimeout(f"no data in {timeout} s")
            finally:
                conn.read_waiter = None
        if conn.chunks:
            return conn.take(max_bytes)
        if self._closed:
            raise ReadError("the stream is closed")
        if conn.error is not None:
            raise ReadError(str(conn.error) or type(conn.error).__name__) from conn.error
        return b""  # end of stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        conn = self._conn
        if self._closed or conn.error is not None or self._transport.is_closing():
            raise WriteError(f"the connection is closed ({conn.error or 'locally'})")
        self._transport.write(buffer)
        if not conn.writing_paused:
            return
        conn.write_waiter = self._loop.create_future()
        try:
            if not await _until_woken(self._loop, conn.write_waiter, timeout):
                raise WriteTimeout(f"could not write in {timeout} s")
        finally:
            conn.write_waiter = None
        if self._transport.is_closing():  # lost while the peer was not reading
            raise WriteError(f"the connection was lost ({conn.error or 'closed by the peer'})")

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport.close()
            await asyncio.sleep(0)  # the loop closes the socket on its next turn

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                transport = await self._loop.start_tls(self._transport, self._conn, ssl_context,
                                                       server_hostname=server_hostname)
        except TimeoutError:
            await self.aclose()
            raise ConnectTimeout(f"TLS handshake took more than {timeout} s") from None
        except (OSError, ssl.SSLError, EOFError) as exc:
            await self.aclose()
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:  # the peer went away during the handshake
            raise ConnectError("connection lost during the TLS handshake")
        return AsyncioStream(transport, self._conn)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # readable or closed: what an idle pooled connection must not be
            conn = self._conn
            if self._closed or conn.ended or conn.chunks or self._sock is None:
                return True
            return is_socket_readable(self._sock)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._sock
        return None


class AsyncioBackend(AsyncNetworkBackend):
    """httpcore2's network backend on the running asyncio loop (see the module docstring)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        return await self._connect(
            lambda: loop.create_connection(_Connection, host, port, local_addr=local),
            f"{host}:{port}", timeout, socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        return await self._connect(lambda: loop.create_unix_connection(_Connection, path),
                                   path, timeout, socket_options)

    @staticmethod
    async def _connect(open_connection: Callable[[], Awaitable[tuple[asyncio.BaseTransport, _Connection]]],
                       where: str, timeout: float | None,
                       socket_options: Iterable[Any] | None) -> AsyncioStream:
        """`open_connection()` within `timeout`, its errors as httpcore2's, the options set."""
        try:
            async with asyncio.timeout(timeout):
                transport, conn = await open_connection()
        except TimeoutError:
            raise ConnectTimeout(f"could not connect to {where} in {timeout} s") from None
        except OSError as exc:
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        sock = transport.get_extra_info("socket")  # asyncio sets TCP_NODELAY itself
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(transport, conn)  # type: ignore[arg-type]

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
