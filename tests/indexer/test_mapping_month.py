"""`prepare`'s month fields are what `strftime("%Y-%m")` gives, for every year."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from indexer._mapping import _month, prepare


@given(st.datetimes(timezones=st.just(UTC)))
def test_month_is_strftime(dt):
    assert _month(dt) == dt.strftime("%Y-%m")


def test_month_fields_of_a_document():
    prep = prepare({"id": "x", "kind": "listing", "first_seen": "0999-02-03T00:00:00+00:00",
                    "last_seen": "2025-11-30T23:59:59-02:00"})
    assert prep.fields["month"] == ["2025-12"]  # last_seen in UTC
    assert prep.fields["first_month"] == [datetime(999, 2, 3).strftime("%Y-%m")]
