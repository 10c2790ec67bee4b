from datetime import UTC, datetime

from extractors.model import Listing, Page, Price, listing_id, normalise_vendor


def test_listing_id_is_stable_and_site_scoped():
    assert listing_id("a", "http://x/1") == listing_id("a", "http://x/1")
    assert listing_id("a", "http://x/1") != listing_id("b", "http://x/1")


def test_vendor_normalisation_folds_case_and_decoration():
    assert normalise_vendor("Dutch_Magic-NL") == normalise_vendor("dutchmagicnl")
    assert normalise_vendor("Dutch_Magic") != normalise_vendor("DutchMagic2")


def test_page_hash_and_dict_leave_body_out():
    page = Page("http://x/", "x", datetime(2026, 1, 1, tzinfo=UTC), 200, "text/html", b"abc")
    data = page.to_dict()
    assert data["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert "body" not in data


def test_listing_dict_is_json_ready():
    listing = Listing(id="1", site="s", url="u", title="t", price=Price(45.0, "EUR"), ships_to=("NL",))
    data = listing.to_dict()
    assert data["kind"] == "listing"
    assert data["price"] == {"amount": 45.0, "currency": "EUR", "text": "", "start": -1, "end": -1, "rule": ""}
    assert data["ships_to"] == ["NL"]


def test_evidence_to_dict_is_asdict():
    from dataclasses import asdict

    from extractors.model import Evidence

    evidence = Evidence(url="http://x.onion/a", sha256="ab" * 32, fetched_at="2026-12-01T00:00:00+00:00",
                        warc_file="evidence/j/a.warc.gz", warc_record_id="<urn:uuid:1>", via="tor", job_id="j")
    assert evidence.to_dict() == asdict(evidence)
    assert list(evidence.to_dict()) == list(asdict(evidence))
