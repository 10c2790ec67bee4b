"""The download handler's pooled streams: the idle-readability probe answers exactly as httpcore's
own anyio stream does (idle -> not readable; server closed or sent data -> readable)."""

from __future__ import annotations

import asyncio
import socket

from httpcore2._backends.auto import AutoBackend

from crawlers.handlers import ProbeBackend
from crawlers.netbackend import AsyncioBackend


async def _answers(backend) -> list[tuple[bool, bool]]:
    """(probe, httpcore's own answer) while idle, after the server wrote, after it closed."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
    peer, _ = await asyncio.get_running_loop().sock_accept(server)
    inner = getattr(stream, "_inner", stream)
    out = [(stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable"))]
    peer.sendall(b"x")
    await asyncio.sleep(0.05)
    out.append((stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable")))
    await stream.read(1, timeout=5)
    peer.close()
    await asyncio.sleep(0.05)
    out.append((stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable")))
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
    await stream.aclose()
    out.append((stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable")))
    server.close()
    return out


def test_probe_answers_like_httpcore():
    probe = asyncio.run(_answers(ProbeBackend()))
    assert probe == [(False, False), (True, True), (True, True), (True, True)]
    plain = asyncio.run(_answers(AutoBackend()))
    assert [p for p, _ in plain] == [p for p, _ in probe]


def test_handler_clients_use_the_default_network_backend():
    from scrapy.utils.test import get_crawler

    from crawlers.handlers import TorOnlyDownloadHandler

    async def backends() -> list[object]:  # the handler needs a running asyncio loop
        handler = TorOnlyDownloadHandler(get_crawler(settings_dict={"NACHTWACHT_VIA": "direct"}))
        clients = [handler._get_client(None), handler._get_client("socks5h://127.0.0.1:9")]
        found = [client._transport._pool._network_backend for client in clients]
        await handler.close()
        return found

    assert all(isinstance(b, AsyncioBackend) for b in asyncio.run(backends()))


def test_transport_debug_traces_follow_the_crawl_log_level():
    import logging

    from crawlers.handlers import quiet_transport_debug

    top = logging.getLogger("httpcore2")  # the parent of the loggers httpcore2 traces through
    before = top.level
    try:
        top.setLevel(logging.NOTSET)
        quiet_transport_debug("DEBUG")
        assert top.level == logging.NOTSET
        quiet_transport_debug("WARNING")
        assert top.level == logging.INFO
        assert not logging.getLogger("httpcore2.http11").isEnabledFor(logging.DEBUG)
        quiet_transport_debug(logging.DEBUG)  # a later DEBUG crawl gets the traces back
        assert top.level == logging.NOTSET
        top.setLevel(logging.DEBUG)  # someone asked for them explicitly: left alone
        quiet_transport_debug("INFO")
        assert top.level == logging.DEBUG
    finally:
        top.setLevel(before)


def test_httpx_request_lines_are_silenced_above_debug_but_warnings_kept():
    import logging

    from crawlers.handlers import quiet_transport_debug

    loggers = [logging.getLogger(name) for name in ("httpx2", "httpx")]
    before = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.NOTSET)
        quiet_transport_debug("INFO")
        for lg in loggers:
            assert not lg.isEnabledFor(logging.INFO)  # no "HTTP Request: ..." line a fetch
            assert lg.isEnabledFor(logging.WARNING)
        quiet_transport_debug("DEBUG")  # a DEBUG crawl gets the request lines back
        assert all(lg.level == logging.NOTSET for lg in loggers)
        loggers[0].setLevel(logging.INFO)  # someone asked for them explicitly: left alone
        quiet_transport_debug("INFO")
        assert loggers[0].level == logging.INFO
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)
