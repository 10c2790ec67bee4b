"""Language identification: the memoised automaton walk gives py3langid's own scores, bit for bit."""

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from extractors._lang import SERVED, _CachedWalk, _identifier, detect_lang
from extractors.train_recruitment import load_examples

MIXED = [
    "",
    " ",
    "a",
    "  twee  spaties   en   meer  ",
    "Cocaïne 1g, verzending vanuit Nederland; betaling in XMR",
    "Livraison discrète partout en France, paiement à la réception",
    "Envío discreto a toda España, pago con bitcoin, calidad garantizada",
    "Fast shipping worldwide, escrow accepted, PGP key below",
    "Schnelle Lieferung nach Deutschland und Österreich",
    "ΟΔΟΣ σς ſeſſion İı K — emoji 🚀🚀 and\ttabs\nand newlines",
    "word " * 50 + "trailing",
]


@pytest.fixture(scope="module")
def plain() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(SERVED))
    return ident


def test_cached_walk_is_in_use():
    assert isinstance(_identifier(), _CachedWalk)


def test_cached_walk_scores_equal_py3langid(plain):
    fast = _identifier()
    texts, _ = load_examples()
    samples = MIXED + texts[:400] + [" ".join(texts[i:i + 5]) for i in range(0, 200, 5)]
    for _ in range(2):  # second round: every word comes from the cache
        for text in samples:
            assert np.array_equal(plain._decide(text), fast._decide(text)), text
            assert plain.classify(text) == fast.classify(text)


def test_detect_lang_served_languages():
    assert detect_lang("Wij leveren snel en discreet in heel Nederland en België, betaling vooraf") == "nl"
    assert detect_lang("Nous livrons rapidement et discrètement dans toute la France") == "fr"
    assert detect_lang("Enviamos rápido y discreto a toda España, pago por adelantado") == "es"
    assert detect_lang("1g 2g 3g") == "en"  # too few letters: the default
