"""Property tests: no string crashes the extractors, and time grows about linearly."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import extract_html, extract_text
from extractors._entities import find_entities
from extractors._prices import find_prices

MARKUP = st.sampled_from(["<", ">", "</", "<a href=", "<div>", "</td>", "&", "&#", ";", '"', "€", "BTC",
                          "Sold by ", "Price:", "0x", "bc1", ".onion", "\n", ":", "-----BEGIN PGP PUBLIC KEY BLOCK-----"])
TEXTS = st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_extract_html_never_raises(text):
    result = extract_html(text, source="h")
    assert result.page_type in ("listing", "vendor", "index", "forum_post", "channel_message", "other")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_extract_text_never_raises(text):
    result = extract_text(text, source="t")
    assert result.to_dict()["source"] == "t"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_entity_and_price_finders_never_raise(text):
    find_entities(text)
    find_prices(text)


def _timed(text: str) -> float:
    started = time.perf_counter()
    extract_text(text)
    return time.perf_counter() - started


def test_time_grows_about_linearly_on_adversarial_repetition():
    for unit in ("1" * 30 + " ", "€1,", "a@b.", "0x" + "f" * 39 + " ", "Sold by x " * 3, "-" * 50):
        small = unit * 400
        big = unit * 4000
        _timed(small)  # warm caches
        t_small = min(_timed(small) for _ in range(3))
        t_big = min(_timed(big) for _ in range(2))
        assert t_big < 10 * t_small * 4 + 0.05, f"superlinear on {unit!r}: {t_small:.4f}s -> {t_big:.4f}s"
