"""The fail-closed handler's gate and the SOCKS failure classification, without a network."""

from __future__ import annotations

import httpx2
import pytest
from scrapy import Request
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadFailedError
from scrapy.utils.test import get_crawler
from socksio import socks5
from socksio.exceptions import ProtocolError

from crawlers.handlers import allowed_endpoints, gate
from crawlers.tor.exceptions import TorError, TorRefused
from crawlers.tor.routing import isolation_username, pick_endpoint
from crawlers.tor.socks import classify_failure


class _Gate:
    """The handler's gate with its settings and a real stats collector (no reactor needed)."""

    def __init__(self, **settings):
        crawler = get_crawler(settings_dict=settings)
        self.via = crawler.settings.get("NACHTWACHT_VIA")
        self.allowed = allowed_endpoints(crawler.settings.getlist("NACHTWACHT_TOR_SOCKS"))
        self.stats = crawler.stats

    def check(self, request: Request) -> None:
        gate(request, self.via, self.allowed, self.stats)


_handler = _Gate


def _request(proxy: str | None) -> Request:
    return Request("http://example.onion/", meta={"proxy": proxy} if proxy else {})


@pytest.mark.parametrize("proxy", [
    None,                                   # no proxy: would go direct
    "socks5://127.0.0.1:9050",              # socks5 without h: resolves names locally
    "http://127.0.0.1:9050",                # an HTTP proxy is not Tor
    "socks5h://127.0.0.1:9999",             # not a configured endpoint
    "socks5h://10.0.0.1:9050",
])
def test_tor_mode_refuses_anything_but_a_configured_socks5h_endpoint(proxy):
    handler = _handler(NACHTWACHT_VIA="tor", NACHTWACHT_TOR_SOCKS=["127.0.0.1:9050"])
    with pytest.raises(TorRefused, match="fail closed"):
        handler.check(_request(proxy))
    assert handler.stats.get_value("tor/refused") == 1


def test_tor_mode_accepts_the_configured_endpoint_with_credentials():
    handler = _handler(NACHTWACHT_VIA="tor", NACHTWACHT_TOR_SOCKS=["127.0.0.1:9050"])
    handler.check(_request("socks5h://nw-abc-0:x@127.0.0.1:9050"))
    assert handler.stats.get_value("tor/refused") is None


def test_no_endpoint_refuses_even_a_socks5h_request():
    handler = _handler(NACHTWACHT_VIA="tor", NACHTWACHT_TOR_SOCKS=[])
    with pytest.raises(TorRefused, match="NACHTWACHT_TOR_SOCKS"):
        handler.check(_request("socks5h://127.0.0.1:9050"))


def test_direct_mode_lets_requests_through_and_bad_settings_fail():
    _handler(NACHTWACHT_VIA="direct").check(_request(None))
    with pytest.raises(TorError, match="host:port"):
        allowed_endpoints(["9050"])


def _wrapped(inner: BaseException, outer: type[Exception]) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer(str(exc)) from exc
    except Exception as exc:
        return exc


def _socksio_reply_error(code: int) -> Exception:
    """What socksio raises on a reply code it does not know (Tor's extended ones)."""
    try:
        socks5.SOCKS5Reply.loads(bytes([5, code, 0, 1]) + bytes(6))
    except ProtocolError as exc:
        return _wrapped(exc, DownloadFailedError)
    raise AssertionError(f"socksio accepted 0x{code:02X}")


def test_extended_socks_codes_classify_onion_failures():
    assert classify_failure(_socksio_reply_error(0xF0)) == ("unreachable", 0xF0)
    assert classify_failure(_socksio_reply_error(0xF6)) == ("unreachable", 0xF6)
    general = _wrapped(httpx2.ProxyError("Proxy Server could not connect: General SOCKS server failure."),
                       DownloadConnectionRefusedError)
    assert classify_failure(general) == ("tor_down", 0x01)
    unreachable = _wrapped(httpx2.ProxyError("Proxy Server could not connect: Host unreachable."),
                           DownloadConnectionRefusedError)
    assert classify_failure(unreachable) == ("unreachable", 0x04)
    refused = _wrapped(httpx2.ConnectError("All connection attempts failed"), DownloadConnectionRefusedError)
    assert classify_failure(refused) == ("tor_down", None)
    cut = _wrapped(httpx2.RemoteProtocolError("Server disconnected"), DownloadFailedError)
    assert classify_failure(cut) == ("broken_stream", None)
    assert classify_failure(TorRefused("no")) == ("refused", None)
    assert classify_failure(ValueError("x")) == ("other", None)


def test_routing_is_stable_and_spreads_sites():
    endpoints = ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]
    picks = {site: pick_endpoint(site, endpoints) for site in (f"site{i}" for i in range(30))}
    assert picks == {site: pick_endpoint(site, endpoints) for site in picks}
    assert len(set(picks.values())) == 3
    assert isolation_username("a") == isolation_username("a", 0) != isolation_username("b")
    assert isolation_username("a", 1) != isolation_username("a", 0)
    assert "site" not in isolation_username("site0")  # the name never reaches Tor
