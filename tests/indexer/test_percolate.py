"""Saved searches on OpenSearch's percolator (a real node with the percolator module from Maven
Central) agree with the Python matcher, query by query and document by document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from indexer import compile_matcher
from indexer._percolate import Percolator
from tests.indexer.corpus import corpus
from tests.indexer.test_backend_contract import QUERIES

pytestmark = pytest.mark.cluster

NOW = datetime(2025, 1, 1, tzinfo=UTC)
KINDS = {"listings-only": ("cocaine", "listing"), "posts-only": ("*", "post")}


@pytest.fixture(scope="module")
def percolator(opensearch_node):
    perc = Percolator.from_settings({"backend": "opensearch", "url": opensearch_node.url, "index": "nw-perc"})
    yield perc
    perc.close()


def _saved() -> dict[str, tuple[str, str | None]]:
    saved: dict[str, tuple[str, str | None]] = {f"q{i}": (q, None) for i, (q, _) in enumerate(QUERIES)}
    saved.update(KINDS)
    return saved


def test_percolator_and_python_matcher_agree_on_every_document(percolator):
    saved = _saved()
    percolator.register(saved, now=NOW)
    assert percolator.names() == sorted(saved)
    docs = corpus()
    got = percolator.percolate(docs)
    matchers = {name: compile_matcher(q, kind, now=NOW) for name, (q, kind) in saved.items()}
    expected = {d["id"]: {n for n, m in matchers.items() if m.matches(d)} for d in docs}
    assert got == expected
    assert sum(map(len, got.values())) > 20  # many hits: agreement is not all-empty
    # and both give the ids the backend contract expects of a search (relative dates aside: NOW is fixed)
    for i, (query, ids) in enumerate(QUERIES):
        if "now" in query:
            continue
        assert sorted(d for d, names in got.items() if f"q{i}" in names) == sorted(ids), QUERIES[i]


def test_removed_searches_stop_matching_and_bad_documents_match_nothing(percolator):
    percolator.register({"gone": ("cocaine", None)}, now=NOW)
    docs = corpus()
    assert any("gone" in names for names in percolator.percolate(docs).values())
    percolator.remove(["gone"])
    assert not any("gone" in names for names in percolator.percolate(docs).values())
    assert percolator.percolate([{"id": "x", "kind": "nonsense", "title": "cocaine"}]) == {"x": set()}


def test_alert_detector_on_opensearch_uses_the_percolator_and_raises_what_the_matcher_would(
        opensearch_node, tmp_path):
    """The alert engine on an OpenSearch backend answers saved searches with the percolator."""
    import yaml

    from nachtwacht.alerts.engine import AlertEngine
    from nachtwacht.alerts.rules import load_rules

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"rules": [
        {"name": "coke-nl", "type": "saved_search", "query": "cocaine", "kind": "listing"},
        {"name": "any-post", "type": "saved_search", "query": "*", "kind": "post"},
    ]}))
    rules = load_rules(rules_file)
    settings = {"backend": "opensearch", "url": opensearch_node.url, "index": "nw-perc-alerts"}
    on_cluster = AlertEngine(tmp_path / "a", rules, deliver=False, backend_settings=settings)
    in_python = AlertEngine(tmp_path / "b", rules, deliver=False)
    assert on_cluster.detector.percolator is not None and in_python.detector.percolator is None
    docs = corpus()
    try:
        got = {(e.rule, e.entity) for e in on_cluster.process(docs, "s") if e.type == "saved_search"}
        want = {(e.rule, e.entity) for e in in_python.process(docs, "s") if e.type == "saved_search"}
    finally:
        on_cluster.close()
        in_python.close()
    assert got == want
    assert {rule for rule, _ in got} == {"coke-nl", "any-post"}
