"""Downloader middleware: every fetched response goes into the job's WARC evidence before anything
else looks at it; `warc_file`, `warc_record_id`, `content_sha256` and `captured_at` go into
`response.meta` so the spider can point its `Page` at the record.

It sits at order 950 (next to the download handler): it sees the request as sent (cookies, proxy)
and the response as received (still content-encoded), and every redirect hop is recorded too.
Browser captures carry their raw exchange, DOM and screenshot in `meta["nachtwacht_render"]`, and
the redirects Chromium followed (`hops`), each recorded as its own capture before the page.
A response replayed from the job's WARC on resume (crawlers.middlewares.replay, flag "replayed")
is not captured again: its meta already points at the original record, and a `replay` custody
entry (url, the original record and its offsets) says it answered a request of this run.
"""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.evidence.warc import DEFAULT_MAX_FILE_SIZE, Exchange, Resource, WarcStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.spiders import Spider

__all__ = ["REDACTED_VALUE", "REPLAYED_FLAG", "EvidenceMiddleware", "evidence_data_dir", "evidence_job_id", "operator_name"]

logger = logging.getLogger(__name__)

# Secrets of the operator's session never go into evidence that leaves the unit.
REDACTED_HEADERS = {"cookie", "authorization", "proxy-authorization", "set-cookie"}
REDACTED_VALUE = "[redacted]"
REPLAYED_FLAG = "replayed"  # in `response.flags` of a response answered from the job's WARC


def operator_name(settings: Any = None) -> str:
    """Who runs the crawl: setting NACHTWACHT_OPERATOR, env NACHTWACHT_OPERATOR, or the OS user."""
    value = settings.get("NACHTWACHT_OPERATOR") if settings is not None else None
    if value:
        return str(value)
    if os.environ.get("NACHTWACHT_OPERATOR"):
        return os.environ["NACHTWACHT_OPERATOR"]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def evidence_data_dir(settings: Any, spider: Any = None) -> Path | None:
    """Where evidence goes: NACHTWACHT_DATA_DIR, else the embedded backend's data_dir, else the
    data directory above the spider's `jobs/<job_id>` directory."""
    value = settings.get("NACHTWACHT_DATA_DIR")
    if value:
        return Path(value)
    backend = settings.getdict("NACHTWACHT_BACKEND")
    if backend.get("data_dir"):
        return Path(backend["data_dir"])
    job_dir = getattr(spider, "job_dir", None)
    if job_dir is not None and Path(job_dir).parent.name == "jobs":
        return Path(job_dir).parent.parent
    return None


def evidence_job_id(spider: Any) -> str:
    """The job whose evidence directory a spider writes: its `job_id`, else its name."""
    return str(getattr(spider, "job_id", "") or getattr(spider, "name", "job"))


