"""Detectors: documents of an index commit (and crawl results) in, candidate events out.

Pure decisions over the documents and the detection state; storing, deduplication and delivery
are the engine's. Each candidate is `(rule, Event)`.
"""

from __future__ import annotations

import logging
from typing import Any

from extractors.model import normalise_vendor
from indexer import (
    PreparedDocument,
    compile_matcher,
    has_phrase,
    normalise,
    prepare_document,
    terms,
)
from nachtwacht.alerts import linking
from nachtwacht.alerts._safe_regex import SafeRegex
from nachtwacht.alerts.events import Event
from nachtwacht.alerts.hubs import HubMatcher
from nachtwacht.alerts.rules import RuleSet
from nachtwacht.alerts.state import State

__all__ = ["Crawl", "Detector", "WatchMatcher"]

logger = logging.getLogger(__name__)
Candidate = tuple[Any, Event]
EXCERPT = 400  # characters of text kept in an event


def _evidence(doc: dict[str, Any]) -> dict[str, Any]:
    ev = doc.get("evidence") or {}
    return {"url": doc.get("url") or ev.get("url", ""), "sha256": ev.get("sha256", ""),
            "fetched_at": ev.get("fetched_at", ""), "warc_file": ev.get("warc_file", ""),
            "warc_record_id": ev.get("warc_record_id", "")}


def _price(doc: dict[str, Any]) -> tuple[float | None, str, float | None]:
    price = doc.get("price") or {}
    eur = doc.get("price_eur") or {}
    amount = price.get("amount") if isinstance(price.get("amount"), int | float) else None
    eur_amount = eur.get("amount") if isinstance(eur.get("amount"), int | float) else None
    return amount, str(price.get("currency") or ""), eur_amount


def _onion(value: str) -> str:
    host = value.strip().lower().removeprefix("http://").removeprefix("https://").split("/")[0]
    return host if host.endswith(".onion") else host + ".onion" if len(host) == 56 else host


