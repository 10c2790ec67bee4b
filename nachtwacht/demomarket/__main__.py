"""``python -m nachtwacht.demomarket``: serve the demo world on loopback, or save it to disk."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from ._export import save_world
from ._world import generate, serve_world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nachtwacht.demomarket", description=__doc__)
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--save", metavar="DIR", help="write pages and truth.json to DIR, do not serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    world = generate(args.seed)
    if args.save:
        sys.stdout.write(f"saved to {save_world(world, args.save)}\n")
        return 0
    servers = serve_world(world, host=args.host)
    for name, server in servers.items():
        sys.stdout.write(f"{name:10s} {server.base_url}/\n")
    sys.stdout.write("Ctrl-C to stop.\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
