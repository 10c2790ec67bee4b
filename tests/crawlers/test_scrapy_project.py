"""The Scrapy project is a real one: `scrapy list` finds the spider, and the fail-closed defaults hold."""

from __future__ import annotations

import subprocess
import sys

from scrapy.settings import Settings

from tests.conftest import REPO


def test_scrapy_list_finds_the_market_spider():
    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["market", "telegram"]


def test_project_settings_close_the_side_doors():
    settings = Settings()
    settings.setmodule("crawlers.settings")
    assert settings.get("NACHTWACHT_VIA") == "tor"
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["ftp"] is None and handlers["s3"] is None
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None
    assert extensions["scrapy.extensions.remote_control.RemoteControl"] is None
