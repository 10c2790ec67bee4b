"""Policy files: the shipped ones load; mistakes name the file, line and field."""

from __future__ import annotations

import pytest

from nachtwacht.rights import PolicyError, load_retention, load_rights
from nachtwacht.rights.policy import parse_days
from tests.conftest import REPO


def test_shipped_policies_load_with_the_demo_exempt():
    rights = load_rights(REPO / "config" / "rights.yaml")
    assert rights.legal_basis.required is True
    assert {"demo-noordzee", "demo-mercado", "demo-forum"} <= set(rights.legal_basis.exempt_sites)
    retention = load_retention(REPO / "config" / "retention.yaml")
    assert retention.retention.documents == 365 and retention.retention.audit_log == 3650


def test_unknown_key_names_file_line_and_field(tmp_path):
    path = tmp_path / "retention.yaml"
    path.write_text("retention:\n  documents: 30d\n  raw_pages: 10d\n")
    with pytest.raises(PolicyError) as info:
        load_retention(path)
    assert str(info.value).startswith(f"{path}:3: retention.raw_pages: unknown field")


def test_bad_period_and_bad_hold_are_refused(tmp_path):
    path = tmp_path / "retention.yaml"
    path.write_text("retention:\n  captures: soon\n")
    with pytest.raises(PolicyError, match=r":2: retention.captures: not a retention period"):
        load_retention(path)
    path.write_text("holds:\n  - case: BE-1\n    reason: trial\n    until: someday\n")
    with pytest.raises(PolicyError, match=r":4: holds.0.until"):
        load_retention(path)


def test_rights_policy_checks_types(tmp_path):
    path = tmp_path / "rights.yaml"
    path.write_text("legal_basis:\n  required: true\nminimisation:\n  contact_kinds: [phone, fax]\n")
    with pytest.raises(PolicyError, match=r":4: minimisation.contact_kinds.1"):
        load_rights(path)


@pytest.mark.parametrize(("text", "days"), [(30, 30), ("30d", 30), ("2w", 14), ("1y", 365), ("forever", None)])
def test_periods(text, days):
    assert parse_days(text) == days


def test_zero_period_is_refused():
    with pytest.raises(ValueError, match="at least 1 day"):
        parse_days("0d")
