"""The jobs page in headless Chromium: define a job on a served demo market, start it, watch the page
count grow (the page polls the status API) until the run ends."""

from __future__ import annotations

import time

import pytest

from tests.web.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_start_a_job_and_watch_its_pages_grow_to_the_end(page, served, demo_world):
    from nachtwacht.demomarket import DemoServer

    # 0.1 s per answer: the crawl lasts a few seconds, long enough to watch on any machine
    with DemoServer(demo_world.sites["noordzee"], latency=0.1) as server:
        page.click("header nav a[href='/jobs']")
        page.wait_for_selector("#job-form")
        page.fill("#job-form input[name=target]", "demo-noordzee")
        page.fill("#job-form input[name=name]", "ui-noordzee")
        page.select_option("#job-form select[name=via]", "direct")
        page.fill("#job-form input[name=base_url]", server.base_url)
        page.click("#job-form button[type=submit]")
        page.wait_for_url("**/jobs/ui-noordzee")
        assert "exempt" in page.text_content("#job-legal")
        assert page.text_content("#job-state") == "idle"
        with page.expect_navigation():
            page.click("#job-actions button[data-action=start]")
        assert page.text_content("#job-state") == "running"
        shot(page, "08-job-starting")
        seen, deadline = [], time.monotonic() + 300
        while True:
            state = page.text_content("#job-state")
            seen.append(int(page.text_content("#job-pages")))
            if state != "running":
                break
            assert time.monotonic() < deadline, f"job still running after 300 s; pages seen {seen[-5:]}"
            if len(set(seen)) == 3:
                shot(page, "09-job-running")
            page.wait_for_timeout(200)
        fetched = len(server.hits)
    assert state == "finished", page.text_content("#job-runs")
    assert seen == sorted(seen), "the page count only grows"
    steps = sorted(set(seen) - {0})
    # at least one live count before the final one (a quiet machine crawls the demo in seconds)
    assert len(steps) >= 2, f"the page showed progress, not only the end: {steps}"
    assert steps[-1] > 100 and steps[-1] <= fetched
    # (no wait_for_function: the page's CSP forbids the eval it polls with)
    deadline = time.monotonic() + 30
    while "finished" not in page.text_content("#job-runs"):
        assert time.monotonic() < deadline, "the runs table was not refreshed"
        page.wait_for_timeout(200)
    assert page.is_hidden("#job-actions button[data-action=pause]")
    assert page.is_visible("#job-actions button[data-action=start]")
    shot(page, "10-job-finished")
