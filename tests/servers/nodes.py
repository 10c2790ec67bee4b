"""Real Elasticsearch and OpenSearch nodes on loopback, from Maven Central integ-test zips.

No Docker: ``mvn dependency:get`` fetches the distribution zip into ``~/.m2`` once, it is
unpacked once into a shared cache, and each node gets its own config/data/logs directory.
Nodes bind 127.0.0.1 on ports checked free, run as ``nobody`` when we are root (both refuse
root), are polled for health (never slept on) and stopped by their recorded PID.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CACHE = Path(os.environ.get("NACHTWACHT_NODE_CACHE", "/var/tmp/nachtwacht-nodes"))
JAVA17 = "/usr/lib/jvm/java-17-openjdk-amd64"


@dataclass(frozen=True)
class Distribution:
    """One integ-test zip on Maven Central and how to start it."""

    flavour: str  # elasticsearch | opensearch
    group: str
    version: str
    java_home: str
    settings: dict[str, str] = field(default_factory=dict)
    # extra modules from Maven Central: (module name, group:artifact of its jar, plugin class)
    modules: tuple[tuple[str, str, str], ...] = ()

    @property
    def artifact(self) -> str:
        return f"{self.group}:{self.flavour}:{self.version}:zip"

    @property
    def env_prefix(self) -> str:
        return "ES" if self.flavour == "elasticsearch" else "OPENSEARCH"


ELASTICSEARCH = Distribution(
    "elasticsearch",
    "org.elasticsearch.distribution.integ-test-zip",
    "8.19.0",
    JAVA17,
    {"xpack.security.enabled": "false"},
)
OPENSEARCH = Distribution(
    "opensearch", "org.opensearch.distribution.integ-test-zip", "2.19.6", JAVA17,
    modules=(("percolator", "org.opensearch.plugin:percolator-client", "org.opensearch.percolator.PercolatorPlugin"),),
)


def tools_missing() -> str | None:
    """Why nodes cannot run here (no Java or Maven), or None."""
    if shutil.which("mvn") is None:
        return "Maven (mvn) is not installed: cannot fetch Elasticsearch/OpenSearch from Maven Central"
    if not Path(JAVA17, "bin", "java").exists() and shutil.which("java") is None:
        return "Java is not installed: cannot run Elasticsearch/OpenSearch nodes"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _zip_path(dist: Distribution) -> Path:
    group = dist.group.replace(".", "/")
    name = f"{dist.flavour}-{dist.version}.zip"
    return Path.home() / ".m2" / "repository" / group / dist.flavour / dist.version / name


def _add_modules(dist: Distribution, home: Path) -> Path:
    """Install `dist.modules` (jar + plugin descriptor) under `home/modules/`, once each."""
    for name, artifact, classname in dist.modules:
        target = home / "modules" / name
        if target.exists():
            continue
        group, art = artifact.split(":")
        jar = Path.home() / ".m2" / "repository" / group.replace(".", "/") / art / dist.version / f"{art}-{dist.version}.jar"
        if not jar.exists():
            subprocess.run(["mvn", "-q", "-B", "dependency:get", f"-Dartifact={artifact}:{dist.version}",
                            "-Dtransitive=false"], check=True, timeout=900)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=home / "modules"))
        shutil.copy(jar, staging / jar.name)
        (staging / "plugin-descriptor.properties").write_text(
            f"description={name} module\nversion={dist.version}\nname={name}\nclassname={classname}\n"
            f"java.version=11\nopensearch.version={dist.version}\ncustom.foldername=\nextended.plugins=\n"
            "has.native.controller=false\n")
        for p in [staging, *staging.iterdir()]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        staging.rename(target)
    return home


def install(dist: Distribution) -> Path:
    """Fetch (once, via Maven) and unpack (once) a distribution and its extra modules; returns
    its home directory."""
    home = CACHE / f"{dist.flavour}-{dist.version}"
    if (home / ".complete").exists():
        return _add_modules(dist, home)
    zpath = _zip_path(dist)
    if not zpath.exists():
        log.info("fetching %s from Maven Central", dist.artifact)
        subprocess.run(
            ["mvn", "-q", "-B", "dependency:get", f"-Dartifact={dist.artifact}", "-Dtransitive=false"],
            check=True,
            timeout=900,
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    os.chmod(CACHE, 0o755)
    staging = Path(tempfile.mkdtemp(prefix=f"{dist.flavour}-", dir=CACHE))
    with zipfile.ZipFile(zpath) as zf:
        for info in zf.infolist():
            target = zf.extract(info, staging)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode | 0o444 | (0o111 if info.is_dir() else 0))
    (inner,) = list(staging.iterdir())
    for p in [staging, *staging.rglob("*")]:
        if p.is_dir():
            os.chmod(p, 0o755)
    shutil.rmtree(home, ignore_errors=True)
    inner.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    (home / ".complete").touch()
    return _add_modules(dist, home)


class Node:
    """One single-node cluster. ``start``/``kill``/``stop`` may be called repeatedly (fault tests)."""

    def __init__(
        self, dist: Distribution, *, heap: str = "384m", user: tuple[str, str] | None = None
    ) -> None:
        """``user`` (Elasticsearch only): turn security on with this one superuser (file realm)."""
        if tools_missing():
            raise RuntimeError(tools_missing())
        self.dist = dist
        self.home = install(dist)
        self.port = free_port()
        self.transport_port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix=f"nw-{dist.flavour}-"))
        os.chmod(self.base, 0o777)
        self.heap = heap
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_file = self.base / "stdout.log"
        self.user = user
        self._prepare()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _prepare(self) -> None:
        conf = self.base / "config"
        shutil.copytree(self.home / "config", conf)
        for sub in ("data", "logs", "tmp"):
            (self.base / sub).mkdir()
        settings = {
            "cluster.name": f"nachtwacht-test-{self.dist.flavour}",
            "node.name": "node-1",
            "network.host": "127.0.0.1",
            "http.port": str(self.port),
            "transport.port": str(self.transport_port),
            "discovery.type": "single-node",
            "path.data": str(self.base / "data"),
            "path.logs": str(self.base / "logs"),
            "action.auto_create_index": "false",
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            **self.dist.settings,
        }
        if self.user is not None:
            settings["xpack.security.enabled"] = "true"
            settings["xpack.security.http.ssl.enabled"] = "false"
            settings["xpack.security.transport.ssl.enabled"] = "false"
        (conf / f"{self.dist.flavour}.yml").write_text(
            "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items())
        )
        # Drop heap sizes and every option writing under the (root-owned) distribution dir.
        jvm = [
            line
            for line in (conf / "jvm.options").read_text().splitlines()
            if not line.lstrip().startswith(("-Xms", "-Xmx"))
            and "logs/" not in line
            and "HeapDumpPath" not in line
            and "ErrorFile" not in line
        ]
        jvm += [f"-Xms{self.heap}", f"-Xmx{self.heap}", f"-XX:ErrorFile={self.base}/logs/hs_err_%p.log"]
        (conf / "jvm.options").write_text("\n".join(jvm) + "\n")
        if os.geteuid() == 0:
            for p in [self.base, *self.base.rglob("*")]:
                os.chown(p, 65534, 65534)
        if self.user is not None:
            name, password = self.user
            tool = self.home / "bin" / "elasticsearch-users"
            cmd = [str(tool), "useradd", name, "-p", password, "-r", "superuser"]
            subprocess.run(self._as_node_user(cmd), env=self._env(), cwd=self.base, check=True,
                           capture_output=True, timeout=300)

    def _as_node_user(self, cmd: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        return cmd

    def _env(self) -> dict[str, str]:
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.base),
            "JAVA_HOME": self.dist.java_home,
            f"{self.dist.env_prefix}_JAVA_HOME": self.dist.java_home,
            f"{self.dist.env_prefix}_PATH_CONF": str(self.base / "config"),
            f"{self.dist.env_prefix}_TMPDIR": str(self.base / "tmp"),
            f"{self.dist.env_prefix}_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
            "LANG": "C.UTF-8",
        }

    def start(self, timeout: float = 180.0) -> None:
        """Start the node and wait until its cluster health is yellow or green."""
        if self.proc is not None and self.proc.poll() is None:
            return
        env = self._env()
        cmd = self._as_node_user([str(self.home / "bin" / self.dist.flavour)])
        out = self.log_file.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=self.base, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.dist.flavour} exited with {self.proc.returncode}:\n{self.tail()}")
            if self.healthy():
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.dist.flavour} not healthy after {timeout}s:\n{self.tail()}")

    def healthy(self) -> bool:
        req = urllib.request.Request(f"{self.url}/_cluster/health")
        if self.user is not None:
            token = base64.b64encode(":".join(self.user).encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                return json.loads(resp.read()).get("status") in ("yellow", "green")
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _signal(self, sig: int, wait: float) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # the node's own session: its JVM and the CLI wrapper
        except ProcessLookupError:
            return
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def kill(self) -> None:
        """Hard crash (SIGKILL), as in a lost node; ``start`` brings it back on the same data."""
        self._signal(signal.SIGKILL, 30)

    def stop(self) -> None:
        self._signal(signal.SIGTERM, 60)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
