"""`nachtwacht demo`: serve the bundled demo market (as onion services on a private Tor network),
crawl it, extract, index, and report where to look next."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.runner import CrawlSummary
from crawlers.siteconfig import SiteConfig, load_site
from nachtwacht import settings as app_settings
from nachtwacht.app import Nachtwacht
from nachtwacht.exceptions import SetupError

__all__ = ["DEMO_SITES", "UI_URL", "DemoResult", "demo_sites", "run_demo"]

logger = logging.getLogger(__name__)

UI_URL = "http://127.0.0.1:8470/"  # where `nachtwacht serve` listens by default

# demo world site name -> site config file in config/sites/
DEMO_SITES = {"noordzee": "demo-noordzee.yaml", "mercado": "demo-mercado.yaml", "forum": "demo-forum.yaml"}


@dataclass
class DemoResult:
    via: str
    data_dir: str
    elapsed_s: float
    addresses: dict[str, str]
    summaries: list[CrawlSummary] = field(default_factory=list)
    tor_bootstrap_s: float | None = None
    ui_user: str = ""
    ui_password: str = ""

    def totals(self) -> dict[str, Any]:
        entities: dict[str, int] = {}
        for summary in self.summaries:
            for name, count in summary.entities.items():
                entities[name] = entities.get(name, 0) + count
        return {
            "pages": sum(s.pages for s in self.summaries),
            "listings": sum(s.listings for s in self.summaries),
            "posts": sum(s.posts for s in self.summaries),
            "vendors": sum(s.vendors for s in self.summaries),
            "entities": entities,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"via": self.via, "data_dir": self.data_dir, "elapsed_s": self.elapsed_s,
                "addresses": self.addresses, "tor_bootstrap_s": self.tor_bootstrap_s,
                "ui": {"url": UI_URL, "user": self.ui_user, "password": self.ui_password},
                "totals": self.totals(), "sites": [s.to_dict() for s in self.summaries]}


def demo_sites() -> dict[str, SiteConfig]:
    """The shipped site configs of the demo market, by demo site name."""
    folder = app_settings.config_dir() / "sites"
    return {name: load_site(folder / filename) for name, filename in DEMO_SITES.items()}


def run_demo(app: Nachtwacht, *, via: str = "tor", seed: int = 7, max_pages: int | None = None,
             progress: Callable[[str, dict[str, Any]], None] | None = None,
             status: Callable[[str], None] = logger.info) -> DemoResult:
    """Serve, crawl and index the demo market. `via="tor"` needs Debian's tor; it never falls back."""
    from nachtwacht.demomarket import generate, serve_world

    if via == "tor" and shutil.which("tor") is None:
        raise SetupError("tor is not installed (apt-get install tor, or `make demo` does it); "
                         "use --via direct to crawl the demo over loopback without Tor")
    started = time.monotonic()
    sites = demo_sites()
    world = generate(seed)
    with ExitStack() as stack:
        servers = serve_world(world)
        for server in servers.values():
            stack.callback(server.stop)
        tor_socks: list[str] | None = None
        tor_control: list[str] | None = None
        bootstrap = None
        if via == "tor":
            from crawlers.tor.testnet import PrivateTorNetwork

            workdir = Path(tempfile.mkdtemp(prefix="nachtwacht-tornet-"))
            stack.callback(shutil.rmtree, workdir, True)
            network = PrivateTorNetwork(workdir, {name: servers[name].port for name in sites})
            status("starting a private Tor network on 127.0.0.1 (authorities, relays, onion services)")
            t0 = time.monotonic()
            network.start()
            stack.callback(network.stop)
            bootstrap = round(time.monotonic() - t0, 1)
            addresses = {name: f"http://{network.onion_address(name)}" for name in sites}
            tor_socks, tor_control = network.socks_endpoints, network.control_endpoints
        else:
            status("WARNING: --via direct: crawling the demo over loopback WITHOUT Tor")
            addresses = {name: f"http://127.0.0.1:{servers[name].port}" for name in sites}
        targets = [sites[name].with_base_url(addresses[name]) for name in sites]
        summaries = app.crawl(targets, via=via, max_pages=max_pages, fresh=True, tor_socks=tor_socks,
                              tor_control=tor_control, progress=progress)
    from nachtwacht.users import ensure_demo_user

    user, password = ensure_demo_user(app.data_dir)
    return DemoResult(via=via, data_dir=str(app.data_dir), elapsed_s=round(time.monotonic() - started, 1),
                      addresses=addresses, summaries=summaries, tor_bootstrap_s=bootstrap,
                      ui_user=user, ui_password=password)
