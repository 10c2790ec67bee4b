"""A pool of tor clients launched and owned by us: one tor process per member (a tor client is
single-threaded), each with its own SocksPort and ControlPort on 127.0.0.1, stopped by PID.

    pool = TorPool(workdir, size=2)           # public Tor network
    pool.start()                              # polls bootstrap 100 on every member
    pool.socks_endpoints, pool.control_endpoints  # -> NACHTWACHT_TOR_SOCKS / _CONTROL
    pool.stop()

``extra_torrc`` is appended to every member's torrc (the private test network passes its
``TestingTorNetwork`` and ``DirAuthority`` lines there). Blocking: not on the reactor thread.
"""

from __future__ import annotations

import atexit
import time
from pathlib import Path
from string import Template

from crawlers.tor.control import TorControl, TorStatus
from crawlers.tor.exceptions import TorControlError, TorError, TorUnavailable
from crawlers.tor.process import TorProcess, find_tor, free_port, wait_for_port

__all__ = ["TorPool"]

_TEMPLATE = Path(__file__).parent / "torrc" / "pool-client.torrc"


class _Member:
    def __init__(self, name: str, datadir: Path, tor_binary: str):
        self.name = name
        self.datadir = datadir
        self.socksport = free_port()
        self.controlport = free_port()
        self.torrc = datadir.parent / f"{name}.torrc"
        self.process = TorProcess(name, self.torrc, datadir, tor_binary)
        self.extra_socks: list[str] = []

    @property
    def control_endpoint(self) -> str:
        return f"127.0.0.1:{self.controlport}"


class TorPool:
    """``size`` tor clients under ``workdir``; see the module docstring."""

    def __init__(self, workdir: Path, size: int = 1, *, extra_torrc: str = "",
                 tor_binary: str | None = None, name: str = "client"):
        if size < 1:
            raise TorError("a tor pool needs at least one client")
        self.workdir = Path(workdir)
        self.extra_torrc = extra_torrc
        tor = tor_binary or find_tor()
        self.members = [_Member(f"{name}{i}", self.workdir / f"{name}{i}", tor) for i in range(size)]

    @property
    def socks_endpoints(self) -> list[str]:
        return [f"127.0.0.1:{m.socksport}" for m in self.members]

    @property
    def control_endpoints(self) -> list[str]:
        return [m.control_endpoint for m in self.members]

    def launch(self) -> None:
        """Write the torrcs and start every member; returns at once (see ``wait_ready``)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        template = Template(_TEMPLATE.read_text())
        for member in self.members:
            member.torrc.write_text(template.substitute(
                datadir=member.datadir, socksport=member.socksport,
                controlport=member.controlport, extra=self.extra_torrc,
            ))
        atexit.register(self.stop)
        for member in self.members:
            member.process.start()

    def wait_ready(self, timeout: float = 120) -> None:
        """Poll until every member is bootstrapped; raises ``TorUnavailable`` with its log tail."""
        deadline = time.monotonic() + timeout
        for index in range(len(self.members)):
            self.wait_member(index, deadline)

    def start(self, timeout: float = 120) -> None:
        """``launch`` then ``wait_ready``; stops everything again on failure."""
        self.launch()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_member(self, index: int, deadline: float) -> None:
        member = self.members[index]
        if not wait_for_port(member.controlport, max(1.0, deadline - time.monotonic())):
            raise self._fail(index, "control port never opened")
        while True:
            try:
                with self.control(index) as ctl:
                    ctl.wait_bootstrapped(max(1.0, deadline - time.monotonic()))
                return
            except TorControlError as exc:
                # A (re)started tor opens its port before it rewrites the auth cookie: poll.
                if time.monotonic() > deadline:
                    raise self._fail(index, str(exc)) from exc
                time.sleep(0.2)
            except TorUnavailable as exc:
                raise self._fail(index, str(exc)) from exc

    def _fail(self, index: int, message: str) -> TorUnavailable:
        member = self.members[index]
        return TorUnavailable(f"{member.name}: {message}\n--- log tail ---\n{member.process.log_tail()}",
                              endpoint=member.control_endpoint)

    def stop(self) -> None:
        """Stop every member by its PID. Idempotent."""
        for member in self.members:
            member.process.stop()

    def stop_member(self, index: int, *, hard: bool = True) -> None:
        """Kill one member (SIGKILL by default): its SOCKS port stops answering."""
        self.members[index].process.stop(hard=hard)

    def start_member(self, index: int, timeout: float = 60) -> None:
        """Restart a member on the same ports and wait for its bootstrap (no-op when running)."""
        if not self.members[index].process.is_running():
            self.members[index].process.start()
        self.wait_member(index, time.monotonic() + timeout)

    def control(self, index: int = 0) -> TorControl:
        """An authenticated control connection to member ``index`` (caller closes it)."""
        member = self.members[index]
        return TorControl.connect(member.control_endpoint,
                                  cookie_path=str(member.datadir / "control_auth_cookie"))

    def status(self) -> list[TorStatus]:
        statuses = []
        for index in range(len(self.members)):
            with self.control(index) as ctl:
                statuses.append(ctl.status())
        return statuses

    def newnym(self) -> list[float]:
        """NEWNYM on every member; the seconds each tor waits before applying it."""
        waits = []
        for index in range(len(self.members)):
            with self.control(index) as ctl:
                waits.append(ctl.newnym())
        return waits

    def add_socks_port(self, index: int = 0) -> str:
        """Open one more SocksPort (ExtendedErrors, IsolateSOCKSAuth) on member ``index``, live.

        Used to give a browser context its own port (Chromium cannot do SOCKS auth).
        """
        with self.control(index) as ctl:
            endpoint = ctl.add_socks_port(free_port())
        self.members[index].extra_socks.append(endpoint)
        return endpoint

    def remove_socks_port(self, index: int, endpoint: str) -> None:
        """Close a SocksPort opened by ``add_socks_port`` on member ``index``."""
        with self.control(index) as ctl:
            ctl.remove_socks_port(endpoint)
        self.members[index].extra_socks.remove(endpoint)

    def __enter__(self) -> TorPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
