"""The web UI in headless Chromium against `nachtwacht serve` with the demo data."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nachtwacht.app import Nachtwacht
from nachtwacht.audit import AuditLog
from tests.web.conftest import CASE, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_login_lands_on_search_with_the_case_shown(page):
    assert page.text_content("#case-ref") == CASE
    shot(page, "01-search-empty")


def test_wrong_password_shows_an_error(browser, served):
    context = browser.new_context()
    pg = context.new_page()
    try:
        pg.goto(served.url + "/login")
        pg.fill("input[name=username]", served.username)
        pg.fill("input[name=password]", "not the password")
        pg.click("#login-form button[type=submit]")
        assert "Wrong username or password" in pg.text_content("#login-error")
        pg.goto(served.url + "/search?q=cocaine")
        assert "/login" in pg.url, "no session, no search"
    finally:
        context.close()


def test_search_with_a_market_filter(page, served):
    page.fill("input[name=q]", "*")
    page.click("#search-form button[type=submit]")
    total_all = int(page.text_content("#result-total strong"))
    assert total_all > 0
    market = page.locator("[data-facet=market] .facet-link").first
    name = market.get_attribute("data-value")
    market.click()
    page.wait_for_url(re.compile(r".*site%3A.*"))
    total = int(page.text_content("#result-total strong"))
    assert 0 < total < total_all
    hits = page.locator("#hits .hit .meta").all_text_contents()
    assert hits and all(name in h for h in hits)
    shot(page, "02-search-filtered")
    record = AuditLog(served.data_dir).records(action="search", limit=1)[0]
    assert record["case_ref"] == CASE and "site:" in record["target"] and record["details"]["via"] == "session"


def test_highlighted_snippets(page, served):
    nw = Nachtwacht(served.data_dir)
    words = Counter(w.lower() for d in nw.search_sorted("*", limit=50).hits
                    for w in re.findall(r"[A-Za-z]{6,}", d.get("title") or ""))
    word = words.most_common(1)[0][0]
    page.goto(f"{served.url}/search?q={word}")
    marks = page.locator("#hits mark").all_text_contents()
    assert marks and all(m.lower() == word for m in marks)


def test_listing_page_draws_its_price_chart(page, served):
    nw = Nachtwacht(served.data_dir)
    priced = Counter(o["listing_id"] for o in nw.export("*", kind="observation") if o.get("price"))
    listing_id = priced.most_common(1)[0][0]
    page.goto(f"{served.url}/listing/{listing_id}")
    page.wait_for_selector("#price-chart[data-rendered=true] canvas")
    box = page.locator("#price-chart canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("#entities tr").count() >= 1
    shot(page, "03-listing")


def test_vendor_page_shows_its_linked_vendor(page, served):
    nw = Nachtwacht(served.data_dir)
    vendor_id, other = next((v["vendor_id"], link["vendor_id"]) for v in nw.vendors(limit=500)
                            for link in nw.vendor_links(v["vendor_id"]))
    page.goto(f"{served.url}/vendor/{vendor_id}")
    page.wait_for_selector("#activity-chart[data-rendered=true] canvas")
    linked = page.locator("#links .linked-vendor, #links .link-row td:first-child").first
    assert other in linked.text_content().lower().replace(" ", "").replace("_", "") or \
        other == linked.text_content().strip()
    shot(page, "04-vendor")
    page.locator("#links .linked-vendor").first.click()
    page.wait_for_selector("#vendor h1")
    assert f"({other})" in page.text_content("#vendor h1")


def test_trends_page_draws_three_charts(page, served):
    page.goto(served.url + "/trends")
    page.wait_for_selector("#chart-listings[data-rendered=true] canvas")
    for chart in ("#chart-median", "#chart-vendors"):
        assert page.get_attribute(chart, "data-rendered") in ("true", "empty")
    shot(page, "05-trends")


def test_acknowledge_an_alert(page, served):
    nw = Nachtwacht(served.data_dir)
    new = [e for e in nw.alerts(status="new", limit=500)]
    assert new, "the demo raises alerts"
    page.goto(served.url + "/alerts?status=new")
    row = page.locator(".alert-row").first
    alert_id = int(row.get_attribute("data-id"))
    row.locator("button[data-action=acknowledged]").click()
    page.wait_for_url("**/alerts?status=new")
    assert page.locator(f".alert-row[data-id='{alert_id}']").count() == 0
    assert nw.alert(alert_id)["status"] == "acknowledged"
    page.goto(served.url + "/alerts?status=all")
    assert page.get_attribute(f".alert-row[data-id='{alert_id}']", "data-status") == "acknowledged"
    shot(page, "06-alerts")


def test_audit_page_for_admins_shows_an_intact_chain(page, served):
    page.goto(served.url + "/audit")
    assert "Chain intact" in page.text_content("#audit-status")
    assert page.locator("#audit-records tr").count() > 1
    shot(page, "07-audit")
