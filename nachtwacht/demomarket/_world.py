"""``generate(seed)``: the whole demo world (sites + ground truth), and ``serve_world``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import _mercado, _noordzee
from ._crypto import KeyStream, corrupt, onion_v3
from ._evolve import CROSSOVER, evolve_market
from ._forum import build_forum
from ._hostile import BIG_PAGE_BYTES
from ._market import ListingRec, MarketContent, VendorRec, build_market
from ._server import DemoServer
from ._site import DemoSite
from ._vocab import BTC_USD, CATEGORY_BY_KEY, EUR_USD, XMR_USD

__all__ = ["DemoWorld", "generate", "serve_world"]

SITE_NAMES = ("noordzee", "mercado", "forum")

PATTERNS = {
    "noordzee": {"home": r"/", "index": r"/categorie/[a-z-]+(\?pagina=\d+)?", "listing": r"/product/\d+",
                 "vendor": r"/verkoper/[A-Za-z0-9_]+", "archive": r"/oud/\d+"},
    "mercado": {"home": r"/", "index": r"/c/[a-z-]+/\d+", "listing": r"/item\.php\?id=\d+",
                "vendor": r"/seller/[A-Za-z0-9_]+", "archive": r"/legacy/\d+"},
    "forum": {"home": r"/", "board": r"/board/[a-z-]+(\?page=\d+)?", "thread": r"/thread/\d+(\?page=\d+)?"},
}

_TEMPLATES = {
    "noordzee": {"module": _noordzee, "template": "A", "malformed": "/oud/{id}",
                 "calendar": "/agenda/2024/11", "calendar_pattern": r"/agenda/\d+/\d+",
                 "big": "/export/catalogus.html", "loop": ["/lus/a", "/lus/b"],
                 "wall": ("/account", "/login")},
    "mercado": {"module": _mercado, "template": "B", "malformed": "/legacy/{id}",
                "calendar": "/calendar/2024-11", "calendar_pattern": r"/calendar/\d+-\d+",
                "big": "/dump.html", "loop": ["/r/1", "/r/2"], "wall": ("/orders", "/signin")},
}


@dataclass(slots=True)
class DemoWorld:
    """The generated demo: one :class:`DemoSite` per name, and the ground truth.

    ``truth`` is plain JSON-able data; its keys are described in the package docstring.
    """

    seed: int
    sites: dict[str, DemoSite] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)


def _listing_truth(rec: ListingRec, path: str, malformed: bool) -> dict[str, Any]:
    return {
        "site": rec.site,
        "path": path,
        "id": rec.id,
        "title": rec.title,
        "vendor": rec.vendor,
        "price": {"amount": rec.price[0], "currency": rec.price[1]},
        "prices": [{"amount": a, "currency": c} for a, c in rec.prices],
        "quantity": {"value": rec.qty, "unit": rec.unit},
        "ships_from": rec.ships_from,
        "ships_to": list(rec.ships_to),
        "category": rec.category,
        "drug": CATEGORY_BY_KEY[rec.category].drug,
        "products": [{"name": p.name, "category": p.category} for p in rec.products],
        "lang": rec.lang,
        "malformed": malformed,
    }


def _vendor_truth(v: VendorRec, path: str, listing_paths: list[str]) -> dict[str, Any]:
    return {
        "site": v.site,
        "handle": v.handle,
        "path": path,
        "actor": v.actor,
        "lang": v.lang,
        "pgp_fingerprint": v.pgp.fingerprint,
        "pgp_key_id": v.pgp.key_id,
        "pgp_armored": v.pgp.armored,
        "wallets": [{"chain": w.chain, "address": w.address, "valid": w.valid} for w in v.wallets],
        "contacts": [{"kind": k, "value": val} for k, val in v.contacts],
        "onions": [{"address": a, "valid": ok} for a, ok in v.onions],
        "ships_from": v.country,
        "listing_paths": listing_paths,
    }


def _market_truth(content: MarketContent, truth: dict[str, Any]) -> None:
    spec = _TEMPLATES[content.site]
    mod = spec["module"]
    site = content.site
    for rec in content.listings:
        truth["listings"].append(_listing_truth(rec, mod.listing_path(rec.id), False))
    for rec in content.archived:
        path = spec["malformed"].format(id=rec.id)
        truth["listings"].append(_listing_truth(rec, path, True))
        truth["traps"].append({"site": site, "kind": "malformed", "path": path})
    for v in content.vendors:
        mine = [mod.listing_path(r.id) for r in content.listings if r.vendor == v.handle]
        truth["vendors"].append(_vendor_truth(v, mod.vendor_path(v.handle), mine))
        for addr, ok in v.onions:
            truth["onions"].append({"site": site, "path": mod.vendor_path(v.handle), "address": addr, "valid": ok})
    for m in content.mirrors:
        truth["onions"].append({"site": site, "path": "/", "address": m, "valid": True})
    by_cat: dict[str, list[str]] = {}
    for rec in content.listings:
        by_cat.setdefault(rec.category, []).append(mod.listing_path(rec.id))
    for cat, paths in by_cat.items():
        for start in range(0, len(paths), mod.PER_PAGE):
            page = start // mod.PER_PAGE + 1
            truth["index_pages"].append({
                "site": site, "path": mod.index_path(cat, page), "category": cat, "page": page,
                "listing_paths": paths[start : start + mod.PER_PAGE],
            })
    truth["traps"] += [
        {"site": site, "kind": "calendar", "path": spec["calendar"], "pattern": spec["calendar_pattern"]},
        {"site": site, "kind": "big_page", "path": spec["big"], "size": BIG_PAGE_BYTES},
        {"site": site, "kind": "redirect_loop", "path": spec["loop"][0], "paths": spec["loop"]},
        {"site": site, "kind": "login_wall", "path": spec["wall"][0], "location": spec["wall"][1]},
    ]
    truth["sites"][site] = {"template": spec["template"], "mirrors": list(content.mirrors),
                            "patterns": PATTERNS[site]}


def _vendor_links(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Actors seen on more than one market, with what links their handles."""
    from ._market import SHARED

    links = []
    for nz, mc, evidence in SHARED:
        links.append({
            "actor": f"actor-{nz.lower()}",
            "members": [{"site": "noordzee", "handle": nz}, {"site": "mercado", "handle": mc}],
            "evidence": evidence if nz != mc else f"{evidence}+handle",
        })
    return links


