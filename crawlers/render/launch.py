"""How the crawl's Chromium is launched and how its contexts are proxied (DESIGN.md section 4).

- Debian's `/usr/bin/chromium`, never a downloaded browser.
- Launch-level proxy: a SOCKS port on 127.0.0.1 that we hold bound and never listen on, so a
  context without its own proxy (or anything Chromium sends outside a context) fails to connect.
  Playwright adds `<-loopback>`, so loopback goes through the proxy too.
- Each context gets its own Tor SocksPort (Chromium cannot do SOCKS auth: the port is the
  isolation); names are resolved by Tor (socks5 in Chromium sends host names).
- WebRTC may not use UDP outside the proxy; no background networking, no downloads.
- `via="direct"` (explicit, loopback tests and clear-web sources only) launches without a proxy.
"""

from __future__ import annotations

import socket
import zlib
from typing import Any

__all__ = ["CHROMIUM", "DeadPort", "browser_settings", "context_kwargs", "context_name",
           "launch_options", "pick_socks"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",  # root in CI containers; the renderer still runs headless without GPU
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, safe-browsing, suggestions
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--no-first-run",
    "--no-pings",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--force-webrtc-ip-handling-policy",
    "--disable-features=MediaRouter,OptimizationHints,Translate,DnsOverHttps,AsyncDns",
)
DEFAULT_RENDER_TIMEOUT = 60.0  # seconds for one page: navigation, waits and capture together
DEFAULT_MAX_CONTEXTS = 4  # browser contexts (one per Tor SocksPort) alive at once
DEFAULT_PAGES_PER_CONTEXT = 2  # open tabs per context: bounds the renderer's memory


class DeadPort:
    """A TCP port on 127.0.0.1 that is bound (so nobody else can take it) and never accepts."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()


def launch_options(via: str, dead_port: int | None, *, executable: str = CHROMIUM,
                   headless: bool = True) -> dict[str, Any]:
    """Playwright `launch()` options. With `via="tor"` a dead-port launch proxy is mandatory."""
    options: dict[str, Any] = {"executable_path": executable, "headless": headless,
                               "args": list(CHROMIUM_ARGS), "chromium_sandbox": False}
    if via != "direct":
        if not dead_port:
            raise ValueError("a Tor browser needs a dead launch-proxy port")
        options["proxy"] = {"server": f"socks5://127.0.0.1:{dead_port}"}
        # No local name resolution at all: SOCKS5 hands host names to Tor; anything else fails.
        options["args"].append("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
    return options


def context_kwargs(socks: str | None, *, storage_state: dict[str, Any] | None = None,
                   user_agent: str | None = None) -> dict[str, Any]:
    """`new_context()` options: this context's Tor SocksPort, no downloads, no service workers."""
    kwargs: dict[str, Any] = {"accept_downloads": False, "service_workers": "block",
                              "java_script_enabled": True, "viewport": {"width": 1280, "height": 900},
                              "locale": "en-US", "timezone_id": "UTC"}
    if socks:
        kwargs["proxy"] = {"server": f"socks5://{socks}"}
    if storage_state:
        kwargs["storage_state"] = storage_state
    if user_agent:
        kwargs["user_agent"] = user_agent
    return kwargs


def pick_socks(site: str, endpoints: list[str]) -> str:
    """The SocksPort of a site's context: stable per site, spread over the ports."""
    return endpoints[zlib.crc32(site.encode()) % len(endpoints)] if endpoints else ""


def context_name(socks: str) -> str:
    return f"tor-{socks}" if socks else "direct"


def browser_settings(base_download_handler: str | None = None) -> dict[str, Any]:
    """Scrapy settings a `render: js` crawl adds: the shared browser handler on http and https,
    falling back to the Tor handler (`base_download_handler`) for non-browser requests."""
    values: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": {"http": "crawlers.render.handler.BrowserDownloadHandler",
                              "https": "crawlers.render.handler.BrowserDownloadHandler",
                              "ftp": None, "s3": None, "file": None, "data": None},
        "NACHTWACHT_RENDER": "js",
    }
    if base_download_handler:
        values["NACHTWACHT_BROWSER_FALLBACK_HANDLER"] = base_download_handler
    return values
