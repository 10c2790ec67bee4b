"""The web UI: server-rendered pages over the same audited calls as the API, uPlot charts, no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "mount_web"]

STATIC = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    """Add the pages and /static to an app made by `nachtwacht.api.create_app`."""
    from . import _views

    app.include_router(_views.router)
    for name in ("_alerts_views", "_jobs_views"):
        try:
            module = __import__(f"nachtwacht.web.{name}", fromlist=["router"])
        except ImportError:
            continue
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
