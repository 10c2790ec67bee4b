"""The bundled demo dark-web world: two markets and a forum, generated from a seed and served.

``generate(seed)`` builds every page deterministically (same seed, same bytes) and the
ground truth; ``DemoServer`` serves one site over HTTP/1.1 on loopback; ``serve_world``
starts one server per site. Pages only use root-relative links, so a site works the
same on ``127.0.0.1:PORT`` and behind an onion service.

Ground truth (``DemoWorld.truth``), all plain JSON-able data:

- ``listings``: site, path, id, title, vendor, price {amount, currency}, prices[],
  quantity {value, unit}, ships_from, ships_to[] (canonical English names, or
  "Worldwide"/"EU"), category (key), drug, products[{name, category}], lang, malformed.
- ``index_pages``: site, path, category, page, listing_paths[] (in page order).
- ``vendors``: site, handle, path, actor (same id across markets for one actor),
  pgp_fingerprint (v4, 40 hex), pgp_key_id, pgp_armored, wallets[{chain, address,
  valid}], contacts[{kind, value}], onions[{address, valid}], listing_paths[].
- ``vendor_links``: actor, members[{site, handle}], evidence (pgp | wallet | contact).
- ``posts``: site, path, thread, post_id, author, posted_at (ISO), posted_shown,
  lang, text (own text, quotes excluded), quoted, recruitment (bool), kind.
- ``onions``: site, path, address, valid.  ``traps``: site, kind, path (+ details).
- ``threads``: site, path, id, board, title, kind, lang, pages, post_count.
- ``sites``: template, mirrors[], patterns {page type: path regex}.
- ``rates``: the fixed exchange rates used for derived prices.

``save_world(world, dir)`` writes the static pages and ``truth.json`` (rows get a
``file`` key); ``python -m nachtwacht.demomarket`` serves the world (or ``--save DIR``).
"""

from __future__ import annotations

from ._export import save_world
from ._server import DemoServer
from ._site import DemoSite
from ._world import DemoWorld, generate, serve_world
from .exceptions import DemoMarketError, DemoServerError

__all__ = [
    "DemoMarketError",
    "DemoServer",
    "DemoServerError",
    "DemoSite",
    "DemoWorld",
    "generate",
    "save_world",
    "serve_world",
]
