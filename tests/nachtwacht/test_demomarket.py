"""The demo world generator: determinism, coverage, ground truth matches the pages.

The checksum checks here are written independently of ``nachtwacht.demomarket._crypto``
(own base58/Keccak/EIP-55/onion code, ``bech32m.decode`` for segwit) so that a bug in the
generator cannot hide behind the same bug in its checker.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from collections import Counter

import bech32m
import pytest
from Crypto.Hash import keccak
from Crypto.Signature import eddsa

from nachtwacht.demomarket import DemoWorld, generate

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(7)


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _b58check_ok(addr: str) -> bool:
    num = 0
    for ch in addr:
        if ch not in B58:
            return False
        num = num * 58 + B58.index(ch)
    raw = b"\0" * (len(addr) - len(addr.lstrip("1"))) + num.to_bytes((num.bit_length() + 7) // 8, "big")
    if len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def _xmr_ok(addr: str) -> bool:
    if len(addr) != 95:
        return False
    raw = b""
    for i in range(0, 95, 11):
        block = addr[i : i + 11]
        num = 0
        for ch in block:
            if ch not in B58:
                return False
            num = num * 58 + B58.index(ch)
        size = 8 if len(block) == 11 else 5  # 95 = 8 * 11 + 7 -> last block 7 chars = 5 bytes
        if num >= 1 << (8 * size):
            return False
        raw += num.to_bytes(size, "big")
    return len(raw) == 69 and raw[0] == 18 and _keccak(raw[:65])[:4] == raw[65:]


def _eth_ok(addr: str) -> bool:
    body = addr[2:]
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", addr):
        return False
    digest = _keccak(body.lower().encode()).hex()
    return all(ch.isdigit() or ch.isupper() == (int(digest[i], 16) >= 8) for i, ch in enumerate(body))


def _btc_ok(addr: str) -> bool:
    if addr.startswith("bc1"):
        try:
            decoded = bech32m.decode("bc", addr)
        except Exception:
            return False
        return decoded.witver in (0, 1)
    return _b58check_ok(addr)


def _onion_ok(host: str) -> bool:
    label = host.removesuffix(".onion")
    if not re.fullmatch(r"[a-z2-7]{56}", label):
        return False
    raw = base64.b32decode(label.upper())
    pub, check, ver = raw[:32], raw[32:34], raw[34:]
    return ver == b"\x03" and hashlib.sha3_256(b".onion checksum" + pub + ver).digest()[:2] == check


VALIDATORS = {"btc": _btc_ok, "xmr": _xmr_ok, "eth": _eth_ok}


def _all_pages(world: DemoWorld) -> dict[tuple[str, str], bytes]:
    return {(name, key): body for name, site in world.sites.items() for key, body in site.pages.items()}


def test_same_seed_same_bytes_other_seed_other_bytes(world: DemoWorld) -> None:
    again = generate(7)
    assert _all_pages(again) == _all_pages(world)
    assert json.dumps(again.truth, sort_keys=True) == json.dumps(world.truth, sort_keys=True)
    other = generate(8)
    assert _all_pages(other) != _all_pages(world)
    assert other.truth["vendors"][0]["pgp_fingerprint"] != world.truth["vendors"][0]["pgp_fingerprint"]


def test_determinism_holds_across_processes_and_hash_seeds(world: DemoWorld) -> None:
    """Set iteration order or id()-based choices would show up as different bytes here."""
    code = (
        "import hashlib,json;from nachtwacht.demomarket import generate;w=generate(7);h=hashlib.sha256()\n"
        "for n,s in sorted(w.sites.items()):\n"
        "  for k in sorted(s.pages): h.update(n.encode()+k.encode()+s.pages[k])\n"
        "h.update(json.dumps(w.truth,sort_keys=True).encode());print(h.hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": str(hs)},
                       capture_output=True, text=True, check=True, timeout=120).stdout.strip()
        for hs in (1, 2)
    }
    assert len(digests) == 1


def test_markets_have_the_promised_breadth(world: DemoWorld) -> None:
    for site in ("noordzee", "mercado"):
        listings = [t for t in world.truth["listings"] if t["site"] == site and not t["malformed"]]
        vendors = [v for v in world.truth["vendors"] if v["site"] == site]
        assert len(listings) >= 120
        assert 13 <= len(vendors) <= 17
        cats = Counter(t["category"] for t in listings)
        assert len(cats) >= 6 and {"cannabis", "cocaine", "mdma", "documents"} <= set(cats)
        assert any(not t["drug"] for t in listings)
        assert any(len(t["products"]) > 1 for t in listings)
        assert {"Worldwide", "EU"} <= {c for t in listings for c in t["ships_to"]}
    langs = {t["lang"] for t in world.truth["listings"]}
    assert {"nl", "en", "fr", "es"} <= langs
    currencies = {t["price"]["currency"] for t in world.truth["listings"]}
    assert {"EUR", "USD", "XMR"} <= currencies


def test_every_wallet_in_truth_has_the_checksum_validity_it_claims(world: DemoWorld) -> None:
    kinds: Counter[str] = Counter()
    for vendor in world.truth["vendors"]:
        for w in vendor["wallets"]:
            assert VALIDATORS[w["chain"]](w["address"]) is w["valid"], w
            prefix = w["address"][:4] if w["address"].startswith("bc1") else w["address"][:1]
            kinds[f"{w['chain']}:{prefix}:{w['valid']}"] += 1
    for kind in ("btc:1:True", "btc:3:True", "btc:bc1q:True", "btc:bc1p:True", "xmr:4:True", "eth:0:True"):
        assert kinds[kind] > 0, (kind, kinds)
    assert sum(n for k, n in kinds.items() if k.endswith("False")) >= 4
    corrupted_chains = {k.split(":")[0] for k in kinds if k.endswith("False")}
    assert len(corrupted_chains) >= 2


def test_onions_have_the_checksum_validity_they_claim(world: DemoWorld) -> None:
    onions = world.truth["onions"]
    assert any(o["valid"] for o in onions) and any(not o["valid"] for o in onions)
    for onion in onions:
        assert _onion_ok(onion["address"]) is onion["valid"], onion
        page = world.sites[onion["site"]].pages[onion["path"]]
        assert onion["address"].encode() in page


def _unarmor(block: str) -> bytes:
    lines = block.strip().splitlines()
    assert lines[0] == "-----BEGIN PGP PUBLIC KEY BLOCK-----" and lines[1] == ""
    body = [ln for ln in lines[2:-1] if not ln.startswith("=")]
    data = base64.b64decode("".join(body))
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc = (crc << 1) ^ (0x1864CFB if crc & 0x800000 else 0)
    assert base64.b64decode(lines[-2][1:]) == (crc & 0xFFFFFF).to_bytes(3, "big")
    return data


def _packets(data: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(data):
        ctb = data[i]
        assert ctb & 0x80 and not ctb & 0x40, "old-format packets expected"
        tag, ltype = (ctb >> 2) & 0xF, ctb & 3
        size = 1 << ltype
        length = int.from_bytes(data[i + 1 : i + 1 + size], "big")
        out.append((tag, data[i + 1 + size : i + 1 + size + length]))
        i += 1 + size + length
    return out


def test_pgp_blocks_are_real_self_signed_v4_keys_with_the_truth_fingerprint(world: DemoWorld) -> None:
    fingerprints = set()
    for vendor in world.truth["vendors"]:
        packets = _packets(_unarmor(vendor["pgp_armored"]))
        assert [tag for tag, _ in packets] == [6, 13, 2]
        key, uid, sig = (body for _, body in packets)
        fpr = hashlib.sha1(b"\x99" + len(key).to_bytes(2, "big") + key).hexdigest().upper()
        assert fpr == vendor["pgp_fingerprint"] and vendor["pgp_key_id"] == fpr[-16:]
        assert key[0] == 4 and key[5] == 22  # v4, EdDSA
        # Verify the self-signature: hashed data per RFC 4880 5.2.4, Ed25519 over the digest.
        hashed_len = int.from_bytes(sig[4:6], "big")
        head = sig[: 6 + hashed_len]
        rest = sig[6 + hashed_len :]
        unhashed_len = int.from_bytes(rest[:2], "big")
        mpis = rest[2 + unhashed_len + 2 :]
        r_len = (int.from_bytes(mpis[:2], "big") + 7) // 8
        r = mpis[2 : 2 + r_len]
        s_len = (int.from_bytes(mpis[2 + r_len : 4 + r_len], "big") + 7) // 8
        s = mpis[4 + r_len : 4 + r_len + s_len]
        digest = hashlib.sha256(
            b"\x99" + len(key).to_bytes(2, "big") + key + b"\xb4" + len(uid).to_bytes(4, "big")
            + uid + head + b"\x04\xff" + len(head).to_bytes(4, "big")
        ).digest()
        pub = eddsa.import_public_key(key[-32:])
        eddsa.new(pub, "rfc8032").verify(digest, r.rjust(32, b"\0") + s.rjust(32, b"\0"))
        page = world.sites[vendor["site"]].pages[vendor["path"]].decode()
        assert vendor["pgp_armored"] in html.unescape(page)
        fingerprints.add(fpr)
    assert len(fingerprints) >= 25  # shared actors reuse keys, the rest are distinct


def test_cross_market_links_are_backed_by_shared_evidence(world: DemoWorld) -> None:
    by_handle = {(v["site"], v["handle"]): v for v in world.truth["vendors"]}
    evidences = set()
    for link in world.truth["vendor_links"]:
        a, b = (by_handle[(m["site"], m["handle"])] for m in link["members"])
        assert a["actor"] == b["actor"] == link["actor"]
        shared = {
            "pgp": a["pgp_fingerprint"] == b["pgp_fingerprint"],
            "wallet": bool({w["address"] for w in a["wallets"]} & {w["address"] for w in b["wallets"]}),
            "contact": bool({c["value"] for c in a["contacts"]} & {c["value"] for c in b["contacts"]}),
        }
        kind = link["evidence"].split("+")[0]
        assert shared[kind], link
        evidences.add(kind)
    assert evidences == {"pgp", "wallet", "contact"}
    actors = Counter(v["actor"] for v in world.truth["vendors"])
    assert sum(1 for n in actors.values() if n > 1) == len(world.truth["vendor_links"])


def test_listing_pages_show_what_the_truth_says(world: DemoWorld) -> None:
    for t in world.truth["listings"]:
        raw = world.sites[t["site"]].pages[t["path"]]
        page = html.unescape(raw.decode("utf-8", errors="replace"))
        assert t["title"] in page and t["vendor"] in page
        amount = t["price"]["amount"]
        if t["site"] == "noordzee":
            shown = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
            assert re.search(rf"(€ {re.escape(shown)}|{re.escape(shown)} EUR)", page), t["path"]
        elif t["price"]["currency"] == "XMR":
            assert f"{amount:.3f} XMR" in page
        else:
            assert f"USD {amount:,.2f} (" in page
        assert t["malformed"] == (b"\xff" in raw or not _is_utf8(raw))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_index_pages_list_exactly_their_listings_in_order(world: DemoWorld) -> None:
    seen = set()
    for idx in world.truth["index_pages"]:
        page = world.sites[idx["site"]].pages[idx["path"]].decode()
        hrefs = re.findall(r'href="((?:/product/|/item\.php\?id=)[^"]+)"', page)
        assert list(dict.fromkeys(hrefs)) == idx["listing_paths"]
        seen.update((idx["site"], p) for p in idx["listing_paths"])
    normal = {(t["site"], t["path"]) for t in world.truth["listings"] if not t["malformed"]}
    assert seen == normal


def test_vendor_pages_show_wallets_contacts_and_listings(world: DemoWorld) -> None:
    for v in world.truth["vendors"]:
        page = html.unescape(world.sites[v["site"]].pages[v["path"]].decode())
        for w in v["wallets"]:
            assert w["address"] in page
        for c in v["contacts"]:
            assert c["value"] in page
        for path in v["listing_paths"]:
            assert f'href="{path}"' in page


def test_pages_use_only_root_relative_links(world: DemoWorld) -> None:
    for (name, key), body in _all_pages(world).items():
        text = body.decode("utf-8", errors="replace")
        for url in re.findall(r'(?:href|src|action)="([^"]*)"', text):
            assert url.startswith("/") and not url.startswith("//"), (name, key, url)
        assert "http://" not in text and "https://" not in text, (name, key)


def test_every_internal_link_of_a_normal_page_resolves(world: DemoWorld) -> None:
    for name, site in world.sites.items():
        for key, body in site.pages.items():
            if not _is_utf8(body):
                continue
            for url in set(re.findall(r'(?:href|src)="([^"]*)"', body.decode())):
                reply = site.resolve(html.unescape(url))
                assert reply.status in (200, 302), (name, key, url)


def test_site_patterns_classify_every_page(world: DemoWorld) -> None:
    walls = {t["location"] for t in world.truth["traps"] if t["kind"] == "login_wall"}
    for name, site in world.sites.items():
        patterns = world.truth["sites"][name]["patterns"]
        for key in site.pages:
            kinds = [kind for kind, rx in patterns.items() if re.fullmatch(rx, key)]
            assert len(kinds) == 1 or (not kinds and key in walls), (name, key, kinds)
        for t in world.truth["listings"]:
            if t["site"] == name:
                kind = "archive" if t["malformed"] else "listing"
                assert re.fullmatch(patterns[kind], t["path"])


def test_save_world_writes_pages_and_truth(world: DemoWorld, tmp_path) -> None:
    from nachtwacht.demomarket import save_world

    root = save_world(world, tmp_path / "demo")
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["listings"]) == len(world.truth["listings"])
    for row in truth["listings"] + truth["vendors"] + truth["posts"]:
        assert (root / row["file"]).read_bytes() == world.sites[row["site"]].pages[row["path"]]
    saved = sum(1 for _ in root.glob("*/*.html"))
    assert saved == sum(len(s.pages) for s in world.sites.values())
