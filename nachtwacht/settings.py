"""Application settings: each with its default and help, overridable by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["SETTINGS", "Setting", "config_dir", "data_dir"]


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS = (
    Setting("data_dir", "NACHTWACHT_DATA", platformdirs.user_data_dir("nachtwacht"),
            "where the index, crawl jobs, evidence and state live"),
    Setting("config_dir", "NACHTWACHT_CONFIG", "", "the config/ folder (site definitions, lexicons); "
            "default: the repository's config/"),
    Setting("backend", "NACHTWACHT_BACKEND", "embedded", "search backend: embedded|elasticsearch|opensearch"),
    Setting("backend_url", "NACHTWACHT_BACKEND_URL", "", "URL of the Elasticsearch/OpenSearch cluster"),
)


def _value(name: str) -> str:
    setting = next(s for s in SETTINGS if s.name == name)
    return os.environ.get(setting.env) or setting.default


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory: `--data-dir`, else $NACHTWACHT_DATA, else the user's data dir."""
    path = Path(override) if override else Path(_value("data_dir"))
    return path.expanduser()


def config_dir() -> Path:
    """The config folder: $NACHTWACHT_CONFIG, else `config/` beside the packages."""
    value = _value("config_dir")
    return Path(value) if value else Path(__file__).resolve().parent.parent / "config"


def backend_settings(data: Path, backend: str | None = None, url: str | None = None) -> dict[str, str]:
    """The index backend settings for `indexer.get_backend`."""
    name = backend or _value("backend")
    settings = {"backend": name, "data_dir": str(data)}
    if name != "embedded":
        settings["url"] = url or _value("backend_url")
    return settings
