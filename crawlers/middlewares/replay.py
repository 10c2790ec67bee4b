"""Downloader middleware: a resumed crawl answers pending requests from the job's own evidence.

A crawl killed between two frontier checkpoints leaves pages `pending` whose responses are already
in the job's WARC files. When the frontier says the run resumes an interrupted pass, this
middleware indexes the custody log's `capture` entries of that pass (once, at the first request)
and answers a request with the same canonical URL and method from its record instead of the
network. The record is read back and checked first (whole, the one the custody log names, payload
digest matching): a torn or damaged record is never replayed, the request goes to the network.

What is replayed: plain HTTP exchanges (browser captures with a DOM are fetched again), of a final
status (not one of RETRY_HTTP_CODES: the crawl would have retried those). A capture answers one
request only: a retry of a replayed page (interstitial, ...) goes to the network. Evidence stays
exact: `warc_file`, `warc_record_id`, `content_sha256`, `captured_at` point at the original record,
`meta["nachtwacht_replayed"]` is True, the response carries the flag "replayed", and the evidence
middleware logs a `replay` custody entry instead of a new capture. Secrets redacted in evidence
(Set-Cookie) are not in a replayed response.

It sits before the Tor middleware (730 < 740): a replayed page needs no circuit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

from crawlers.evidence.custody import read_entries
from crawlers.evidence.exceptions import EvidenceError
from crawlers.evidence.warc import StoredCapture, read_capture
from crawlers.middlewares.evidence import (
    REDACTED_VALUE,
    REPLAYED_FLAG,
    evidence_data_dir,
    evidence_job_id,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.spiders import Spider

__all__ = ["REPLAYED_FLAG", "ReplayMiddleware", "replay_index"]

logger = logging.getLogger(__name__)


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _key(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


def replay_index(custody_log: Path, since: datetime) -> dict[str, list[dict[str, Any]]]:
    """Custody `capture` entries logged at or after `since` that hold one plain HTTP exchange,
    by canonical URL, oldest first. Unreadable (torn) log lines are skipped by `read_entries`."""
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in read_entries(custody_log):
        if entry.get("event") != "capture" or not entry.get("url"):
            continue
        moment = _moment(str(entry.get("time", "")))
        if moment is None or moment < since:
            continue
        if sorted(str(r.get("type")) for r in entry.get("records", [])) != ["request", "response"]:
            continue  # a browser capture (DOM, screenshot): the browser must render it again
        index[_key(str(entry["url"]))].append(entry)
    return dict(index)


class ReplayMiddleware:
    """Answer a resumed run's requests from the captures of its interrupted pass.

    Off (NotConfigured) when NACHTWACHT_EVIDENCE or NACHTWACHT_REPLAY is false. Does nothing for
    spiders without a SQLite frontier (`pass_started_at`), e.g. the Redis frontier's workers, and
    for runs that do not resume.
    """

    def __init__(self, crawler: Crawler, *, retry_statuses: frozenset[int]):
        self.crawler = crawler
        self.retry_statuses = retry_statuses
        self.data_dir: Path | None = None
        self._index: dict[str, list[dict[str, Any]]] | None = None  # built at the first request

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        settings = crawler.settings
        if not settings.getbool("NACHTWACHT_EVIDENCE", True):
            raise NotConfigured("NACHTWACHT_EVIDENCE is off: no captures to replay")
        if not settings.getbool("NACHTWACHT_REPLAY", True):
            raise NotConfigured("NACHTWACHT_REPLAY is off")
        statuses = frozenset(int(s) for s in settings.getlist("RETRY_HTTP_CODES"))
        return cls(crawler, retry_statuses=statuses)

    def _build(self, spider: Spider | None) -> dict[str, list[dict[str, Any]]]:
        """The index of this pass's captures when the run resumes; empty otherwise."""
        frontier = getattr(spider, "frontier", None)
        if not getattr(spider, "resumed", False) or not hasattr(frontier, "pass_started_at"):
            return {}
        since = frontier.pass_started_at()  # type: ignore[union-attr]
        self.data_dir = evidence_data_dir(self.crawler.settings, spider)
        if since is None or self.data_dir is None:
            return {}
        log = self.data_dir / "evidence" / evidence_job_id(spider) / "custody.jsonl"
        index = replay_index(log, since)
        captures = sum(len(v) for v in index.values())
        self.crawler.stats.set_value("replay/indexed", captures)
        logger.info("resume: %d captures of the interrupted pass (since %s) can answer requests",
                    captures, since.isoformat())
        return index

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        request.meta.pop("nachtwacht_replayed", None)  # copied into retries by Request.replace
        if self._index is None:
            self._index = self._build(spider or getattr(self.crawler, "spider", None))
        if not self._index or request.meta.get("retry_times") or request.meta.get("playwright"):
            return None
        entries = self._index.pop(_key(request.url), None)  # one capture answers one request
        if not entries or self.data_dir is None:
            return None
        for entry in reversed(entries):  # the latest readable capture is what the crawl last saw
            try:
                stored = read_capture(self.data_dir, entry)
            except EvidenceError as exc:
                self.crawler.stats.inc_value("replay/unreadable")
                logger.warning("not replaying %s: %s", request.url, exc)
                continue
            if stored.exchange.method.upper() != request.method.upper():
                continue
            if stored.exchange.status in self.retry_statuses:
                self.crawler.stats.inc_value("replay/transient_refetched")
                return None
            return self._response(request, stored, entry)
        return None

    def _response(self, request: Request, stored: StoredCapture, entry: dict[str, Any]) -> Response:
        ex = stored.exchange
        headers = Headers()
        for name, value in ex.response_headers:
            if value != REDACTED_VALUE:
                headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=ex.url, body=ex.body)
        response = cls(url=ex.url, status=ex.status, headers=headers, body=ex.body, request=request,
                       protocol=ex.protocol, flags=[REPLAYED_FLAG])
        meta = request.meta
        meta["nachtwacht_replayed"] = True
        meta["nachtwacht_replay_records"] = entry.get("records", [])
        meta["warc_file"] = stored.warc_file
        meta["warc_record_id"] = stored.record_id
        meta["content_sha256"] = stored.content_sha256
        meta["captured_at"] = stored.captured_at
        self.crawler.stats.inc_value("replay/responses")
        logger.debug("replayed %s from %s", request.url, stored.warc_file)
        return response
