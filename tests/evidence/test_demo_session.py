"""Issue 8: an imported session reaches the demo market's login-walled page.

The Noordzee demo market's `/account` redirects to `/login` unless the request carries the world's
members' session cookie (`nachtwacht.demomarket._dynamic.member_session`); with it, it serves a
members page (a members-only offer and a vendor message). A real crawl of `demo-noordzee` without a
session does not reach that page; after `nachtwacht sessions import demo-noordzee cookies.txt` it
reaches and indexes it, and the cookie value shows up nowhere in the data directory or the CLI output.
"""

from __future__ import annotations

import json
import os

import pytest

from nachtwacht.demomarket._dynamic import member_session
from tests.conftest import cli_json, run_cli
from tests.evidence.test_sessions import _files, _pages

SEED = 7  # the `demo_world` fixture's seed


def test_the_login_wall_opens_only_for_the_members_session(demo_world):
    site = demo_world.sites["noordzee"]
    name, value = member_session(SEED)
    assert site.resolve("/account").status == 302
    assert dict(site.resolve("/account").headers)["Location"] == "/login"
    assert site.resolve("/account", f"{name}=wrong; other={value}").status == 302
    assert site.resolve("/account", f"{name}={value[:-1]}").status == 302
    opened = site.resolve("/account", f"lang=nl; {name}={value}")
    assert opened.status == 200 and b"Ledenaanbieding" in opened.body
    assert dict(opened.headers)["Set-Cookie"].startswith(f"{name}={value};")
    assert "/account" not in site.pages  # served, not a stored page: generate() output is unchanged
    assert member_session(SEED) != member_session(SEED + 1)


@pytest.fixture(scope="module")
def demo_walled(demo_world, tmp_path_factory):
    from nachtwacht.demomarket import DemoServer

    name, value = member_session(SEED)
    server = DemoServer(demo_world.sites["noordzee"])
    base = server.start()
    data = tmp_path_factory.mktemp("demo-session")
    config = data / "demo-noordzee.yaml"  # the demo site, narrowed to the home page and the wall
    config.write_text(f"name: demo-noordzee\nbase_url: {base}\nstart_paths: ['/']\nkind: market\n"
                      f"language: nl\nallowed_hosts: ['127.0.0.1', '127.0.0.1:{server.port}']\n"
                      "follow:\n  - {pattern: '^/account'}\ndeny: ['^/logout', '^/login']\n")
    env_key = os.environ.pop("NACHTWACHT_SESSION_KEY", None)
    try:
        without = cli_json("crawl", str(config), "--via", "direct", "--job", "nosession", data_dir=data)
        hits_without = list(server.hits)
        pages_without = _pages(data)
        cookies = data / "cookies.txt"
        cookies.write_text("# Netscape HTTP Cookie File\n"
                           f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\t{name}\t{value}\n")
        imported = run_cli("sessions", "import", "demo-noordzee", str(cookies), "--operator",
                           "insp.peeters", data_dir=data)
        cookies.unlink()
        server.hits.clear()
        summary = cli_json("crawl", str(config), "--via", "direct", "--job", "withsession", data_dir=data)
    finally:
        server.stop()
        if env_key is not None:
            os.environ["NACHTWACHT_SESSION_KEY"] = env_key
    return {"without": without, "hits_without": hits_without, "pages_without": pages_without,
            "summary": summary, "hits": list(server.hits), "data": data, "base": base, "value": value,
            "cli": imported.stdout + imported.stderr + json.dumps(summary) + json.dumps(without)}


def test_without_the_session_the_members_page_is_not_reached(demo_walled):
    assert "/account" in demo_walled["hits_without"], "the crawl never tried the wall: proves nothing"
    assert "/login" not in demo_walled["hits_without"]  # denied: the redirect ends there
    urls = {p.get("url") for p in demo_walled["pages_without"]}
    assert demo_walled["base"] + "/" in urls and demo_walled["base"] + "/account" not in urls
    assert "Ledenaanbieding" not in json.dumps(demo_walled["pages_without"])


def test_the_imported_session_reaches_and_indexes_the_members_page(demo_walled, demo_world):
    hits = _pages(demo_walled["data"])
    pages = {p["url"]: p for p in hits if p.get("kind") == "page"}
    assert demo_walled["base"] + "/account" in pages, sorted(pages)
    assert "/login" not in demo_walled["hits"]
    offer = demo_world.truth["listings"][0]
    assert offer["site"] == "noordzee"
    members = [h for h in hits if h.get("kind") == "listing" and h.get("url") == demo_walled["base"] + "/account"]
    assert members, [(h.get("kind"), h.get("url")) for h in hits]
    assert members[0]["title"] == "Ledenaanbieding: " + offer["title"]
    assert members[0]["vendor"] == offer["vendor"]
    assert demo_walled["summary"]["finish_reason"] == "finished"


def test_the_demo_cookie_value_is_nowhere_in_logs_warc_custody_index_or_output(demo_walled):
    data, value = demo_walled["data"], demo_walled["value"]
    seen = {p.relative_to(data).as_posix() for p, _ in _files(data)}
    assert any(s.endswith("crawl.log") for s in seen) and any(s.endswith(".warc.gz") for s in seen)
    assert any(s.endswith("custody.jsonl") for s in seen)
    assert [str(path) for path, raw in _files(data) if value.encode() in raw] == []
    assert value not in json.dumps(_pages(data))
    assert value not in demo_walled["cli"]
    warcs = b"".join(raw for path, raw in _files(data)
                     if path.name.endswith(".warc.gz") and "withsession" in path.parts)
    assert b"Cookie: [redacted]" in warcs and b"Set-Cookie: [redacted]" in warcs
    assert b"Ledenaanbieding" in warcs  # the members page itself is in the evidence
