"""A private Tor network on loopback for tests and the demo: 3 authorities, 3 relays,
one host for the onion services, and N clients. Nothing touches the public Tor network.

    net = PrivateTorNetwork(workdir, {"market": 8080})
    net.start()                      # polls readiness; never sleeps blindly
    net.socks_endpoints              # ["127.0.0.1:port", ...]
    net.onion_address("market")      # stable for a given name
    net.stop()                       # by recorded PIDs (also a context manager)
"""

from __future__ import annotations

import atexit
import logging
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from string import Template

from crawlers.tor.control import TorControl
from crawlers.tor.exceptions import TestNetworkError, TorControlError, TorError
from crawlers.tor.onionkey import seed_for_name, write_service_keys
from crawlers.tor.pool import TorPool
from crawlers.tor.process import TorProcess, find_tor, free_port

__all__ = ["PrivateTorNetwork"]

logger = logging.getLogger(__name__)

_TEMPLATES = Path(__file__).parent / "torrc"
_AUTHORITIES = 3
_RELAYS = 3
READINESS_USERNAME = "nachtwacht-readiness"


def _template(name: str) -> Template:
    return Template((_TEMPLATES / f"{name}.torrc").read_text())


class _Node:
    """One tor process of the network, with its ports and torrc."""

    def __init__(self, role: str, nickname: str, datadir: Path, tor_binary: str):
        self.role = role
        self.nickname = nickname
        self.datadir = datadir
        self.controlport = free_port()
        self.orport = free_port() if role in ("authority", "relay") else 0
        self.dirport = free_port() if role == "authority" else 0
        self.fingerprint = ""
        self.v3ident = ""
        self.torrc = datadir.parent / f"{nickname}.torrc"
        self.process = TorProcess(nickname, self.torrc, datadir, tor_binary)


