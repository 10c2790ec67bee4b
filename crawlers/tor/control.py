"""The one module that talks to stem: attach to a tor control port, read health, NEWNYM.

stem is blocking: call these methods from a thread, never from the reactor thread
(``twisted.internet.threads.deferToThread`` or ``asyncio.to_thread``).
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import stem
import stem.connection
from stem import Signal
from stem.control import Controller

from crawlers.tor.exceptions import TorControlError, TorUnavailable

__all__ = ["TorControl", "TorStatus", "split_endpoint"]

logger = logging.getLogger(__name__)
# stem logs every closed control socket at INFO; keep its noise out of crawl logs.
logging.getLogger("stem").setLevel(logging.WARNING)


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """``"host:port"`` -> ``(host, port)``; raises ``ValueError`` on anything else."""
    host, sep, port = endpoint.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"not a host:port endpoint: {endpoint!r}")
    return host, int(port)


@dataclass(frozen=True, slots=True)
class TorStatus:
    """Health of one tor process as seen on its control port."""

    control: str
    version: str
    bootstrap: int
    summary: str
    socks_ports: list[str] = field(default_factory=list)
    circuits_built: int = 0
    network_liveness: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TorControl:
    """An authenticated control connection to one tor process.

    Authentication: ``password`` if given, else ``cookie_path`` if given, else whatever
    PROTOCOLINFO offers (cookie file read by stem, or no auth). Defaults come from the
    environment: ``NACHTWACHT_TOR_PASSWORD`` and ``NACHTWACHT_TOR_COOKIE`` (a file path).
    """

    def __init__(self, controller: Controller, endpoint: str):
        self._controller = controller
        self.endpoint = endpoint

    @classmethod
    def connect(
        cls,
        endpoint: str,
        *,
        password: str | None = None,
        cookie_path: str | None = None,
    ) -> TorControl:
        """Open and authenticate; raises ``TorControlError`` (never hangs on a closed port)."""
        host, port = split_endpoint(endpoint)
        password = password if password is not None else os.environ.get("NACHTWACHT_TOR_PASSWORD")
        cookie_path = cookie_path or os.environ.get("NACHTWACHT_TOR_COOKIE")
        try:
            controller = Controller.from_port(address=host, port=port)
        except stem.SocketError as exc:
            raise TorControlError(f"tor control port {endpoint} unreachable: {exc}") from exc
        try:
            if password is not None:
                controller.authenticate(password=password)
            elif cookie_path:
                stem.connection.authenticate_cookie(controller, cookie_path)
                # stem's low-level authenticate_cookie() leaves the Controller believing it is
                # unauthenticated (only stem.connection.authenticate() calls this hook): event
                # listeners were then stored but SETEVENTS never sent, so none ever fired.
                controller._post_authentication()
            else:
                controller.authenticate()
        except (stem.connection.AuthenticationFailure, stem.SocketError) as exc:
            controller.close()
            raise TorControlError(f"tor control port {endpoint}: authentication failed: {exc}") from exc
        return cls(controller, endpoint)

    def close(self) -> None:
        self._controller.close()

    def __enter__(self) -> TorControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _getinfo(self, key: str, default: str = "") -> str:
        try:
            return str(self._controller.get_info(key))
        except (stem.ControllerError, stem.SocketError) as exc:
            if default:
                return default
            raise TorControlError(f"GETINFO {key} on {self.endpoint} failed: {exc}") from exc

    def bootstrap(self) -> tuple[int, str]:
        """(percent, summary) from ``status/bootstrap-phase``."""
        phase = self._getinfo("status/bootstrap-phase")
        fields = dict(
            part.split("=", 1) for part in phase.replace('"', "").split(" ") if "=" in part
        )
        summary = phase.split('SUMMARY="', 1)[1].split('"', 1)[0] if 'SUMMARY="' in phase else ""
        return int(fields.get("PROGRESS", "0")), summary

    def socks_ports(self) -> list[str]:
        """Listening SOCKS endpoints ``host:port`` (from ``net/listeners/socks``)."""
        raw = self._getinfo("net/listeners/socks", default=" ")
        return [item.strip('"') for item in raw.split() if item.strip('"')]

    def status(self) -> TorStatus:
        """A snapshot of this tor's health."""
        percent, summary = self.bootstrap()
        try:
            built = sum(1 for c in self._controller.get_circuits() if c.status == "BUILT")
        except (stem.ControllerError, stem.SocketError):
            built = 0
        return TorStatus(
            control=self.endpoint,
            version=str(self._controller.get_version()).split(" ")[0],
            bootstrap=percent,
            summary=summary,
            socks_ports=self.socks_ports(),
            circuits_built=built,
            network_liveness=self._getinfo("network-liveness", default="unknown"),
        )

    def wait_bootstrapped(self, timeout: float, poll: float = 0.25) -> None:
        """Poll until bootstrap reaches 100%; raises ``TorUnavailable`` with the last phase."""
        deadline = time.monotonic() + timeout
        percent, summary = self.bootstrap()
        while percent < 100:
            if time.monotonic() > deadline:
                raise TorUnavailable(
                    f"tor at {self.endpoint} did not bootstrap in {timeout:.0f}s "
                    f"(stuck at {percent}%: {summary})",
                    endpoint=self.endpoint,
                )
            time.sleep(poll)
            percent, summary = self.bootstrap()

    def newnym(self) -> float:
        """Send NEWNYM. Returns the seconds tor will wait first (it rate-limits silently).

        NEWNYM does not move keep-alive connections already open on old circuits: for a
        fresh identity per site, change the SOCKS username instead (see the middleware).
        """
        wait = float(self._controller.get_newnym_wait())
        try:
            self._controller.signal(Signal.NEWNYM)
        except (stem.ControllerError, stem.SocketError) as exc:
            raise TorControlError(f"NEWNYM on {self.endpoint} failed: {exc}") from exc
        return wait

    def add_socks_port(self, port: int, flags: tuple[str, ...] = ("ExtendedErrors", "IsolateSOCKSAuth")) -> str:
        """Add a SocksPort on 127.0.0.1 at run time, keeping the existing ones; returns it."""
        current = [str(v) for v in self._controller.get_conf("SocksPort", multiple=True)]
        new = f"127.0.0.1:{port} " + " ".join(flags)
        try:
            self._controller.set_conf("SocksPort", [*current, new])
        except (stem.ControllerError, stem.SocketError) as exc:
            raise TorControlError(f"adding SocksPort {port} on {self.endpoint} failed: {exc}") from exc
        return f"127.0.0.1:{port}"

    def remove_socks_port(self, endpoint: str) -> None:
        """Close a SocksPort opened with ``add_socks_port`` (``"127.0.0.1:port"``); keep the others."""
        current = [str(v) for v in self._controller.get_conf("SocksPort", multiple=True)]
        kept = [v for v in current if v.split()[0] != endpoint]
        try:
            self._controller.set_conf("SocksPort", kept)
        except (stem.ControllerError, stem.SocketError) as exc:
            raise TorControlError(f"removing SocksPort {endpoint} on {self.endpoint} failed: {exc}") from exc

    def circuits_by_username(self) -> dict[str, set[str]]:
        """Built circuit ids grouped by the SOCKS username (isolation token) they serve."""
        grouped: dict[str, set[str]] = defaultdict(set)
        for circ in self._controller.get_circuits():
            username = getattr(circ, "socks_username", None)
            if username:
                grouped[username].add(str(circ.id))
        return dict(grouped)

    def stream_circuits(self) -> dict[str, set[str]]:
        """Circuit ids currently carrying streams, by the target host of the stream."""
        grouped: dict[str, set[str]] = defaultdict(set)
        for stream_ in self._controller.get_streams():
            if stream_.circ_id and stream_.target_address:
                grouped[stream_.target_address].add(str(stream_.circ_id))
        return dict(grouped)

    def consensus_fingerprints(self) -> set[str]:
        """Fingerprints of every relay in the current consensus."""
        try:
            return {entry.fingerprint for entry in self._controller.get_network_statuses()}
        except (stem.ControllerError, stem.SocketError) as exc:
            raise TorControlError(f"reading the consensus on {self.endpoint} failed: {exc}") from exc

    def add_event_listener(self, listener: Any, *events: str) -> None:
        """Subscribe ``listener(event)`` to control events (e.g. ``"CIRC"``, ``"HS_DESC"``)."""
        self._controller.add_event_listener(listener, *events)
