"""Which tor client and which isolation token a site uses, and a cheap "is this Tor up?" probe.

The SOCKS username is Tor's isolation key (``IsolateSOCKSAuth``): one token per site keeps
sites on separate circuits; bumping the site's generation moves it to fresh circuits (new
keep-alive connections too, which NEWNYM alone does not).
"""

from __future__ import annotations

import hashlib
import socket

from crawlers.tor.control import TorControl, split_endpoint
from crawlers.tor.exceptions import TorError

__all__ = ["isolation_username", "pick_endpoint", "probe_tor", "site_key"]


def site_key(site: str) -> str:
    """Stable short hash of a site name (the site name itself never reaches Tor)."""
    return hashlib.sha256(site.encode()).hexdigest()[:16]


def pick_endpoint(site: str, endpoints: list[str]) -> int:
    """Index of the tor client serving ``site``: stable for the same site and pool size."""
    if not endpoints:
        raise ValueError("no endpoints to pick from")
    return int(site_key(site), 16) % len(endpoints)


def isolation_username(site: str, generation: int = 0) -> str:
    """The SOCKS username (isolation token) of ``site`` at identity ``generation``."""
    return f"nw-{site_key(site)}-{generation}"


def probe_tor(socks: str, control: str | None = None, timeout: float = 2.0) -> bool:
    """True when the SOCKS port speaks SOCKS5 and, if a control port is known, bootstrap is 100.

    Blocking: run it in a thread.
    """
    host, port = split_endpoint(socks)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"\x05\x01\x02")  # SOCKS5, one method: username/password
            if sock.recv(2) != b"\x05\x02":
                return False
    except OSError:
        return False
    if control:
        try:
            with TorControl.connect(control) as ctl:
                return ctl.bootstrap()[0] >= 100
        except TorError:
            return False
    return True
