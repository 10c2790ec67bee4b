"""Rule files: valid files load and merge; bad ones name the file, the line and the field."""

from __future__ import annotations

import pytest

from nachtwacht.alerts.exceptions import RuleError
from nachtwacht.alerts.rules import load_rules, parse_duration
from nachtwacht.settings import config_dir

GOOD = """\
channels:
  - {name: log, type: file, path: alerts.jsonl}
rules:
  - {name: vendors, type: new_vendor, severity: medium, notify: [log]}
  - name: wallets
    type: watchlist
    wallets: [bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh]
    regexes: ['\\bwickr\\s*:\\s*\\w+']
    dedupe_window: 12h
  - {name: coke-nl, type: saved_search, query: 'cocaine AND ships_from:NL'}
"""


def _write(tmp_path, text, name="rules.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    rules = load_rules(_write(tmp_path, GOOD))
    assert [r.name for r in rules.rules] == ["vendors", "wallets", "coke-nl"]
    assert rules.rule("wallets").dedupe_window == 12 * 3600
    assert [c.name for c in rules.channels_for(rules.rule("vendors"))] == ["log"]


def test_the_shipped_rules_load():
    rules = load_rules(config_dir() / "alerts")
    assert {r.type for r in rules.rules} >= {"new_vendor", "vendor_link", "new_listing", "price_change",
                                             "listing_gone", "market_down", "recruitment"}


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    (GOOD.replace("type: new_vendor", "type: new_vendr"), 4, "rules[0](vendors)", "unknown type 'new_vendr'"),
    (GOOD.replace("dedupe_window: 12h", "dedupe_window: soon"), 9, "rules[1](wallets).dedupe_window",
     "not a duration"),
    (GOOD.replace("wallets: [bc1q", "walets: [bc1q"), 7, "rules[1](wallets).walets", "unknown field"),
    (GOOD.replace("'cocaine AND ships_from:NL'", "'cocaine AND (ships_from:NL'"), 10,
     "rules[2](coke-nl).query", "position"),
    (GOOD.replace("\\bwickr\\s*:\\s*\\w+", "(a+)+$"), 8, "rules[1](wallets).regexes", "nested quantifiers"),
    (GOOD.replace("severity: medium", "severity: urgent"), 4, "rules[0](vendors).severity", "urgent"),
    (GOOD.replace("rules:\n", "rules:\n  - {name: x, type: price_change, threshold_pct: -5}\n"), 4,
     "rules[0](x).threshold_pct", "greater than 0"),
    ("rules:\n  - {name: w, type: watchlist}\n", 2, "rules[0](w)", "at least one of"),
    ("rules: [\n", None, "", "invalid YAML"),
])
def test_bad_files_name_file_line_and_field(tmp_path, text, line, field, message):
    path = _write(tmp_path, text)
    with pytest.raises(RuleError) as info:
        load_rules(path)
    err = info.value
    assert err.path == str(path)
    assert message in str(err)
    assert str(err).startswith(str(path))
    if line is not None:
        assert err.line == line, str(err)
    assert err.field == field, str(err)


def test_unknown_channel_and_duplicate_names_across_files(tmp_path):
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, "rules:\n  - {name: other, type: recruitment, notify: [pager]}\n", "b.yaml")
    with pytest.raises(RuleError, match=r"b\.yaml:2: rules\(other\)\.notify: unknown channel 'pager'"):
        load_rules(tmp_path)
    _write(tmp_path, "rules:\n  - {name: vendors, type: recruitment}\n", "b.yaml")
    with pytest.raises(RuleError, match=r"b\.yaml:2: rules\[0\]\.name: duplicate name 'vendors' "
                                        r"\(first defined at .*a\.yaml:4\)"):
        load_rules(tmp_path)


def test_durations():
    assert parse_duration("90s") == 90
    assert parse_duration("15m") == 900
    assert parse_duration("7d") == 7 * 86400
    assert parse_duration(30) == 30
    with pytest.raises(ValueError):
        parse_duration("7 days")
