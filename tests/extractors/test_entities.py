"""Entity finders: the word pre-tests never hide a match the regexes alone would find."""

from extractors._entities import (
    _CONTACT_RULES,
    _FINGERPRINT_RE,
    _ONION_RE,
    _SEGWIT_RE,
    find_contacts,
    find_onions,
    find_pgp_keys,
    find_wallets,
)

SESSION = "05" + "ab" * 32
ONION = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad"


def test_letters_ignorecase_folds_but_casefold_does_not():
    # re.IGNORECASE matches U+0130 and U+0131 (Turkish dotted/dotless i) to "i"; casefold() does not
    odd = [f"s\u0131gnal: +32 470 12 34 56 and \u017fession: {SESSION}", f"w\u0131ckr me: handle_abc {ONION}"]
    for text in odd:
        expected = {(kind, m.group(1).strip()) for kind, regex, _ in _CONTACT_RULES for m in regex.finditer(text)}
        assert len(expected) >= 1
        assert {(c.kind, c.value) for c in find_contacts(text)} == expected
    text = f"visit {ONION}.on\u0130on"
    expected = list(dict.fromkeys(m.group(0).lower() for m in _ONION_RE.finditer(text)))
    assert len(expected) == 1 and [m.value for m in find_onions(text)] == expected
    fpr = "f\u0131ngerprint: " + " ".join(["ABCD"] * 10)
    assert _FINGERPRINT_RE.search(fpr) and find_pgp_keys(fpr)


def test_words_absent_means_nothing_found():
    assert find_contacts("no handles here, only prose about signals and telegrams") == ()
    assert find_onions("no onion addresses") == ()
    assert find_wallets("short words only") == ()
    text = "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ and 0X52908400098527886E0F7030069857D2E4169EE7"
    assert {w.chain for w in find_wallets(text)} >= {"btc", "eth"} and _SEGWIT_RE.search(text)
