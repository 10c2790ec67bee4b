from pathlib import Path

import pytest

from crawlers.exceptions import ConfigError
from crawlers.siteconfig import load_site, parse_size

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
name: test-market
base_url: http://example.onion
follow:
  - {pattern: '^/product/\\d+', page_type: listing}
limits:
  page_size: 2MB
  depth: 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_loads_with_defaults(tmp_path):
    site = load_site(write(tmp_path, GOOD))
    assert site.name == "test-market"
    assert site.via == "tor"  # fail closed: Tor unless a config says direct
    assert site.allowed_hosts == ["example.onion"]
    assert site.limits.page_size == 2_000_000
    assert site.start_urls == ["http://example.onion/"]


def test_bad_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "name: x\nbase_url: [unclosed\nfollow: []\n")
    with pytest.raises(ConfigError) as info:
        load_site(path)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert "invalid YAML" in message
    assert info.value.line in (2, 3, 4)


def test_unknown_field_is_an_error_with_its_line(tmp_path):
    path = write(tmp_path, GOOD + "limtis:\n  depth: 2\n")
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert info.value.field == "limtis"
    assert info.value.line == 8
    assert "unknown field" in str(info.value)


def test_nested_unknown_field_points_inside(tmp_path):
    path = write(tmp_path, GOOD.replace("  depth: 3", "  dept: 3"))
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert info.value.field == "limits.dept"
    assert info.value.line == 7


def test_wrong_type_names_field_and_value(tmp_path):
    path = write(tmp_path, GOOD.replace("depth: 3", "depth: deep"))
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert info.value.field == "limits.depth"
    assert "'deep'" in str(info.value)
    assert info.value.line == 7


def test_bad_regex_and_bad_url_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match=r"follow\.0\.pattern"):
        load_site(write(tmp_path, GOOD.replace("^/product/\\d+", "([")))
    with pytest.raises(ConfigError, match="base_url"):
        load_site(write(tmp_path, GOOD.replace("http://example.onion", "ftp://x")))


def test_via_must_be_tor_or_direct(tmp_path):
    with pytest.raises(ConfigError, match="via"):
        load_site(write(tmp_path, GOOD + "via: clearnet\n"))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_site(tmp_path / "nope.yaml")


def test_sizes():
    assert parse_size("5MB") == 5_000_000
    assert parse_size("1 KiB") == 1024
    with pytest.raises(ValueError):
        parse_size("five")


@pytest.mark.parametrize("path", sorted((REPO / "config" / "sites").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_site_configs_are_valid(path):
    site = load_site(path)
    if site.kind != "channel":  # a channel spider pages by message id, not by links
        assert site.follow, "shipped market and forum configs declare their follow rules"
