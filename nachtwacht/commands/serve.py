"""`nachtwacht serve`: the REST API and the web UI on one port (loopback by default)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["serve"]

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str, typer.Option(help="address to bind (keep 127.0.0.1 behind a reverse proxy)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8470,
    secure_cookies: Annotated[bool, typer.Option(help="mark session cookies Secure (behind HTTPS)")] = False,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data directory (env NACHTWACHT_DATA)")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="embedded|elasticsearch|opensearch")] = None,
) -> None:
    """Serve the REST API (/api, OpenAPI at /api/openapi.json) and the web UI."""
    import uvicorn

    from nachtwacht.api import create_app
    from nachtwacht.app import Nachtwacht

    app = create_app(Nachtwacht(data_dir, backend=backend), secure_cookies=secure_cookies)
    typer.echo(f"nachtwacht UI on http://{host}:{port}/  (API docs: /api/docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