def generate(seed: int = 7, generation: int = 0) -> DemoWorld:
    """Build the demo world for ``seed``. Deterministic: same seed, same bytes everywhere.

    ``generation`` > 0 is the same world later, as a second crawl finds it (``_evolve``): new
    vendors and listings, a price change, listings gone, a new recruitment post; generation 0 is
    the original. For generation > 0, ``truth["generation"]`` and ``truth["changes"]`` (what changed
    since generation 0: new_vendors, new_listings, price_changes, gone_listings, new_posts) are added.
    """
    truth: dict[str, Any] = {
        "seed": seed,
        "rates": {"EUR_USD": EUR_USD, "BTC_USD": BTC_USD, "XMR_USD": XMR_USD},
        "sites": {}, "listings": [], "index_pages": [], "vendors": [], "vendor_links": [],
        "posts": [], "threads": [], "onions": [], "traps": [],
    }
    changes: dict[str, list[dict[str, Any]]] = {"new_vendors": [], "new_listings": [], "price_changes": [],
                                                "gone_listings": [], "new_posts": []}
    world = DemoWorld(seed=seed, truth=truth)
    for name in ("noordzee", "mercado"):
        content = build_market(name, seed)
        for step in range(1, generation + 1):
            _merge_changes(changes, evolve_market(content, seed, step))
        builder = _noordzee.build_noordzee if name == "noordzee" else _mercado.build_mercado
        world.sites[name] = builder(content, seed)
        _market_truth(content, truth)
    truth["vendor_links"] = _vendor_links(truth)
    if generation:
        truth["vendor_links"].append({"actor": f"actor-{CROSSOVER[1].lower()}", "evidence": "pgp", "members": [
            {"site": "noordzee", "handle": CROSSOVER[0]}, {"site": "mercado", "handle": CROSSOVER[1]}]})
    ks = KeyStream(seed, "forum-onions")
    onions = [(m, True) for name in ("noordzee", "mercado") for m in truth["sites"][name]["mirrors"]]
    onions += [(corrupt("onion", onions[i][0], ks), False) for i in (0, 3)] + [(onion_v3(ks), True)]
    world.sites["forum"], forum_truth = build_forum(seed, [o for o, _ in onions], generation)
    changes["new_posts"] = [{"site": "forum", "path": p["path"], "post_id": p["post_id"], "author": p["author"],
                             "recruitment": p["recruitment"]} for p in forum_truth.get("new_posts", [])]
    truth["threads"] = forum_truth["threads"]
    truth["posts"] = forum_truth["posts"]
    truth["sites"]["forum"] = {"template": "forum", "mirrors": [], "patterns": PATTERNS["forum"]}
    valid = dict(onions)
    for post in truth["posts"]:
        for onion in valid:
            if onion in post["text"]:
                truth["onions"].append({"site": "forum", "path": post["path"], "address": onion,
                                        "valid": valid[onion]})
    if generation:
        truth["generation"] = generation
        truth["changes"] = changes
    return world


def _merge_changes(into: dict[str, list[dict[str, Any]]], step: dict[str, list[dict[str, Any]]]) -> None:
    """Fold one step's changes into the running list: a listing gone later is no longer new."""
    gone = {(g["site"], g["id"]) for g in step["gone_listings"]}
    for key in ("new_listings", "price_changes"):
        into[key] = [r for r in into[key] if (r["site"], r["id"]) not in gone]
    for key, rows in step.items():
        into[key] += rows


def serve_world(world: DemoWorld, host: str = "127.0.0.1") -> dict[str, DemoServer]:
    """Start one server per site on free ports of ``host``; the caller stops them.

    If one fails to start, the ones already started are stopped and the error re-raised.
    """
    servers: dict[str, DemoServer] = {}
    try:
        for name, site in world.sites.items():
            server = DemoServer(site, host=host)
            server.start()
            servers[name] = server
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers
