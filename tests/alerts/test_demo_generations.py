"""The demo world's later generations: generation 0 is the original, generation 1 serves exactly the
changes its ground truth lists (what the end-to-end alert test relies on)."""

from __future__ import annotations

from nachtwacht.demomarket import generate


def test_generation_zero_is_the_original_world(demo_world):
    again = generate(7, generation=0)
    assert again.truth == demo_world.truth and "changes" not in again.truth
    assert {n: s.pages for n, s in again.sites.items()} == {n: s.pages for n, s in demo_world.sites.items()}


def test_generation_one_serves_what_its_truth_lists(demo_world):
    later = generate(7, generation=1)
    changes = later.truth["changes"]
    nz, forum = later.sites["noordzee"], later.sites["forum"]
    assert [v["handle"] for v in changes["new_vendors"]] == ["NachtUil", "Chapulin_NL"]
    keys = {(v["site"], v["handle"]): v["pgp_fingerprint"] for v in later.truth["vendors"]}
    assert keys[("noordzee", "Chapulin_NL")] == keys[("mercado", "ElChapulin")]
    assert all(nz.resolve(r["path"]).status == 200 and r["path"] not in demo_world.sites["noordzee"].pages
               for r in changes["new_listings"])
    assert all(nz.resolve(r["path"]).status == 404 and r["path"] in demo_world.sites["noordzee"].pages
               for r in changes["gone_listings"])
    price = changes["price_changes"][0]
    assert price["new"]["amount"] == round(price["old"]["amount"] * 1.5, 2)
    assert nz.pages[price["path"]] != demo_world.sites["noordzee"].pages[price["path"]]
    post = changes["new_posts"][0]
    assert post["recruitment"] and f'data-post-id="{post["post_id"]}"'.encode() in forum.pages[post["path"]]
    assert later.sites["mercado"].pages == demo_world.sites["mercado"].pages
    assert generate(7, generation=1).truth == later.truth  # deterministic
