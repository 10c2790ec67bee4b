"""Docs beside code: every CLI command and every setting appears in the README."""

from __future__ import annotations

import re

import pytest
import typer.main

from nachtwacht.cli import app
from nachtwacht.settings import SETTINGS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(command):
    assert f"`nachtwacht {command}" in README


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.name}`" in README and f"`{setting.env}`" in README


def test_crawl_settings_of_ours_are_commented():
    source = (REPO / "crawlers" / "settings.py").read_text(encoding="utf-8")
    ours = re.findall(r"^(NACHTWACHT_[A-Z_]+)\s*[:=]", source, re.MULTILINE)
    assert ours
    for name in ours:
        assert name in README or re.search(rf"^{name}.*#", source, re.MULTILINE), name


def test_the_two_commands_come_first():
    first_code_block = README.split("```")[1]
    assert "make demo" in first_code_block and "make test" in first_code_block
