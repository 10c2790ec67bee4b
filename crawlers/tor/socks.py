"""Tell "Tor is broken" from "the onion is unreachable" from the SOCKS reply Tor gave.

Tor's ``SocksPort ... ExtendedErrors`` answers 0xF0-0xF7 for onion failures. socksio (under
httpcore2) only knows the RFC 1928 codes: it raises ``ProtocolError("Malformed reply")`` from
``ValueError("b'\\xf0' is not a valid SOCKS5ReplyCode")``; the code is read back from there.
RFC codes arrive as httpcore2 ``ProxyError`` messages naming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

__all__ = [
    "TOR_EXTENDED_CODES",
    "FailureKind",
    "classify_failure",
    "iter_causes",
    "socks_reply_code",
]

FailureKind = Literal["tor_down", "unreachable", "timeout", "broken_stream", "refused", "other"]

# Tor's extended SOCKS5 replies (tor-spec, socks-extensions.txt, "Extended error codes").
TOR_EXTENDED_CODES: dict[int, str] = {
    0xF0: "Onion Service Descriptor Can Not be Found",
    0xF1: "Onion Service Descriptor Is Invalid",
    0xF2: "Onion Service Introduction Failed",
    0xF3: "Onion Service Rendezvous Failed",
    0xF4: "Onion Service Missing Client Authorization",
    0xF5: "Onion Service Wrong Client Authorization",
    0xF6: "Onion Service Invalid Address",
    0xF7: "Onion Service Introduction Timed Out",
}
# RFC 1928 replies as httpcore2 names them; which of them mean "Tor itself is not working".
_RFC_CODES: dict[str, int] = {
    "General SOCKS server failure": 0x01,
    "Connection not allowed by ruleset": 0x02,
    "Network unreachable": 0x03,
    "Host unreachable": 0x04,
    "Connection refused": 0x05,
    "TTL expired": 0x06,
    "Command not supported": 0x07,
    "Address type not supported": 0x08,
}
_TOR_BROKEN_CODES = {0x01, 0x07}
_SOCKSIO_CODE = re.compile(r"b'\\x([0-9A-Fa-f]{2})' is not a valid SOCKS5ReplyCode")


def iter_causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every ``__cause__``/``__context__`` behind it (each once)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


def socks_reply_code(exc: BaseException) -> int | None:
    """The SOCKS5 reply code behind a proxy failure, if the exception chain carries one."""
    for item in iter_causes(exc):
        text = str(item)
        if isinstance(item, ValueError) and (match := _SOCKSIO_CODE.search(text)):
            return int(match.group(1), 16)
        if type(item).__name__ == "ProxyError":
            for name, code in _RFC_CODES.items():
                if name in text:
                    return code
    return None


def classify_failure(exc: BaseException) -> tuple[FailureKind, int | None]:
    """(kind, SOCKS code) of a download failure of a request sent to a Tor SOCKS endpoint.

    - ``tor_down``: the SOCKS port refused the TCP connection, or Tor answered a failure
      that is its own (general failure): pause and wait for Tor.
    - ``unreachable``: Tor works, the destination does not (0xF0-0xF7, host unreachable...).
    - ``timeout``, ``broken_stream`` (the connection died mid-way: probe Tor to know),
      ``refused`` (our fail-closed handler said no), ``other``.
    """
    from crawlers.tor.exceptions import TorRefused

    code = socks_reply_code(exc)
    if code is not None:
        return ("tor_down" if code in _TOR_BROKEN_CODES else "unreachable"), code
    names = {type(item).__name__ for item in iter_causes(exc)}
    if any(isinstance(item, TorRefused) for item in iter_causes(exc)):
        return "refused", None
    if "ConnectError" in names or "ConnectionRefusedError" in names:
        return "tor_down", None
    if names & {"TimeoutException", "ConnectTimeout", "ReadTimeout", "PoolTimeout",
                "DownloadTimeoutError", "TimeoutError", "WriteTimeout"}:
        return "timeout", None
    if names & {"RemoteProtocolError", "ReadError", "WriteError", "ProxyError",
                "ResponseDataLossError", "DownloadFailedError", "ProtocolError"}:
        return "broken_stream", None
    return "other", None
