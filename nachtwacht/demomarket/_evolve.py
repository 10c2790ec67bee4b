"""Later generations of the demo world: the market and forum a second crawl finds, and what changed.

Generation 0 is ``generate(seed)`` untouched. Each step g >= 1 applies, cumulatively, to Noordzee:
one new vendor never seen anywhere, plus (step 1) a Mercado actor opening a shop under another handle
with the same PGP key; two new listings per new vendor; one price raised by half; three listings
gone. On the forum: one new thread opened by a recruiter. Mercado does not change. Every change is
listed in ``truth["changes"]`` (see ``changes_truth``), so tests assert events against it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ._market import ListingRec, MarketContent, VendorRec, _listing, _vendor

__all__ = ["FRESH_VENDORS", "GONE_PER_STEP", "PRICE_FACTOR", "evolve_market", "new_forum_thread"]

#: Handles of vendors who appear in step g (never seen on any market before).
FRESH_VENDORS = ("NachtUil", "DuinDealer", "GrachtGoods", "WaddenWaar", "BeursBaas")
#: Step 1 only: (new Noordzee handle, Mercado handle whose key it uses).
CROSSOVER = ("Chapulin_NL", "ElChapulin")
LISTINGS_PER_NEW_VENDOR = 2
GONE_PER_STEP = 3
PRICE_FACTOR = 1.5  # one listing per step: every price mention times this
_EVOLVING = "noordzee"


def _fresh_handle(step: int) -> str:
    base = FRESH_VENDORS[(step - 1) % len(FRESH_VENDORS)]
    return base if step <= len(FRESH_VENDORS) else f"{base}{step}"


def _path(site: str, lid: int) -> str:
    from . import _mercado, _noordzee

    return (_noordzee if site == "noordzee" else _mercado).listing_path(lid)


def evolve_market(content: MarketContent, seed: int, step: int) -> dict[str, list[dict[str, Any]]]:
    """Apply step ``step`` (>= 1) to ``content`` in place; returns the changes (truth rows).

    Only Noordzee evolves; for another site nothing changes and the lists are empty.
    """
    changes: dict[str, list[dict[str, Any]]] = {"new_vendors": [], "new_listings": [], "price_changes": [],
                                                "gone_listings": []}
    site = content.site
    if site != _EVOLVING:
        return changes
    rng = random.Random(f"{seed}:{site}:generation:{step}")
    # Listings gone, then one price change among the survivors (neither touches a new vendor's).
    gone = sorted(rng.sample(range(len(content.listings)), GONE_PER_STEP))
    for i in gone:
        rec = content.listings[i]
        changes["gone_listings"].append({"site": site, "path": _path(site, rec.id), "id": rec.id,
                                         "vendor": rec.vendor})
    kept = [r for i, r in enumerate(content.listings) if i not in set(gone)]
    at = rng.randrange(len(kept))
    old = kept[at]
    new_prices = tuple((round(a * PRICE_FACTOR, 6 if c in ("BTC", "XMR") else 2), c) for a, c in old.prices)
    kept[at] = replace(old, price=(round(old.price[0] * PRICE_FACTOR, 2), old.price[1]), prices=new_prices)
    changes["price_changes"].append({"site": site, "path": _path(site, old.id), "id": old.id, "vendor": old.vendor,
                                     "old": {"amount": old.price[0], "currency": old.price[1]},
                                     "new": {"amount": kept[at].price[0], "currency": kept[at].price[1]}})
    # New vendors and their listings.
    arrivals: list[tuple[str, str, str]] = [(_fresh_handle(step), f"actor-{_fresh_handle(step).lower()}",
                                             _fresh_handle(step))]
    if step == 1:
        handle, other = CROSSOVER
        arrivals.append((handle, f"actor-{other.lower()}", other))  # same key label = same PGP key
    used = {r.id for r in content.listings} | {r.id for r in content.archived}
    base = 1000 if site == "noordzee" else 40000
    free = [i for i in range(base, base + 900) if i not in used]
    new_recs: list[ListingRec] = []
    for handle, actor, key_label in arrivals:
        vrng = random.Random(f"{seed}:{site}:generation:{step}:vendor:{handle}")
        vendor: VendorRec = _vendor(site, handle, actor, seed, vrng, len(content.vendors), key_label, handle,
                                    False, None)
        content.vendors.append(vendor)
        changes["new_vendors"].append({"site": site, "handle": handle, "actor": actor,
                                       "pgp_fingerprint": vendor.pgp.fingerprint,
                                       "wallets": [w.address for w in vendor.wallets if w.valid]})
        for _ in range(LISTINGS_PER_NEW_VENDOR):
            lid = free.pop(rng.randrange(len(free)))
            rec = _listing(site, lid, vrng, [vendor])
            new_recs.append(rec)
            changes["new_listings"].append({"site": site, "path": _path(site, lid), "id": lid,
                                            "vendor": handle})
    content.listings = sorted(kept + new_recs, key=lambda r: r.id)
    return changes


def new_forum_thread(threads: list[Any], seed: int, step: int) -> Any:
    """Step ``step``'s new forum thread: a recruiter's post in the "werk" board, after every other post."""
    from ._forum import PostRec, ThreadRec, _contact, _fill, _shown
    from ._forum_text import RECRUITERS, THREAD_TITLES

    rng = random.Random(f"{seed}:forum:generation:{step}")
    tid = max(t.id for t in threads) + 1 + rng.randrange(1, 9)
    pid = max(p.post_id for t in threads for p in t.posts) + 1 + rng.randrange(0, 4)
    last = max(p.posted for t in threads for p in t.posts)
    author = rng.choice(RECRUITERS)
    text, lang = _fill(rng, "recruitment", "nl", author, _contact(random.Random(f"contact:{author}"), author),
                       set())
    posted = last + timedelta(hours=rng.randrange(2, 30))
    post = PostRec(pid, tid, author, "recruitment", lang, text, posted, _shown(posted, tid % 2 == 0), None)
    title = THREAD_TITLES["recruitment"].get("nl", THREAD_TITLES["recruitment"]["en"])
    return ThreadRec(tid, "werk", title, "recruitment", "nl", (post,))
