"""Public Telegram channels through their web preview (`/s/<channel>`), newest page first.

Each `tgme_widget_message` block becomes an `extractors.model.Post` (text, author, time, views,
media kind, forward origin, edited flag), enriched by `extractors.extract_text` (language,
entities, products, recruitment score). Pages are followed back in time through `?before=<id>`
only until the newest message a previous complete run saw: a re-run fetches only what is new.
Edited messages seen again are re-indexed; ids missing from a fetched id range that an earlier run
indexed are yielded as `deleted` posts (the index marks the stored message, it never drops it).
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.spiders.base import SiteSpider
from crawlers.spiders.market import classify_failure
from extractors.model import Evidence, Post

__all__ = ["ChannelMessage", "PreviewPage", "TelegramSpider", "parse_preview", "views_value"]

logger = logging.getLogger(__name__)

_MEDIA = (("photo", "tgme_widget_message_photo_wrap"), ("video", "tgme_widget_message_video_player"),
          ("document", "tgme_widget_message_document"), ("voice", "tgme_widget_message_voice"),
          ("poll", "tgme_widget_message_poll"), ("sticker", "tgme_widget_message_sticker"))
_BEFORE = re.compile(r"[?&]before=(\d+)")


def _has_class(cls: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')"


def views_value(shown: str) -> int | None:
    """The number a shown view count stands for (`1.2K` is 1200); None when there is none."""
    shown = shown.strip().upper().replace(",", ".")
    if not shown:
        return None
    scale = {"K": 1000, "M": 1_000_000}.get(shown[-1:], 1)
    try:
        return round(float(shown[:-1] if scale > 1 else shown) * scale)
    except ValueError:
        return None


@dataclass(frozen=True)
class ChannelMessage:
    channel: str
    id: int
    posted_at: str
    text: str
    author: str
    views: int | None = None
    media: str = ""
    forwarded_from: str = ""
    edited: bool = False

    def digest(self) -> str:
        """Changes when what a reader sees changes (an edit); views do not count."""
        return hashlib.sha256(f"{self.text}\n{self.media}\n{self.edited}".encode()).hexdigest()[:16]


@dataclass
class PreviewPage:
    channel: str
    title: str
    messages: list[ChannelMessage] = field(default_factory=list)
    before: int | None = None  # the `before=` of the link to older messages, if there is one


def _text(el: lxml.html.HtmlElement) -> str:
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [" ".join(line.split()) for line in el.text_content().split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _first(el: lxml.html.HtmlElement, cls: str) -> lxml.html.HtmlElement | None:
    found = el.xpath(f".//*[{_has_class(cls)}]")
    return found[0] if found else None


def _iso_utc(value: str) -> str:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return value


def parse_preview(html: str | bytes, channel: str = "") -> PreviewPage:
    """Messages of one preview page, oldest first; service messages (photo changed...) skipped."""
    root = lxml.html.fromstring(html)
    title_el = _first(root, "tgme_channel_info_header_title")
    title = _text(title_el) if title_el is not None else ""
    if not title:
        og = root.xpath("//meta[@property='og:title']/@content")
        title = og[0].strip() if og else channel
    page = PreviewPage(channel=channel, title=title)
    for block in root.xpath(f"//*[{_has_class('tgme_widget_message')}][@data-post]"):
        if "service_message" in (block.get("class") or ""):
            continue
        name, _, number = block.get("data-post", "").rpartition("/")
        if not number.isdigit():
            continue
        page.channel = page.channel or name
        text_el = _first(block, "tgme_widget_message_text")
        time_el = block.xpath(f".//*[{_has_class('tgme_widget_message_date')}]//time/@datetime")
        views_el = _first(block, "tgme_widget_message_views")
        sign_el = _first(block, "tgme_widget_message_from_author")
        fwd_el = _first(block, "tgme_widget_message_forwarded_from_name")
        media = next((kind for kind, cls in _MEDIA if _first(block, cls) is not None), "")
        page.messages.append(ChannelMessage(
            channel=name, id=int(number), posted_at=_iso_utc(time_el[0]) if time_el else "",
            text=_text(text_el) if text_el is not None else "",
            author=(_text(sign_el) if sign_el is not None else "") or title,
            views=views_value(views_el.text_content()) if views_el is not None else None,
            media=media, forwarded_from=_text(fwd_el) if fwd_el is not None else "",
            edited=_first(block, "tgme_widget_message_edited") is not None))
    page.messages.sort(key=lambda m: m.id)
    more = root.xpath(f"//a[{_has_class('tme_messages_more')}]/@href") or \
        root.xpath("//link[@rel='prev']/@href")
    match = _BEFORE.search(more[0]) if more else None
    page.before = int(match.group(1)) if match else None
    return page


class ChannelState:
    """What earlier runs indexed, per channel: message digests and the newest id fully covered."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(
            "CREATE TABLE IF NOT EXISTS messages (channel TEXT, id INTEGER, digest TEXT, deleted INTEGER "
            "DEFAULT 0, PRIMARY KEY (channel, id));"
            "CREATE TABLE IF NOT EXISTS channels (channel TEXT PRIMARY KEY, newest INTEGER NOT NULL);")

    def newest(self, channel: str) -> int:
        row = self._db.execute("SELECT newest FROM channels WHERE channel=?", (channel,)).fetchone()
        return int(row[0]) if row else 0

    def digests(self, channel: str, low: int, high: int) -> dict[int, str]:
        rows = self._db.execute("SELECT id, digest FROM messages WHERE channel=? AND id BETWEEN ? AND ? "
                                "AND deleted=0", (channel, low, high))
        return dict(rows.fetchall())

    def save(self, channel: str, seen: dict[int, str], deleted: list[int], newest: int | None) -> None:
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO messages(channel, id, digest) VALUES (?,?,?)",
                             [(channel, i, d) for i, d in seen.items()])
        self._db.executemany("UPDATE messages SET deleted=1 WHERE channel=? AND id=?",
                             [(channel, i) for i in deleted])
        if newest is not None:
            self._db.execute("INSERT OR REPLACE INTO channels(channel, newest) VALUES (?, MAX(?, "
                             "COALESCE((SELECT newest FROM channels WHERE channel=?), 0)))",
                             (channel, newest, channel))
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


