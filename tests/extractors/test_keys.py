"""Onion v3 checksum (rend-spec-v3) and OpenPGP fingerprints (RFC 9580 sample key)."""

import pytest

from extractors import extract_html, onion_v3_valid, pgp_fingerprint
from extractors._entities import find_onions, find_pgp_keys
from extractors._html import parse_html


@pytest.mark.parametrize(
    "host",
    [
        "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid",  # tor test_build_address
        "p3xnclpu4mu22dwaurjtsybyqk4xfjmcfz6z62yl24uwmhjatiwnlnad",
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",  # rend-spec-v3 section 6
        "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion",
    ],
)
def test_onion_v3_vectors_validate(host):
    assert onion_v3_valid(host)


@pytest.mark.parametrize(
    "host",
    [
        "blah",
        "p3xnclpu4mu22dwaurjtsybyqk4xfjmcfz6z62yl24uwmhjatiwnlnadb",  # length 57
        "l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad",  # bad checksum
        "btojiu7nu5y5iwut64eufevogqdw4wmqzugnoluw232r4t3ecsfv37ad",  # bad checksum
        "????????????????????????????????????????????????????????",
    ],
)
def test_onion_v3_invalid_vectors_are_rejected(host):
    assert not onion_v3_valid(host)


def test_find_onions_keeps_valid_hosts_with_spans_only():
    text = "Mirror: http://25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion/ and blah.onion and " \
           "l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad.onion"
    found = find_onions(text)
    assert [m.value for m in found] == ["25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion"]
    assert text[found[0].start : found[0].end] == found[0].value


# RFC 9580, appendix A.3 "Sample v4 Ed25519 key" (public-key packet, fingerprint given there)
RFC9580_V4_KEY = """-----BEGIN PGP PUBLIC KEY BLOCK-----
Comment: RFC 9580 A.3

mDMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJku
Q+47JAY=
-----END PGP PUBLIC KEY BLOCK-----"""


def test_rfc9580_sample_key_fingerprint():
    body = RFC9580_V4_KEY.split("-----", 2)[2].rsplit("-----END", 1)[0]
    assert pgp_fingerprint(body) == "C959BDBAFA32A2F89A153B678CFDE12197965A9A"


def test_find_pgp_keys_reports_armored_block_and_labelled_fingerprint():
    text = f"my key:\n{RFC9580_V4_KEY}\nFingerprint: 2BB2 515C 0C6E A79F 307A 1DD5 BA14 BEA4 57B5 C180"
    keys = find_pgp_keys(text)
    assert keys[0].armored and keys[0].fingerprint == "C959BDBAFA32A2F89A153B678CFDE12197965A9A"
    assert keys[1].fingerprint == "2BB2515C0C6EA79F307A1DD5BA14BEA457B5C180" and not keys[1].armored


def test_broken_armor_is_still_reported_as_armored_without_fingerprint():
    text = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!not base64!!!\n-----END PGP PUBLIC KEY BLOCK-----"
    (key,) = find_pgp_keys(text)
    assert key.armored and key.fingerprint == "" and key.rule == "pgp_armored_unparsed"


# The same sample key with armor headers, as web pages mangle it (blank line lost, one line, <br>s).
RFC9580_HEADERS = RFC9580_V4_KEY.replace("\n\n", "\nVersion: GnuPG v2\n\n", 1)


@pytest.mark.parametrize(
    "block",
    [
        RFC9580_HEADERS,
        RFC9580_HEADERS.replace("\n\n", "\n"),  # blank line after the headers dropped
        " ".join(RFC9580_HEADERS.split()),  # whole block on one line
    ],
    ids=["armor", "no-blank-line", "one-line"],
)
def test_fingerprint_survives_lost_armor_layout(block):
    (key,) = find_pgp_keys(block)
    assert key.fingerprint == "C959BDBAFA32A2F89A153B678CFDE12197965A9A" and key.rule == "pgp_armored_parsed"


def test_bad_crc_line_rejects_the_block():
    broken = RFC9580_V4_KEY.replace("-----END", "=AAAA\n-----END")
    (key,) = find_pgp_keys(broken)
    assert key.fingerprint == "" and key.rule == "pgp_armored_unparsed"


@pytest.mark.parametrize("wrap", ["<textarea class='pgp' readonly>{}</textarea>", "<pre>{}</pre>",
                                  "<pre><code>{}</code></pre>", "<p><code>{}</code></p>"])
def test_armored_key_in_textarea_pre_and_code_is_extracted_with_span(wrap):
    html = "<html><body><h1>Vendor</h1><h3>PGP</h3>" + wrap.format(RFC9580_HEADERS) + "<p>after</p></body></html>"
    result = extract_html(html)
    (key,) = result.entities.pgp_keys
    assert key.fingerprint == "C959BDBAFA32A2F89A153B678CFDE12197965A9A" and key.armored
    assert key.rule == "pgp_armored_parsed"
    body = parse_html(html).text
    assert body[key.start : key.end].startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert body[key.start : key.end].endswith("-----END PGP PUBLIC KEY BLOCK-----")


def test_demo_mercado_vendor_keys_are_found_in_their_textarea(demo_world):
    vendors = [v for v in demo_world.truth["vendors"] if v["site"] == "mercado"]
    assert vendors
    for vendor in vendors:
        html = demo_world.sites["mercado"].pages[vendor["path"]]
        assert b"<textarea" in html
        keys = extract_html(html, url="http://mercado.demo" + vendor["path"], site="mercado").entities.pgp_keys
        assert vendor["pgp_fingerprint"] in {k.fingerprint for k in keys}, vendor["handle"]
