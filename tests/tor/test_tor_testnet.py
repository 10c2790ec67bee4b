"""The private Tor network itself: real tor processes, real onion services, nothing public."""

from __future__ import annotations

import threading
import time

import httpx2
import pytest

from crawlers.tor.onionkey import onion_address_from_public_key, seed_for_name, write_service_keys
from crawlers.tor.testnet import PrivateTorNetwork

pytestmark = pytest.mark.tor


def test_onion_page_is_served_through_the_tor_client(tor_network):
    site = tor_network.sites["alpha"]
    site.reset()
    proxy = f"socks5h://test-fetch:x@{tor_network.net.socks_endpoints[0]}"
    with httpx2.Client(proxy=proxy, timeout=60, trust_env=False) as client:
        response = client.get(tor_network.onion_url("alpha", "/p/3"))
    assert response.status_code == 200
    assert "alpha page 3" in response.text
    # The request reached the local server through the onion service, under the onion name.
    assert site.hits == [("/p/3", tor_network.net.onion_address("alpha"))]


def test_every_client_sees_only_our_relays(tor_network):
    ours = tor_network.net.relay_fingerprints
    assert len(ours) == 6  # 3 authorities + 3 relays
    for index in range(len(tor_network.net.socks_endpoints)):
        with tor_network.net.control(index) as ctl:
            seen = ctl.consensus_fingerprints()
        assert seen, "empty consensus"
        assert seen <= ours


def test_status_reports_bootstrap_and_socks_port(tor_network):
    with tor_network.net.control(0) as ctl:
        status = ctl.status()
    assert status.bootstrap == 100
    assert status.socks_ports == [tor_network.net.socks_endpoints[0]]
    assert status.version.startswith("0.4")


def test_onion_address_is_stable_and_matches_what_tor_publishes(tor_network, tmp_path):
    net = tor_network.net
    again = PrivateTorNetwork(tmp_path, {"alpha": 1})
    assert again.onion_address("alpha") == net.onion_address("alpha")
    assert again.onion_address("alpha") != net.onion_address("beta")
    published = (net.workdir / "onions" / "hs" / "alpha" / "hostname").read_text().strip()
    assert published == net.onion_address("alpha")


def test_onion_address_checksum_is_v3(tmp_path):
    address = write_service_keys(tmp_path / "svc", seed_for_name("x"))
    assert len(address) == 62 and address.endswith("d.onion")  # version byte 3 ends in 'd'
    public = (tmp_path / "svc" / "hs_ed25519_public_key").read_bytes()[32:]
    assert onion_address_from_public_key(public) == address
    assert onion_address_from_public_key(bytes(32)) != address


def test_pool_opens_a_socks_port_at_run_time_and_it_carries_onion_traffic(tor_network):
    pool = tor_network.net.pool
    endpoint = pool.add_socks_port(0)
    try:
        assert endpoint not in pool.socks_endpoints  # the configured ones are unchanged
        with pool.control(0) as ctl:
            assert set(ctl.socks_ports()) == {pool.socks_endpoints[0], endpoint}
        proxy = f"socks5h://added-port:x@{endpoint}"
        with httpx2.Client(proxy=proxy, timeout=60, trust_env=False) as client:
            assert "beta page 1" in client.get(tor_network.onion_url("beta", "/p/1")).text
        assert [s.bootstrap for s in pool.status()] == [100, 100]
    finally:
        pool.remove_socks_port(0, endpoint)
    with pool.control(0) as ctl:
        assert ctl.socks_ports() == [pool.socks_endpoints[0]]



def test_event_listener_on_a_cookie_authenticated_control_gets_stream_and_circuit_events(tor_network):
    # pool.control() authenticates with an explicit cookie file: stem's low-level
    # authenticate_cookie() used to leave SETEVENTS unsent, so listeners never fired.
    seen: list[tuple[str, str]] = []
    arrived = threading.Event()
    username = f"events-{time.monotonic_ns()}"  # a fresh isolation token: a fresh circuit

    def listener(event) -> None:
        seen.append((event.type, getattr(event, "socks_username", None) or getattr(event, "target_address", "")))
        arrived.set()

    with tor_network.net.control(0) as ctl:
        ctl.add_event_listener(listener, "STREAM", "CIRC")
        proxy = f"socks5h://{username}:x@{tor_network.net.socks_endpoints[0]}"
        with httpx2.Client(proxy=proxy, timeout=60, trust_env=False) as client:
            assert client.get(tor_network.onion_url("beta", "/p/2")).status_code == 200
        assert arrived.wait(10), "no control event arrived"
        deadline = time.monotonic() + 10
        while not any(kind == "STREAM" for kind, _ in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
    types = {kind for kind, _ in seen}
    assert {"STREAM", "CIRC"} <= types
    assert ("CIRC", username) in seen  # our circuit, by its isolation token
