"""The model's fast `to_dict` and pickling give exactly what the `dataclasses.asdict` versions gave.

The references below are the previous implementations, written with `dataclasses.asdict`; the
comparisons use `repr`, so key order, tuple-versus-list and float values all count.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections import OrderedDict, namedtuple
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import Extraction
from extractors.model import (
    Contact,
    Entities,
    Evidence,
    HubMention,
    Listing,
    Mention,
    Observation,
    PgpKey,
    Post,
    Price,
    PriceEur,
    Product,
    Quantity,
    Quote,
    Recruitment,
    Vendor,
    VendorLink,
    Wallet,
    _plain,
)

# -- references (the asdict versions) --------------------------------------------------------


def _ref_entities(e: Entities) -> dict[str, Any]:
    return {
        "wallets": [asdict(w) for w in e.wallets],
        "pgp_keys": [asdict(k) for k in e.pgp_keys],
        "onions": [m.value for m in e.onions],
        "emails": [m.value for m in e.emails],
        "contacts": [asdict(c) for c in e.contacts],
        "mentions": {"onions": [asdict(m) for m in e.onions], "emails": [asdict(m) for m in e.emails]},
    }


def _ref(obj: Any) -> dict[str, Any]:
    data = asdict(obj)
    if isinstance(obj, Listing | Post):
        data["entities"] = _ref_entities(obj.entities)
    if isinstance(obj, Listing):
        data["ships_to"] = list(obj.ships_to)
    data["kind"] = {Listing: "listing", Post: "post", Observation: "observation", Vendor: "vendor"}[type(obj)]
    if isinstance(obj, Observation):
        data["id"] = f"{obj.listing_id}:{obj.seen_at}"
    if isinstance(obj, Vendor):
        data["id"] = obj.vendor_id
    return data


def _ref_extraction(x: Extraction) -> dict[str, Any]:
    rec = x.recruitment
    return {
        "source": x.source, "url": x.url, "site": x.site, "lang": x.lang, "page_type": x.page_type,
        "listings": [_ref(v) for v in x.listings],
        "posts": [_ref(p) for p in x.posts],
        "products": [asdict(p) for p in x.products],
        "entities": _ref_entities(x.entities),
        "recruitment": (
            {"label": rec.label, "score": rec.score, "evidence": [m.value for m in rec.evidence],
             "spans": [asdict(m) for m in rec.evidence], "rule": rec.rule}
            if rec else {"label": False, "score": 0.0, "evidence": []}
        ),
        "links": list(x.links), "notes": list(x.notes), "logistics": [asdict(m) for m in x.logistics],
    }


# -- generated model objects -------------------------------------------------------------------

_t = st.text(max_size=6)
_i = st.integers(-2, 50)
_f = st.floats(allow_nan=False)
_b = st.booleans()


def _tup(s: Any, n: int = 3) -> Any:
    return st.lists(s, max_size=n).map(tuple)


def _opt(s: Any) -> Any:
    return st.none() | s


_mention = st.builds(Mention, _t, _i, _i, _t)
_entities = st.builds(
    Entities, _tup(st.builds(Wallet, _t, _t, _b, _i, _i, _t)), _tup(st.builds(PgpKey, _t, _b, _i, _i, _t)),
    _tup(_mention), _tup(_mention), _tup(st.builds(Contact, _t, _t, _i, _i, _t)),
)
_price = st.builds(Price, _f, _t, _t, _i, _i, _t)
_product = st.builds(Product, _t, _t, _t, _i, _i, _t)
_hub = st.builds(HubMention, _t, _t, _t, _t, _i, _i, _t)
_evidence = st.builds(Evidence, _t, _t, _t, _t, _t, _t, _t)
_listing = st.builds(
    Listing, id=_t, site=_t, url=_t, title=_t, description=_t, vendor=_t, vendor_id=_t, price=_opt(_price),
    prices=_tup(_price), price_eur=_opt(st.builds(PriceEur, _f, _f, _t)), price_reason=_t,
    quantity=_opt(st.builds(Quantity, _f, _t, _t)), ships_from=_t, ships_to=_tup(_t), category=_t,
    products=_tup(_product), first_seen=_t, last_seen=_t, lang=_t, entities=_entities,
    evidence=_opt(_evidence), logistics=_tup(_hub),
)
_recruitment = st.builds(Recruitment, _b, _f, _tup(_mention), _t)
_post = st.builds(
    Post, id=_t, site=_t, url=_t, channel=_t, author=_t, text=_t, posted_at=_t, title=_t, lang=_t,
    entities=_entities, recruitment=_opt(_recruitment), products=_tup(_product), first_seen=_t, last_seen=_t,
    evidence=_opt(_evidence), views=_opt(_i), media=_t, forwarded_from=_t, edited=_b, deleted=_b,
    logistics=_tup(_hub), quotes=_tup(st.builds(Quote, _t, _t)), board=_t, thread_url=_t,
)
_observation = st.builds(Observation, _t, _t, _opt(_price), _b)
_vendor = st.builds(
    Vendor, _t, st.dictionaries(_t, _t, max_size=3), _t, _t, _i, _tup(_t), _tup(_t),
    _tup(st.builds(VendorLink, _t, _t, _t, _f)),
)
_extraction = st.builds(
    Extraction, source=_t, lang=_t, page_type=_t, listings=_tup(_listing, 2), posts=_tup(_post, 2),
    products=_tup(_product), entities=_entities, recruitment=_opt(_recruitment), links=_tup(_t), url=_t,
    site=_t, notes=_tup(_t), logistics=_tup(_hub),
)

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.one_of(_listing, _post, _observation, _vendor))
def test_to_dict_equals_the_asdict_version(obj):
    assert repr(obj.to_dict()) == repr(_ref(obj))


@_SETTINGS
@given(_entities)
def test_entities_to_dict_equals_the_asdict_version(entities):
    assert repr(entities.to_dict()) == repr(_ref_entities(entities))


@_SETTINGS
@given(_extraction)
def test_extraction_to_dict_and_pickle_round_trip(extraction):
    assert repr(extraction.to_dict()) == repr(_ref_extraction(extraction))
    back = pickle.loads(pickle.dumps(extraction))
    assert back == extraction
    assert repr(back) == repr(extraction)  # same nested types and float values


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_pickle_protocol_round_trips(protocol):
    listing = Listing(id="1", site="s", url="u", title="t", price=Price(45.0, "EUR"), ships_to=("NL",),
                      entities=Entities(wallets=(Wallet("btc", "bc1q", True),)))
    x = Extraction(source="s", lang="nl", page_type="listing", listings=(listing,),
                   recruitment=Recruitment(True, 0.5, (Mention("werk", 1, 5),)))
    back = pickle.loads(pickle.dumps(x, protocol=protocol))
    assert back == x and type(back.listings[0].price) is Price


def test_frozen_instances_stay_frozen_after_a_round_trip():
    back = pickle.loads(pickle.dumps(Price(1.0, "EUR")))
    with pytest.raises(AttributeError):
        back.amount = 2.0  # type: ignore[misc]


# -- the generic path: what the model does not hold, handled as asdict handles it ----------------

Pair = namedtuple("Pair", "a b")


class _Str(str):
    pass


class _Dict(dict):
    pass


@dataclass(frozen=True)
class _Inner:
    x: Any
    y: list[Any] = field(default_factory=list)


@dataclass
class _Outer:
    inner: _Inner
    pair: Any
    sub: Any
    d: Any
    s: Any
    nested: Any


def test_plain_equals_asdict_off_the_model():
    obj = _Outer(
        inner=_Inner(1.5, [_Inner("a"), (1, [2])]), pair=Pair(_Inner(2), [3]), sub=_Str("x"),
        d=_Dict({1: _Inner(None), "k": OrderedDict(a=(1,))}), s={1, 2}, nested=[(), ((),), {"e": ()}],
    )
    got, want = _plain(obj), asdict(obj)
    assert got == want
    assert type(got["pair"]) is Pair and type(got["inner"]["y"][1]) is tuple
    assert got["s"] == {1, 2} and got["s"] is not obj.s  # non-atom leaves are copied, as asdict does
    assert _plain(obj, skip="inner")["inner"] is None  # skip keeps the key, in its place
    assert list(_plain(obj, skip="inner")) == list(want)


# -- real extractions --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_extractions(demo_world) -> list[Extraction]:
    from extractors import extract_html

    out = []
    for name in ("noordzee", "mercado", "forum"):
        site = demo_world.sites[name]
        for path in sorted(site.pages)[::10]:
            url = f"http://{name}.onion{path}"
            out.append(extract_html(site.pages[path], url=url, site=name, source=url))
    assert sum(len(x.listings) for x in out) > 20 and sum(len(x.posts) for x in out) > 5
    return out


def test_demo_extractions_to_dict_and_round_trip(demo_extractions):
    for x in demo_extractions:
        assert repr(x.to_dict()) == repr(_ref_extraction(x))
        for record in (*x.listings, *x.posts):
            assert repr(record.to_dict()) == repr(_ref(record))
        assert repr(pickle.loads(pickle.dumps(x))) == repr(x)


def test_results_unpickle_without_loading_spacy(demo_extractions):
    blob = pickle.dumps(demo_extractions)
    code = (
        "import pickle, sys\n"
        "xs = pickle.loads(sys.stdin.buffer.read())\n"
        "loaded = [m for m in ('spacy', 'extractors._extract', 'extractors._nlp') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "sys.stdout.write(repr(xs))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, timeout=120,
                          check=False, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == repr(demo_extractions)
