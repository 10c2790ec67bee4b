"""The alert engine: detection state + detectors + event store + delivery, for crawls and retro-hunts.

Flow: `begin_crawl(site)`, then `process(documents, site)` after each index commit, then
`end_crawl(site, ...)`; every candidate event goes through deduplication (rule, entity, window),
the rule's rate limit, the `nachtwacht_alert_raised` hook, and is queued for delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nachtwacht.alerts.detect import Crawl, Detector, WatchMatcher
from nachtwacht.alerts.dispatch import Dispatcher
from nachtwacht.alerts.events import Event
from nachtwacht.alerts.exceptions import AlertError
from nachtwacht.alerts.rules import RuleSet
from nachtwacht.alerts.state import State
from nachtwacht.alerts.store import EventStore

__all__ = ["AlertEngine"]

logger = logging.getLogger(__name__)
RATE_WINDOW = 3600.0  # seconds over which `rate_limit` counts


class AlertEngine:
    """One per crawler (or CLI call). `close()` waits for deliveries (bounded) and closes the files."""

    def __init__(self, data_dir: str | Path, rules: RuleSet, *, deliver: bool = True,
                 backend_settings: dict[str, Any] | None = None):
        self.data_dir = Path(data_dir)
        self.rules = rules
        self.state = State(self.data_dir)
        self.store = EventStore(self.data_dir)
        percolator = None
        if (backend_settings or {}).get("backend") == "opensearch" and rules.of_type("saved_search"):
            from indexer import Percolator

            percolator = Percolator.from_settings(backend_settings or {})
        self.detector = Detector(rules, self.state, percolator)
        self.dispatcher = Dispatcher(self.data_dir, rules.channels) if deliver else None
        self.crawls: dict[str, Crawl] = {}
        self.raised: list[Event] = []

    # --- crawl lifecycle -----------------------------------------------------------------------
    def begin_crawl(self, site: str) -> Crawl:
        crawl_id, known = self.state.begin_crawl(site)
        self.crawls[site] = Crawl(site, crawl_id, known)
        return self.crawls[site]

    def process(self, documents: Iterable[dict[str, Any]], site: str) -> list[Event]:
        """Events raised by the documents of one index commit (after deduplication)."""
        crawl = self.crawls.get(site) or self.begin_crawl(site)
        return self._raise(self.detector.documents(list(documents), crawl))

    def end_crawl(self, site: str, *, finish_reason: str, pages: int, complete: bool) -> list[Event]:
        """Close the crawl: gone listings (complete crawls only) and market liveness."""
        crawl = self.crawls.pop(site, None) or self.begin_crawl(site)
        self.crawls.pop(site, None)
        events = self._raise(self.detector.crawl_finished(crawl, pages=pages, complete=complete))
        self.state.end_crawl(crawl.crawl_id, reason=finish_reason, pages=pages, complete=complete)
        return events

    # --- retro-hunt ----------------------------------------------------------------------------
    def retro_hunt(self, rule_name: str, backend: Any) -> list[Event]:
        """Run a watch-list or saved-search rule over what the index already holds."""
        try:
            rule = self.rules.rule(rule_name)
        except KeyError:
            raise AlertError(f"no rule named {rule_name!r}") from None
        candidates = []
        if rule.type == "saved_search":
            for doc in backend.scan(rule.query, kind=rule.kind):
                _, event = self.detector._event(
                    rule, entity=doc["id"], site=doc.get("site", ""), doc_ids=[doc["id"]],
                    title=f"saved search {rule.name}: {doc.get('title') or doc['id']}"[:160],
                    summary=rule.query, details={"query": rule.query, "url": doc.get("url", "")})
                candidates.append((rule, event))
        elif rule.type == "watchlist":
            matcher = WatchMatcher(rule)
            for kind in rule.kinds:
                for doc in backend.scan("*", kind=kind):
                    for hit_kind, value in matcher.hits(doc):
                        _, event = self.detector._event(
                            rule, entity=f"{hit_kind}:{value}", site=doc.get("site", ""), doc_ids=[doc["id"]],
                            title=f"watch list {rule.name}: {hit_kind} {value[:80]}",
                            summary=f"in {kind} {doc.get('title') or doc.get('author') or doc['id']}",
                            details={"match": hit_kind, "value": value, "url": doc.get("url", "")})
                        candidates.append((rule, event))
        elif rule.type == "hub":
            from nachtwacht.alerts.hubs import HubMatcher

            hub_matcher = HubMatcher(rule)
            for kind in rule.on:
                for doc in backend.scan("*", kind=kind):
                    hits = hub_matcher.hits(doc)
                    if hits:
                        candidates.append(self.detector.hub_event(rule, doc, hits))
        else:
            raise AlertError(f"rule {rule_name!r} is a {rule.type} rule: retro-hunt runs watchlist and "
                             "saved_search rules (and hub rules)")
        for _, event in candidates:
            event.retro = True
        return self._raise(candidates)

    # --- raising and delivery ------------------------------------------------------------------
    def _raise(self, candidates: list[tuple[Any, Event]]) -> list[Event]:
        from nachtwacht.hookspecs import plugin_manager

        stored: list[Event] = []
        for rule, event in candidates:
            if rule.rate_limit and self.store.recent_count(rule.name, RATE_WINDOW) >= rule.rate_limit:
                event.delivery = "rate_limited"
            channels = [c.name for c in self.rules.channels_for(rule)]
            if not channels and event.delivery == "pending":
                event.delivery = "none"
            if self.dispatcher is None and event.delivery == "pending":
                event.delivery = "none"
            saved = self.store.add(event, window=rule.dedupe_window)
            if saved is None:
                continue
            stored.append(saved)
            payload = saved.to_dict()
            try:
                plugin_manager().hook.nachtwacht_alert_raised(event=payload)
            except Exception:
                logger.exception("an alert_raised plugin failed on alert %s", saved.id)
            if saved.delivery == "pending" and self.dispatcher is not None:
                self.dispatcher.submit(payload, channels)
        stored = [self.store.get(e.id) for e in stored if e.id is not None]  # with folded-in repeats
        self.raised += stored
        if stored:
            logger.info("%d alert(s) raised: %s", len(stored), ", ".join(sorted({e.type for e in stored})))
        return stored

    def send_test(self, channel_names: list[str] | None = None) -> Event:
        """Raise a `test` event and deliver it to the channels (all by default)."""
        names = channel_names or [c.name for c in self.rules.channels]
        unknown = set(names) - {c.name for c in self.rules.channels}
        if unknown:
            raise AlertError(f"unknown channel(s) {sorted(unknown)}")
        event = self.store.add(Event(rule="test", type="test", severity="info", entity="test",
                                     title="Nachtwacht test alert", summary="delivery check"), window=0)
        assert event is not None
        if self.dispatcher is not None:
            self.dispatcher.submit(event.to_dict(), names)
        return event

    def flush(self, timeout: float = 30.0) -> None:
        """Wait (at most `timeout` s) for queued deliveries. Touches no SQLite connection of the
        engine, so it may run on any thread (the crawl runs it off the reactor)."""
        if self.dispatcher is not None:
            self.dispatcher.close(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Flush, then close the state and event store. Call it on the thread that built the engine:
        SQLite connections refuse to be closed from another thread."""
        self.flush(timeout)
        self.state.close()
        self.store.close()
