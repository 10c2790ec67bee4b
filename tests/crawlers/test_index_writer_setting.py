"""`NACHTWACHT_INDEX_WRITER`: where a crawl's embedded index is written."""

from __future__ import annotations

import pytest

from crawlers.backends import index_writer


def test_auto_writes_in_a_child_process_when_there_is_a_second_core():
    assert index_writer("auto", cores=1) == "inline"
    assert index_writer("auto", cores=2) == "process"
    assert index_writer(" Process ", cores=1) == "process"
    assert index_writer("inline", cores=8) == "inline"


@pytest.mark.parametrize("value", ["thread", "", None, 2])
def test_a_bad_value_is_refused_naming_the_setting(value):
    with pytest.raises(ValueError, match="NACHTWACHT_INDEX_WRITER"):
        index_writer(value)
