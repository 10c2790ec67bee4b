"""The collector's policy during a crawl: startup objects frozen, young threshold raised, all undone."""

from __future__ import annotations

import gc
import weakref

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawlers import gcpolicy
from crawlers import settings as project
from crawlers.extensions.gc_policy import GcPolicy


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture(autouse=True)
def _collector_restored():
    before = (gc.get_threshold(), gc.get_freeze_count())
    yield
    while gcpolicy._holders:
        gcpolicy.thaw()
    assert (gc.get_threshold(), gc.get_freeze_count()) == before, "a test left the collector changed"


def test_freeze_takes_the_live_objects_out_of_the_walks_and_thaw_gives_them_back():
    alive = _Node()
    gcpolicy.freeze(20_000)
    assert gc.get_freeze_count() > 1000, "the imported modules' objects are frozen"
    assert gc.get_threshold()[0] == 20_000
    assert not any(obj is alive for obj in gc.get_objects()), "a frozen object is in no generation"
    gcpolicy.thaw()
    assert gc.get_freeze_count() == 0
    assert any(obj is alive for obj in gc.get_objects())


def test_cycles_made_while_frozen_are_still_collected():
    gcpolicy.freeze(20_000)
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None


def test_nested_freezes_hold_until_the_last_thaw():
    threshold = gc.get_threshold()
    gcpolicy.freeze(20_000)
    gcpolicy.freeze(50_000)  # a second crawl of the process: the first one's threshold stays
    assert gc.get_threshold()[0] == 20_000
    gcpolicy.thaw()
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 20_000
    gcpolicy.thaw()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    gcpolicy.thaw()  # one too many: nothing to undo
    assert gc.get_threshold() == threshold


def test_zero_keeps_pythons_threshold():
    threshold = gc.get_threshold()
    gcpolicy.freeze(None)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() > 0


def _crawler(**settings):
    """A crawler with the project's extensions built (Scrapy's own left out: they need a reactor)."""
    return get_crawler(settings_dict={"EXTENSIONS_BASE": {}, "EXTENSIONS": project.EXTENSIONS, **settings})


def test_the_project_enables_it_with_a_raised_threshold():
    assert "crawlers.extensions.gc_policy.GcPolicy" in project.EXTENSIONS
    assert project.NACHTWACHT_GC_FREEZE is True
    assert gc.get_threshold()[0] < project.NACHTWACHT_GC_THRESHOLD0


def test_the_crawl_freezes_at_open_and_thaws_at_close():
    crawler = _crawler(NACHTWACHT_GC_THRESHOLD0=30_000)
    [ext] = [ext for ext in crawler.extensions.middlewares if isinstance(ext, GcPolicy)]
    threshold = gc.get_threshold()
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 30_000
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)  # twice: still one hold
    assert gcpolicy._holders == 1
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    assert not ext.frozen


def test_it_is_off_when_the_setting_says_so():
    with pytest.raises(NotConfigured):
        GcPolicy.from_crawler(_crawler(NACHTWACHT_GC_FREEZE=False))


def test_a_negative_threshold_is_a_clear_error():
    with pytest.raises(ValueError, match="NACHTWACHT_GC_THRESHOLD0 must be >= 0"):
        GcPolicy.from_crawler(_crawler(NACHTWACHT_GC_THRESHOLD0=-1))
