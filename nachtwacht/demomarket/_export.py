"""Write a generated world to disk: every static page as a file, plus ``truth.json``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._world import DemoWorld

__all__ = ["page_filename", "save_world"]


def page_filename(path: str) -> str:
    """A flat, reversible-enough file name for a site path: ``/item.php?id=3`` -> ``item.php_id=3.html``."""
    name = re.sub(r"[^A-Za-z0-9._=-]+", "_", path.strip("/")) or "index"
    return name + ".html"


def save_world(world: DemoWorld, directory: str | Path) -> Path:
    """Save pages under ``directory/<site>/`` and the truth as ``truth.json``.

    Each truth row with a ``path`` gets a ``file`` key relative to ``directory`` in the
    saved JSON. The 20 MiB page and dynamic routes (calendars) are not saved.
    Returns the directory.
    """
    root = Path(directory)
    names: dict[tuple[str, str], str] = {}
    for site_name, site in world.sites.items():
        folder = root / site_name
        folder.mkdir(parents=True, exist_ok=True)
        for path, body in site.pages.items():
            rel = f"{site_name}/{page_filename(path)}"
            (root / rel).write_bytes(body)
            names[(site_name, path)] = rel
    truth = json.loads(json.dumps(world.truth))
    for rows in truth.values():
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict) and (row.get("site"), row.get("path")) in names:
                    row["file"] = names[(row["site"], row["path"])]
    (root / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True),
                                     encoding="utf-8")
    return root