class PrivateTorNetwork:
    """Build, start and stop the private network. Services map a name to a local HTTP port."""

    def __init__(
        self,
        workdir: Path,
        services: Mapping[str, int],
        *,
        clients: int = 1,
        tor_binary: str | None = None,
    ):
        self.workdir = Path(workdir)
        self.services = dict(services)
        self.n_clients = clients
        self._tor = tor_binary
        self._nodes: list[_Node] = []
        self._pool: TorPool | None = None
        self._addresses: dict[str, str] = {}
        self._started = False
        self.timings: dict[str, float] = {}

    # -- public surface ---------------------------------------------------------------------
    @property
    def socks_endpoints(self) -> list[str]:
        return self._pool.socks_endpoints if self._pool else []

    @property
    def control_endpoints(self) -> list[str]:
        return self._pool.control_endpoints if self._pool else []

    @property
    def pool(self) -> TorPool:
        """The clients (a ``TorPool`` pointed at this network's authorities)."""
        if self._pool is None:
            raise TestNetworkError("the private Tor network is not started")
        return self._pool

    @property
    def relay_fingerprints(self) -> set[str]:
        return {n.fingerprint for n in self._nodes if n.fingerprint}

    def onion_address(self, name: str) -> str:
        """``xxxx.onion`` of a service; known before ``start`` (the key derives from the name)."""
        if name not in self.services:
            raise KeyError(f"no onion service named {name!r}")
        if name not in self._addresses:
            probe = self.workdir / "keys-probe" / name
            self._addresses[name] = write_service_keys(probe, seed_for_name(name))
            shutil.rmtree(probe.parent, ignore_errors=True)
        return self._addresses[name]

    def control(self, client: int = 0) -> TorControl:
        """An authenticated stem connection to a client (caller closes it)."""
        return self.pool.control(client)

    def start(self, timeout: float = 180) -> None:
        """Generate keys, launch every node, wait for client bootstrap and a real onion fetch.

        Raises ``TestNetworkError`` (with the tail of the failing tor's log) on timeout, and
        when a client's consensus holds any relay that is not ours.
        """
        if self._started:
            return
        t0 = time.monotonic()
        deadline = t0 + timeout
        tor = self._tor or find_tor()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._build_nodes(tor)
        self._generate_keys(tor)
        self._write_torrcs()
        self.timings["keys"] = time.monotonic() - t0
        atexit.register(self.stop)
        self._started = True
        for node in self._nodes:
            node.process.start()
        try:
            self.pool.launch()
            for index in range(self.n_clients):
                self._wait_client(index, deadline)
            self.timings["bootstrap"] = time.monotonic() - t0
            self._check_private()
            for name in self.services:
                self._wait_onion(name, deadline)
            self.timings["first_onion"] = time.monotonic() - t0
        except BaseException:
            self.stop()
            raise
        logger.info(
            "private tor network up in %.1fs (%d services, %d clients)",
            self.timings["first_onion"], len(self.services), self.n_clients,
        )

    def stop(self) -> None:
        """Stop every node by its recorded PID. Idempotent."""
        if self._pool is not None:
            self._pool.stop()
        for node in reversed(self._nodes):
            node.process.stop()
        self._started = False

    def stop_client(self, client: int = 0, *, hard: bool = True) -> None:
        """Kill one client (SIGKILL by default): its SOCKS port stops answering."""
        self.pool.stop_member(client, hard=hard)

    def start_client(self, client: int = 0, timeout: float = 60) -> None:
        """Restart a stopped client on the same ports and wait for its bootstrap."""
        try:
            self.pool.start_member(client, timeout)
        except TorError as exc:
            raise TestNetworkError(str(exc)) from exc

    def __enter__(self) -> PrivateTorNetwork:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- building ---------------------------------------------------------------------------
    def _build_nodes(self, tor: str) -> None:
        plan = (
            [("authority", f"auth{i}") for i in range(_AUTHORITIES)]
            + [("relay", f"relay{i}") for i in range(_RELAYS)]
            + [("service", "onions")]
        )
        self._nodes = [_Node(role, nick, self.workdir / nick, tor) for role, nick in plan]

    def _generate_keys(self, tor: str) -> None:
        """Authority certificates (tor-gencert) and relay fingerprints (--list-fingerprint)."""
        gencert = find_tor("tor-gencert")
        servers = [n for n in self._nodes if n.role in ("authority", "relay")]
        for node in servers:
            (node.datadir / "keys").mkdir(parents=True, exist_ok=True, mode=0o700)
            node.datadir.chmod(0o700)
        jobs = []
        for node in servers:
            if node.role == "authority":
                keys = node.datadir / "keys"
                jobs.append(subprocess.Popen(
                    [gencert, "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                     "-a", f"127.0.0.1:{node.dirport}",
                     "-i", str(keys / "authority_identity_key"),
                     "-s", str(keys / "authority_signing_key"),
                     "-c", str(keys / "authority_certificate")],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                ))
        for job in jobs:
            _, err = job.communicate(b"\n", timeout=60)
            if job.returncode != 0:
                raise TestNetworkError(f"tor-gencert failed: {err.decode(errors='replace')}")
        jobs = []
        for node in servers:
            minimal = node.datadir.parent / f"{node.nickname}.fp.torrc"
            minimal.write_text(
                f"DataDirectory {node.datadir}\nNickname {node.nickname}\n"
                f"ORPort 127.0.0.1:{node.orport}\nSocksPort 0\nLog err stderr\n"
            )
            defaults = self.workdir / "empty-defaults.torrc"
            defaults.touch()
            jobs.append(subprocess.Popen(
                [tor, "-f", str(minimal), "--defaults-torrc", str(defaults), "--list-fingerprint"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            ))
        for node, job in zip(servers, jobs, strict=True):
            _, err = job.communicate(timeout=60)
            fp_file = node.datadir / "fingerprint"
            if job.returncode != 0 or not fp_file.exists():
                raise TestNetworkError(f"tor --list-fingerprint failed: {err.decode(errors='replace')}")
            node.fingerprint = fp_file.read_text().split()[1]
            if node.role == "authority":
                cert = (node.datadir / "keys" / "authority_certificate").read_text()
                node.v3ident = next(
                    line.split()[1] for line in cert.splitlines() if line.startswith("fingerprint ")
                )

    def _write_torrcs(self) -> None:
        dirauths = "\n".join(
            f"DirAuthority {n.nickname} orport={n.orport} no-v2 v3ident={n.v3ident} "
            f"127.0.0.1:{n.dirport} {n.fingerprint}"
            for n in self._nodes if n.role == "authority"
        )
        self._pool = TorPool(
            self.workdir / "clients", self.n_clients, tor_binary=self._nodes[0].process.tor_binary,
            extra_torrc=_template("testnet-client").substitute(dirauthorities=dirauths),
        )
        service_lines = []
        for name, port in self.services.items():
            hs_dir = self.workdir / "onions" / "hs" / name
            address = write_service_keys(hs_dir, seed_for_name(name))
            self._addresses[name] = address
            service_lines += [f"HiddenServiceDir {hs_dir}", f"HiddenServicePort 80 127.0.0.1:{port}"]
        for node in self._nodes:
            common = _template("common").substitute(
                datadir=node.datadir, nickname=node.nickname,
                dirauthorities=dirauths, controlport=node.controlport,
            )
            node.torrc.write_text(_template(node.role).substitute(
                common=common, orport=node.orport, dirport=node.dirport,
                services="\n".join(service_lines),
            ))

    # -- readiness --------------------------------------------------------------------------
    def _wait_client(self, index: int, deadline: float) -> None:
        try:
            self.pool.wait_member(index, deadline)
        except TorError as exc:
            raise TestNetworkError(str(exc)) from exc

    def _check_private(self) -> None:
        """Every client's consensus must list only our relays (no public network leak)."""
        ours = self.relay_fingerprints
        for index in range(self.n_clients):
            try:
                with self.control(index) as ctl:
                    seen = ctl.consensus_fingerprints()
            except TorControlError as exc:
                raise TestNetworkError(f"client{index}: {exc}") from exc
            if not seen or not seen <= ours:
                raise TestNetworkError(
                    f"client{index}: consensus holds relays that are not ours: {sorted(seen - ours)}"
                )

    def _wait_onion(self, name: str, deadline: float) -> None:
        """Fetch ``http://<onion>/`` through every client until it answers (any HTTP status).

        A client that asked an HSDir before the descriptor was there will not ask that HSDir
        again for minutes; on "descriptor not found" (0xF0) NEWNYM clears those bans (and the
        client's onion caches) before the next try."""
        import httpx2  # the SOCKS-capable httpx fork that Scrapy's handler uses
        from socksio.exceptions import ProtocolError  # Tor's 0xF0.. replies

        from crawlers.tor.socks import socks_reply_code

        url = f"http://{self.onion_address(name)}/"
        for index, endpoint in enumerate(self.socks_endpoints):
            proxy = f"socks5h://{READINESS_USERNAME}:x@{endpoint}"
            last = ""
            while True:
                try:
                    with httpx2.Client(proxy=proxy, timeout=30, trust_env=False) as client:
                        client.get(url)
                    break
                except (httpx2.HTTPError, ProtocolError) as exc:
                    last = f"{type(exc).__name__}: {exc}"
                    if socks_reply_code(exc) == 0xF0:
                        with self.control(index) as ctl:
                            ctl.newnym()
                if time.monotonic() > deadline:
                    tail = self.pool.members[index].process.log_tail()
                    raise TestNetworkError(f"onion {name} ({url}) not reachable via client{index}: "
                                           f"{last}\n--- log tail ---\n{tail}")
                time.sleep(0.5)  # a poll interval, not a wait for readiness