class TelegramSpider(SiteSpider):
    """Crawl the public preview of the channels a `kind: channel` site config lists in start_paths.

    Same arguments as `MarketSpider`. `max_pages` bounds the preview pages fetched per run.
    """

    name = "telegram"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.state = ChannelState(self.job_dir / "channels.sqlite")
        self.fetched = 0
        # per channel: newest id seen this run, digests to store, deletions, whether history is covered
        self._seen: dict[str, dict[int, str]] = {}
        self._deleted: dict[str, list[int]] = {}
        self._newest: dict[str, int] = {}
        self._covered: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for url in self.site.start_urls:
            channel = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
            request = self._request(url, channel, newest_before=0 if self.fresh else self.state.newest(channel))
            if request is not None:
                yield request

    def _request(self, url: str, channel: str, newest_before: int) -> Request | None:
        if self.fetched >= self.max_pages:
            self.crawler.stats.inc_value("crawl/deferred_by_page_limit")
            return None
        self.fetched += 1
        return Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                       meta={"channel": channel, "newest_before": newest_before,
                             "nachtwacht_site": self.site.name,
                             "download_maxsize": self.site.limits.page_size,
                             "download_timeout": self.site.limits.timeout})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        channel = response.meta["channel"]
        newest_before = response.meta["newest_before"]
        page = parse_preview(response.body, channel)
        self.crawler.stats.inc_value("crawl/pages")
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        evidence = Evidence(url=response.url, sha256=hashlib.sha256(response.body).hexdigest(),
                            fetched_at=fetched_at.isoformat(),
                            warc_file=response.meta.get("warc_file", ""),
                            warc_record_id=response.meta.get("warc_record_id", ""),
                            via=self.settings.get("NACHTWACHT_VIA", "tor"), job_id=self.job_id)
        seen = self._seen.setdefault(channel, {})
        if page.messages:
            low, high = page.messages[0].id, page.messages[-1].id
            if page.before is None:
                low = 0  # the start of the channel: anything older we knew is gone
            known = self.state.digests(channel, low, high)
            present = {m.id for m in page.messages}
            for gone in sorted(set(known) - present):
                self._deleted.setdefault(channel, []).append(gone)
                self.crawler.stats.inc_value("telegram/deleted")
                yield Post(id=post_id(channel, gone), site=self.site.name, url="", channel=channel,
                           author="", text="", deleted=True, evidence=evidence)
            self._newest[channel] = max(self._newest.get(channel, 0), high)
            for message in page.messages:
                digest = message.digest()
                if known.get(message.id) == digest or seen.get(message.id) == digest:
                    continue
                seen[message.id] = digest
                self.crawler.stats.inc_value("telegram/messages")
                if message.id in known:
                    self.crawler.stats.inc_value("telegram/edited")
                yield self._post(message, response.url, evidence)
        reached_known = bool(page.messages) and page.messages[0].id <= newest_before
        if page.before is None or reached_known:
            self._covered.add(channel)
            return
        request = self._request(urljoin(response.url, f"?before={page.before}"), channel, newest_before)
        if request is not None:
            yield request

    def _post(self, message: ChannelMessage, page_url: str, evidence: Evidence) -> Post:
        base = urlsplit(page_url)
        url = f"{base.scheme}://{base.netloc}/{message.channel}/{message.id}"
        lang, entities, recruitment, products, logistics = "", None, None, (), ()
        if message.text:
            try:
                from extractors import extract_text

                extraction = extract_text(message.text, url=url, site=self.site.name)
                found = extraction.posts[0] if extraction.posts else None
                if found is not None:
                    lang, entities = found.lang, found.entities
                    recruitment, products = found.recruitment, found.products
                    logistics = found.logistics
            except Exception:
                self.crawler.stats.inc_value("extract/failed")
                logger.exception("extraction failed on %s", url)
        extra: dict[str, Any] = {"entities": entities} if entities is not None else {}
        return Post(id=post_id(message.channel, message.id), site=self.site.name, url=url,
                    channel=message.channel, author=message.author, text=message.text,
                    posted_at=message.posted_at, lang=lang, recruitment=recruitment,
                    products=products, logistics=logistics, evidence=evidence, views=message.views,
                    media=message.media, forwarded_from=message.forwarded_from,
                    edited=message.edited, **extra)

    def failed(self, failure: Failure) -> None:
        kind, _permanent = classify_failure(failure)
        self.crawler.stats.inc_value(f"crawl/error/{kind}")
        logger.warning("%s: %s (%s)", failure.request.url, kind,  # type: ignore[attr-defined]
                       failure.getErrorMessage()[:200])

    def closed(self, reason: str) -> None:
        """Remember what was indexed; the newest id counts as covered only if no page is missing."""
        for channel in set(self._seen) | set(self._deleted) | set(self._newest):
            newest = self._newest.get(channel) if channel in self._covered and reason == "finished" else None
            self.state.save(channel, self._seen.get(channel, {}), self._deleted.get(channel, []), newest)
        self.crawler.stats.set_value("telegram/channels", len(self._newest))
        self.state.close()


def post_id(channel: str, message_id: int) -> str:
    """Stable id of a channel message in the index."""
    return f"telegram:{channel}/{message_id}"