class WatchMatcher:
    """One watch-list rule compiled: normalised value sets, keyword token lists, safe regexes."""

    def __init__(self, rule: Any):
        self.rule = rule
        self.wallets = {normalise("wallet", v) for v in rule.wallets}
        self.pgp = {normalise("pgp", v) for v in rule.pgp}
        self.handles = {normalise_vendor(v) for v in rule.handles}
        self.onions = {_onion(v) for v in rule.onions}
        self.keywords = [(k, terms(k)) for k in rule.keywords]
        self.regexes = [SafeRegex(p) for p in rule.regexes]

    def hits(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """(kind, value) pairs of the watch list found in `doc`."""
        if doc.get("kind") not in self.rule.kinds:
            return []
        ents = doc.get("entities") or {}
        found: list[tuple[str, str]] = []
        if self.wallets:
            have = {normalise("wallet", w.get("address", "")) for w in ents.get("wallets") or ()}
            have |= {normalise("wallet", w) for w in doc.get("wallets") or ()}
            found += [("wallet", v) for v in sorted(self.wallets & have)]
        if self.pgp:
            have = {normalise("pgp", k.get("fingerprint", "")) for k in ents.get("pgp_keys") or ()}
            have |= {normalise("pgp", k) for k in doc.get("pgp_fingerprints") or ()}
            found += [("pgp", v) for v in sorted(self.pgp & have)]
        if self.handles:
            raw = [doc.get("vendor_id"), doc.get("vendor"), doc.get("author"),
                   *(doc.get("handles") or {}).values(), *(c.get("value") for c in ents.get("contacts") or ())]
            have = {normalise_vendor(str(h)) for h in raw if h}
            found += [("handle", v) for v in sorted(self.handles & have)]
        if self.onions:
            have = {_onion(o) for o in ents.get("onions") or ()}
            found += [("onion", v) for v in sorted(self.onions & have)]
        text = "\n".join(str(doc.get(k) or "") for k in ("title", "description", "text"))
        if self.keywords and text.strip():
            tokens = terms(text)
            for keyword, wanted in self.keywords:
                if wanted and (wanted[0] in tokens if len(wanted) == 1 else has_phrase(tokens, wanted)):
                    found.append(("keyword", keyword))
        for rx in self.regexes:
            match = rx.search(text)
            if match:
                found.append(("regex", f"{rx.pattern} -> {match[:200]}"))
        return found


class Crawl:
    """What the detector knows of the crawl in progress on one site."""

    def __init__(self, site: str, crawl_id: int, known_site: bool):
        self.site = site
        self.crawl_id = crawl_id
        self.known_site = known_site  # the site had a crawl with pages before this one


class Detector:
    """Turns documents into candidate events according to the rules."""

    def __init__(self, rules: RuleSet, state: State, percolator: Any = None):
        self.rules = rules
        self.state = state
        self.watch = [WatchMatcher(r) for r in rules.of_type("watchlist")]
        self.searches = [(r, compile_matcher(r.query, r.kind)) for r in rules.of_type("saved_search")]
        # On OpenSearch the cluster's percolator answers for saved searches; elsewhere the same
        # query plan runs in Python (`compile_matcher`). Both give the answers a search would.
        self.percolator = percolator
        if percolator is not None and self.searches:
            percolator.register({r.name: (r.query, r.kind) for r, _ in self.searches})
        self._percolated: dict[str, set[str]] = {}
        self.hub_rules = [HubMatcher(r) for r in rules.of_type("hub")]

    def _rules(self, rule_type: str, site: str) -> list[Any]:
        return [r for r in self.rules.of_type(rule_type) if not r.sites or site in r.sites]

    def _event(self, rule: Any, **fields: Any) -> Candidate:
        return rule, Event(rule=rule.name, type=rule.type, severity=rule.severity, **fields)

    # --- documents of one commit --------------------------------------------------------------
    def documents(self, docs: list[dict[str, Any]], crawl: Crawl) -> list[Candidate]:
        out: list[Candidate] = []
        if self.percolator is not None and self.searches:
            self._percolated = self.percolator.percolate([d for d in docs if d.get("id")])
        for doc in docs:  # keys of every vendor first, so a key many of them share is seen as common
            if doc.get("kind") == "vendor" and doc.get("id"):
                vendor_id = doc.get("vendor_id") or str(doc["id"]).removeprefix("vendor:")
                for key_kind, values in linking.vendor_keys(doc).items():
                    self.state.add_keys(vendor_id, key_kind, values)
        for doc in docs:
            kind = doc.get("kind")
            if kind not in ("listing", "post", "vendor") or not doc.get("id"):
                continue
            is_new = self.state.first_crawl_of(doc["id"], kind, crawl.crawl_id) == crawl.crawl_id
            if kind == "listing":
                out += self._listing(doc, crawl)
            elif kind == "post":
                out += self._post(doc)
            else:
                out += self._vendor(doc)
            out += self._watch(doc)
            out += self._hubs(doc, is_new)
            if is_new:
                out += self._searches(doc)
        return out

    def _listing(self, doc: dict[str, Any], crawl: Crawl) -> list[Candidate]:
        site = doc.get("site") or crawl.site
        price = _price(doc)
        before, _after = self.state.sight_listing(doc, crawl.crawl_id, price)
        out = []
        title = doc.get("title", "")
        if before is None:
            for rule in self._rules("new_listing", site):
                if crawl.known_site or rule.include_baseline:
                    out.append(self._event(rule, entity=doc["id"], site=site, doc_ids=[doc["id"]],
                                           title=f"new listing on {site}: {title[:80]}",
                                           summary=f"{doc.get('vendor') or '?'} lists {title!r}",
                                           details={"vendor": doc.get("vendor", ""), "price": doc.get("price"),
                                                    "price_eur": doc.get("price_eur"), **_evidence(doc)}))
            return out
        base_amount, base_currency, base_eur = before["cur_price"], before["cur_currency"], before["cur_eur"]
        if before["last_crawl"] == crawl.crawl_id:
            base_amount, base_currency, base_eur = before["base_price"], before["base_currency"], before["base_eur"]
        amount, currency, eur = price
        pct = None
        if base_eur and eur is not None:
            pct, old_text, new_text = (eur - base_eur) / base_eur * 100, f"€{base_eur:g}", f"€{eur:g}"
        elif base_amount and amount is not None and currency and currency == base_currency:
            pct = (amount - base_amount) / base_amount * 100
            old_text, new_text = f"{base_amount:g} {currency}", f"{amount:g} {currency}"
        if pct is None:
            return out
        for rule in self._rules("price_change", site):
            if abs(pct) >= rule.threshold_pct:
                out.append(self._event(rule, entity=f"{doc['id']}@{new_text}", site=site, doc_ids=[doc["id"]],
                                       title=f"price {'up' if pct > 0 else 'down'} {abs(pct):.0f}% on {site}: "
                                             f"{title[:60]}",
                                       summary=f"{old_text} -> {new_text}",
                                       details={"old": old_text, "new": new_text, "change_pct": round(pct, 1),
                                                "vendor": doc.get("vendor", ""), **_evidence(doc)}))
        return out

    def _post(self, doc: dict[str, Any]) -> list[Candidate]:
        rec = doc.get("recruitment") or {}
        score = rec.get("score")
        if not isinstance(score, int | float):
            return []
        site = doc.get("site", "")
        out = []
        for rule in self._rules("recruitment", site):
            if score >= rule.min_score:
                evidence = [m.get("value", "") if isinstance(m, dict) else str(m) for m in rec.get("evidence") or ()]
                out.append(self._event(rule, entity=doc["id"], site=site, doc_ids=[doc["id"]],
                                       title=f"possible youth recruitment on {site} by {doc.get('author', '?')} "
                                             f"(score {score:.2f})",
                                       summary="; ".join(evidence[:8]),
                                       details={"score": score, "label": rec.get("label"), "evidence": evidence,
                                                "author": doc.get("author", ""), "channel": doc.get("channel", ""),
                                                "posted_at": doc.get("posted_at", ""),
                                                "excerpt": str(doc.get("text", ""))[:EXCERPT], **_evidence(doc)}))
        return out

    def _vendor(self, doc: dict[str, Any]) -> list[Candidate]:
        vendor_id = doc.get("vendor_id") or str(doc["id"]).removeprefix("vendor:")
        handles: dict[str, str] = dict(doc.get("handles") or {})
        keys = linking.vendor_keys(doc)
        known_sites = self.state.vendor_sites(vendor_id)
        new_sites = [s for s in sorted(handles) if s not in known_sites]
        for kind, values in keys.items():
            self.state.add_keys(vendor_id, kind, values)
        links = linking.find_links(self.state, vendor_id, keys)
        fresh_links = linking.save_links(self.state, vendor_id, links)
        same = linking.cross_market_link(self.state, doc)  # one vendor id, same key on two markets
        if same is not None:
            links.insert(0, same)
            fresh_links += linking.save_links(self.state, vendor_id, [same])
        out = []
        for site in new_sites:
            self.state.add_vendor(site, vendor_id, handles[site])
            elsewhere = {s: h for s, h in known_sites.items() if s != site}
            strong = [lk for lk in links if lk.confidence >= 0.5]
            scope = "market" if elsewhere or strong else "global"
            what = "new vendor" if scope == "global" else "vendor new on this market, known elsewhere"
            for rule in self._rules("new_vendor", site):
                out.append(self._event(
                    rule, entity=f"{site}:{vendor_id}", site=site, doc_ids=[doc["id"]],
                    title=f"{what}: {handles[site]} on {site}",
                    summary=(f"same handle on {', '.join(sorted(elsewhere))}; " if elsewhere else "")
                    + "; ".join(f"{lk.vendor_id} ({lk.confidence:.2f})" for lk in strong),
                    details={"vendor_id": vendor_id, "handle": handles[site], "scope": scope,
                             "same_handle_on": elsewhere, "links": [lk.to_dict() for lk in links],
                             "pgp": sorted(keys["pgp"]), "wallets": sorted(keys["wallet"]),
                             "contacts": sorted(keys["contact"])}))
        for lk in fresh_links:
            a, b = sorted((vendor_id, lk.vendor_id))
            mine = {**known_sites, **handles}
            for rule in self._rules("vendor_link", ""):
                if lk.confidence >= rule.min_confidence:
                    reasons = ", ".join(sorted({r["reason"] for r in lk.reasons}))
                    if a == b:  # the same vendor document on two markets, tied by a key
                        sites = sorted(lk.sites)
                        title = (f"same vendor on {len(sites)} markets ({reasons}, {lk.confidence:.2f}): "
                                 + " = ".join(f"{lk.sites[s]} on {s}" for s in sites))
                    else:
                        title = (f"vendors linked ({reasons}, {lk.confidence:.2f}): "
                                 f"{'/'.join(mine.values()) or vendor_id} = "
                                 f"{'/'.join(lk.sites.values()) or lk.vendor_id}")
                    out.append(self._event(
                        rule, entity=f"{a}|{b}", site=",".join(sorted(set(mine) | set(lk.sites))),
                        doc_ids=sorted({f"vendor:{a}", f"vendor:{b}"}), title=title,
                        summary="; ".join(f"{r['reason']}: {r['evidence']}" for r in lk.reasons),
                        details={"a": {"vendor_id": vendor_id, "handles": mine},
                                 "b": {"vendor_id": lk.vendor_id, "handles": lk.sites},
                                 "confidence": lk.confidence, "reasons": lk.reasons}))
        return out

    def _watch(self, doc: dict[str, Any]) -> list[Candidate]:
        out = []
        site = doc.get("site") or ",".join(sorted((doc.get("handles") or {}).keys()))
        for matcher in self.watch:
            if matcher.rule.sites and site not in matcher.rule.sites:
                continue
            for kind, value in matcher.hits(doc):
                out.append(self._event(matcher.rule, entity=f"{kind}:{value}", site=site, doc_ids=[doc["id"]],
                                       title=f"watch list {matcher.rule.name}: {kind} {value[:80]}",
                                       summary=f"in {doc.get('kind')} {doc.get('title') or doc.get('author') or doc['id']}",
                                       details={"match": kind, "value": value, "doc_kind": doc.get("kind"),
                                                **_evidence(doc)}))
        return out

    def _hubs(self, doc: dict[str, Any], is_new: bool) -> list[Candidate]:
        """One event per document naming a watched hub (new documents only, unless `new_only` is off)."""
        out = []
        site = doc.get("site", "")
        for matcher in self.hub_rules:
            rule = matcher.rule
            if (rule.new_only and not is_new) or (rule.sites and site not in rule.sites):
                continue
            hits = matcher.hits(doc)
            if hits:
                out.append(self.hub_event(rule, doc, hits))
        return out

    def hub_event(self, rule: Any, doc: dict[str, Any], hits: list[dict[str, str]]) -> Candidate:
        names = ", ".join(h["hub"] for h in hits)
        return self._event(rule, entity=doc["id"], site=doc.get("site", ""), doc_ids=[doc["id"]],
                           title=f"hub {rule.name}: {names} in {doc.get('kind')} "
                                 f"{doc.get('title') or doc.get('author') or doc['id']}"[:160],
                           summary="; ".join(f"{h['hub']} ({h['kind']}): {h['text']!r}" for h in hits)[:EXCERPT],
                           details={"hubs": hits, "doc_kind": doc.get("kind"), **_evidence(doc)})

    def _searches(self, doc: dict[str, Any]) -> list[Candidate]:
        out = []
        prepared: PreparedDocument | None = None
        site = doc.get("site", "")
        for rule, matcher in self.searches:
            if (rule.sites and site not in rule.sites) or (rule.kind and doc.get("kind") != rule.kind):
                continue
            if self.percolator is not None:
                hit = rule.name in self._percolated.get(doc["id"], ())
            else:
                prepared = prepared or prepare_document(doc)
                hit = matcher.matches(prepared)
            if hit:
                out.append(self._event(rule, entity=doc["id"], site=site, doc_ids=[doc["id"]],
                                       title=f"saved search {rule.name}: {doc.get('title') or doc['id']}"[:160],
                                       summary=rule.query, details={"query": rule.query, **_evidence(doc)}))
        return out

    # --- end of a crawl -----------------------------------------------------------------------
    def crawl_finished(self, crawl: Crawl, *, pages: int, complete: bool) -> list[Candidate]:
        """Listings gone (complete crawls only), market unreachable, many listings vanished."""
        out: list[Candidate] = []
        site = crawl.site
        streak = self.state.liveness(site, pages > 0)
        for rule in self._rules("market_down", site):
            if streak >= rule.unreachable_crawls:
                out.append(self._event(rule, entity=f"{site}:unreachable", site=site,
                                       title=f"market {site} unreachable for {streak} crawls",
                                       summary=f"last reachable {self.state.last_ok(site) or 'never'}",
                                       details={"reason": "unreachable", "crawls": streak,
                                                "last_ok": self.state.last_ok(site)}))
        if not complete or pages == 0:
            return out
        known = self.state.live_listing_count(site)
        gone = self.state.unseen_listings(site, crawl.crawl_id)
        self.state.mark_gone([g["id"] for g in gone])
        for rule in self._rules("listing_gone", site):
            for g in gone:
                out.append(self._event(rule, entity=g["id"], site=site, doc_ids=[g["id"]],
                                       title=f"listing gone from {site}: {(g['title'] or '')[:80]}",
                                       summary=f"vendor {g['vendor_id'] or '?'}, last price "
                                               f"{g['cur_price'] if g['cur_price'] is not None else '?'} "
                                               f"{g['cur_currency'] or ''}".strip(),
                                       details={"url": g["url"], "vendor_id": g["vendor_id"]}))
        for rule in self._rules("market_down", site):
            if known >= rule.min_listings and gone and len(gone) / known >= rule.vanished_fraction:
                out.append(self._event(rule, entity=f"{site}:vanished", site=site,
                                       title=f"possible exit scam on {site}: {len(gone)} of {known} listings gone",
                                       summary="many listings vanished in one complete crawl",
                                       details={"reason": "vanished", "gone": len(gone), "known": known}))
        return out
