"""The extraction worker pool: the setting, one shared pool per process, results equal to inline."""

from __future__ import annotations

import pytest

from crawlers.extraction_pool import (
    acquire_pool,
    extract_batch,
    extract_page,
    extract_workers,
    release_pool,
)

PAGE = (b"<html><body><h1>Witte Weduwe 5g</h1><p>Vendor: bergkristal</p><p>Prijs: 45 EUR</p>"
        b"<p>Ships from: Netherlands</p><a href='/vendor/bergkristal'>bergkristal</a></body></html>")


@pytest.mark.parametrize(("value", "cores", "expected"), [
    ("auto", 1, 0), ("auto", 2, 1), ("AUTO", 8, 1), (0, 4, 0), ("3", 2, 3),
])
def test_worker_count_from_the_setting(value, cores, expected):
    assert extract_workers(value, cores) == expected


@pytest.mark.parametrize("value", ["-1", "many", None])
def test_a_bad_worker_count_is_refused_naming_the_setting(value):
    with pytest.raises(ValueError, match="NACHTWACHT_EXTRACT_WORKERS"):
        extract_workers(value, 2)


def test_crawlers_of_one_process_share_one_pool_and_get_what_inline_extraction_gives():
    first = acquire_pool(1)
    second = acquire_pool(1)
    try:
        assert second is first, "one pool per process, not one per crawler"
        task = (PAGE, "http://x.onion/item/1", "demo-x", None, ("HtmlResponse", "utf-8"))
        failing = (12345, "http://x.onion/2", "demo-x", None, ("HtmlResponse", "utf-8"))
        results = first.pool.submit(extract_batch, [task, failing]).result(timeout=120)
    finally:
        release_pool(1)
        assert not first.pool._shutdown_thread, "still in use by the second crawler"
        release_pool(1)
    assert first.pool._shutdown_thread, "the last user shut it down"
    (ok, extraction, links), (bad_ok, trace, bad_links) = results
    assert ok and extraction.to_dict() == extract_page(*task[:4]).to_dict()
    from scrapy.http import HtmlResponse

    from crawlers.spiders.links import extract_links

    assert links == extract_links(HtmlResponse(task[1], body=PAGE, encoding="utf-8")) == [
        "http://x.onion/vendor/bergkristal"]
    assert not bad_ok and "Traceback" in trace, "a failing page fails alone, with its traceback"
    assert bad_links is None, "links that cannot be extracted are None: the spider then tries itself"


def _loaded(module: str) -> bool:
    """Run in a worker: is `module` imported there already?"""
    import sys

    return module in sys.modules


def test_a_worker_has_the_link_extractor_loaded_before_the_first_page():
    # Lazily, the crawl's first page (the only URL its frontier holds) waited ~0.35 s in the worker
    # for Scrapy's response classes before any link was found: the whole crawl started late.
    batcher = acquire_pool(1)
    try:
        loaded = batcher.pool.submit(_loaded, "crawlers.spiders.links").result(timeout=120)
    finally:
        release_pool(1)
    assert loaded