def _headers(raw: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """Scrapy headers as (name, value) strings, secrets replaced; and the names redacted."""
    out: list[tuple[str, str]] = []
    redacted: list[str] = []
    for name, values in raw.items():
        text = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            if text.lower() in REDACTED_HEADERS:
                out.append((text, REDACTED_VALUE))
                redacted.append(text)
            else:
                out.append((text, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out, redacted


def _route(request: Request, default_via: str) -> tuple[str, str, str]:
    """(via, isolation token, socks endpoint) of a request, from what the Tor middleware set."""
    meta = request.meta
    proxy = str(meta.get("proxy") or meta.get("nachtwacht_socks") or "")
    isolation = str(meta.get("tor_isolation") or "")
    socks = ""
    if proxy:
        parts = urlsplit(proxy if "://" in proxy else f"socks5h://{proxy}")
        isolation = isolation or (parts.username or "")
        socks = f"{parts.hostname}:{parts.port}" if parts.hostname else ""
    via = str(meta.get("nachtwacht_via") or default_via)
    return via, isolation, socks


class EvidenceMiddleware:
    """Record every response of the crawl into `<data_dir>/evidence/<job_id>/`.

    Off (NotConfigured) when NACHTWACHT_EVIDENCE is false. A store failure stops the crawl:
    pages without evidence must not be indexed as if they had some.
    """

    def __init__(self, crawler: Crawler, *, operator: str, max_file_size: int, default_via: str):
        self.crawler = crawler
        self.operator = operator
        self.max_file_size = max_file_size
        self.default_via = default_via
        self.store: WarcStore | None = None
        self.sync_each = True  # fsync every capture (no frontier checkpoint to wait for)
        self.replayed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidenceMiddleware:
        settings = crawler.settings
        if not settings.getbool("NACHTWACHT_EVIDENCE", True):
            raise NotConfigured("NACHTWACHT_EVIDENCE is off")
        mw = cls(crawler, operator=operator_name(settings),
                 max_file_size=settings.getint("NACHTWACHT_EVIDENCE_WARC_SIZE", DEFAULT_MAX_FILE_SIZE),
                 default_via=settings.get("NACHTWACHT_VIA", "tor"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _store(self, spider: Spider | None) -> WarcStore:
        if self.store is None:
            spider = spider or self.crawler.spider
            data_dir = evidence_data_dir(self.crawler.settings, spider)
            if data_dir is None:
                raise NotConfigured("no data directory for evidence (set NACHTWACHT_DATA_DIR)")
            job_id = evidence_job_id(spider)
            self.store = WarcStore(data_dir, job_id, operator=self.operator,
                                   max_file_size=self.max_file_size)
            self.store.custody.append("run_start", job=job_id, operator=self.operator,
                                      spider=getattr(spider, "name", ""),
                                      legal_basis=self.crawler.settings.getdict("NACHTWACHT_LEGAL_BASIS") or None)
            # records are fsynced once per frontier checkpoint, before it marks their pages done;
            # a frontier without checkpoint hooks (Redis: marks apply at once) gets one per capture
            frontier = getattr(spider, "frontier", None)
            self.sync_each = not hasattr(frontier, "before_checkpoint")
            if not self.sync_each:
                frontier.before_checkpoint(self.store.sync)
            self.store.sync()  # run_start and the first file: durable at once
        return self.store

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        store = self._store(spider)
        if REPLAYED_FLAG in response.flags:  # answered from this job's WARC: logged, not captured again
            return self._replayed(store, request, response)
        via, isolation, socks = _route(request, self.default_via)
        render = request.meta.get("nachtwacht_render") or {}
        for hop in render.get("hops") or ():  # browser redirects, one capture per hop, in order
            store.record(self._browser_exchange(hop), url=hop["url"], via=via, isolation=isolation,
                         socks=socks)
            self.crawler.stats.inc_value("evidence/redirect_hops")
        exchange = self._browser_exchange(render) if render else self._exchange(request, response)
        resources = tuple(Resource(role, ctype, data) for role, ctype, data in (
            ("dom", "text/html; charset=utf-8", render.get("dom")),
            ("screenshot", "image/png", render.get("screenshot")),
        ) if data)
        capture = store.record(exchange, url=response.url, via=via, isolation=isolation, socks=socks,
                               resources=resources)
        if self.sync_each:
            store.sync()
        meta = request.meta  # response.meta is the same dict, once the response is bound
        meta["warc_file"] = capture.warc_file
        meta["warc_record_id"] = capture.record_id
        meta["content_sha256"] = capture.content_sha256
        meta["captured_at"] = capture.captured_at
        self.crawler.stats.inc_value("evidence/captures")
        self.crawler.stats.inc_value("evidence/records", len(capture.records))
        return response

    def _replayed(self, store: WarcStore, request: Request, response: Response) -> Response:
        meta = request.meta
        store.custody.append("replay", job=store.job_id, operator=self.operator, url=response.url,
                             warc_file=meta.get("warc_file", ""), record_id=meta.get("warc_record_id", ""),
                             content_sha256=meta.get("content_sha256", ""),
                             captured_at=meta.get("captured_at", ""),
                             records=meta.get("nachtwacht_replay_records", []))
        if self.sync_each:
            store.sync()
        self.replayed += 1
        self.crawler.stats.inc_value("evidence/replayed")
        return response

    def _exchange(self, request: Request, response: Response) -> Exchange:
        req_headers, _ = _headers(request.headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", urlsplit(request.url).netloc))
        resp_headers, _ = _headers(response.headers)
        return Exchange(url=response.url, method=request.method, request_headers=req_headers,
                        request_body=request.body or b"", status=response.status,
                        response_headers=resp_headers, body=response.body,
                        protocol=str(getattr(response, "protocol", None) or "HTTP/1.1"))

    @staticmethod
    def _browser_exchange(render: dict[str, Any]) -> Exchange | None:
        """The main document's exchange as the browser saw it, when the render layer kept it."""
        if render.get("status") is None:
            return None
        redact = {k.lower() for k in REDACTED_HEADERS}
        return Exchange(
            url=render["url"], method=render.get("method", "GET"),
            request_headers=[(k, REDACTED_VALUE if k.lower() in redact else v)
                             for k, v in render.get("request_headers", [])],
            request_body=b"", status=int(render["status"]),
            response_headers=[(k, REDACTED_VALUE if k.lower() in redact else v)
                              for k, v in render.get("response_headers", [])],
            body=render.get("body") or b"", protocol=render.get("protocol") or "HTTP/1.1")

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self.store is None:
            return
        self.store.custody.append("run_end", job=self.store.job_id, reason=reason,
                                  captures=self.store.captures, replayed=self.replayed)
        store, self.store = self.store, None
        store.close()
