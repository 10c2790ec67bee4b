"""The public Python matcher (`indexer.match`, `compile_matcher`, `prepare_document`) and its helpers
(`terms`, `has_phrase`, `normalise`) answer like the index: same analysis, same normalisation.
(Agreement with the embedded index on a query set: tests/alerts/test_cli_and_retro.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import indexer

DOC = {"id": "L1", "kind": "listing", "site": "Mkt-A", "title": "Cocaïne 5 gram", "lang": "nl",
       "description": "Beste kwaliteit uit de haven", "vendor": "Dark-Chemist", "vendor_id": "darkchemist",
       "price": {"amount": 240, "currency": "EUR"}, "price_eur": {"amount": 240.0},
       "first_seen": "2026-11-01T10:00:00+00:00",
       "entities": {"wallets": [{"chain": "btc", "address": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
                                 "valid": True}]}}


@pytest.mark.parametrize(("query", "expected"), [
    ("cocaine", True), ("cocaine AND price_eur:<100", False), ('"beste kwaliteit"', True),
    ('"kwaliteit beste"', False), ("kwaliteiten", True), ("site:mkt-a", True), ("vendor:DARK_CHEMIST", True),
    ("wallet:BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH", True), ("hav*", True), ("NOT cocaine", False),
    ("first_seen:[2026-11-01 TO 2026-11-02]", True), ("first_seen:<2026-10-01", False)])
def test_match_answers_like_a_search(query, expected):
    assert indexer.match(query, DOC) is expected


def test_kind_restricts_and_invalid_documents_never_match():
    assert indexer.match("cocaine", DOC, kind="listing")
    assert not indexer.match("cocaine", DOC, kind="post")
    assert not indexer.match("*", {"title": "cocaine"})  # no id/kind: the index would refuse it


def test_a_compiled_matcher_shares_one_prepared_document_and_fixes_now_at_compile_time():
    prepared = indexer.prepare_document(DOC)
    recent = indexer.compile_matcher("first_seen:[now-7d TO *]", now=datetime(2026, 11, 5, tzinfo=UTC))
    old = indexer.compile_matcher("first_seen:[now-7d TO *]", now=datetime(2026, 12, 5, tzinfo=UTC))
    assert recent.matches(prepared) and not old.matches(prepared)


def test_bad_queries_raise_query_error():
    with pytest.raises(indexer.QueryError):
        indexer.compile_matcher("price_eur:[10 TO")


def test_terms_phrase_and_normalise():
    assert indexer.terms("Cocaïne, 5 GRAM!") == ["cocaine", "5", "gram"]
    assert indexer.terms("kwaliteiten", "stem_nl") == indexer.terms("kwaliteit", "stem_nl")
    doc_terms = indexer.terms("we do the school pickup run")
    assert indexer.has_phrase(doc_terms, indexer.terms("School Pickup"))
    assert not indexer.has_phrase(doc_terms, indexer.terms("pickup school"))
    assert indexer.has_phrase(doc_terms, indexer.terms("school run"), slop=1)
    assert not indexer.has_phrase(doc_terms, [])
    assert indexer.normalise("pgp", "0xb1b2 c3d4 e5f6 0718 293a 4b5c 6d7e 8f90 1234 5678") == \
        "B1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    assert indexer.normalise("wallet", "BC1QABC") == "bc1qabc"
    assert indexer.normalise("wallet", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    with pytest.raises(KeyError):
        indexer.terms("x", "price")
