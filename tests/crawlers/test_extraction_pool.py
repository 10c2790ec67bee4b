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
        b"<p>Ships from: Netherlands</p></body></html>")


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
        task = (PAGE, "http://x.onion/item/1", "demo-x", None)
        results = first.pool.submit(extract_batch, [task, (12345, "http://x.onion/2", "demo-x", None)]).result(timeout=120)
    finally:
        release_pool(1)
        assert not first.pool._shutdown_thread, "still in use by the second crawler"
        release_pool(1)
    assert first.pool._shutdown_thread, "the last user shut it down"
    (ok, extraction), (bad_ok, trace) = results
    assert ok and extraction.to_dict() == extract_page(*task).to_dict()
    assert not bad_ok and "Traceback" in trace, "a failing page fails alone, with its traceback"
