"""A demo public Telegram channel preview (`/s/<channel>` pages), generated from a seed and served.

Pages follow the markup of Telegram's public web preview: one `tgme_widget_message` block per
message with `data-post="<channel>/<id>"`, oldest first; 20 messages per page; a
`tme_messages_more` link (and `<link rel="prev">`) with `?before=<oldest id>` leads back in time.
Deleted messages simply leave a gap in the ids; edited ones carry `tgme_widget_message_edited`.
`ChannelSite.post/edit/delete` change a channel while it is served (incremental-crawl tests).

Ground truth per message (`ChannelSite.truth()`): channel, id, posted_at (ISO, UTC), text (as a
reader sees it: lines joined by newlines, emoji kept), views (the shown value, e.g. 1.2K = 1200),
media (photo|video|document|voice|poll|""), forwarded_from, author (the signature, else the
channel title), edited, lang, kind (menu|courier|job|chat|notice), recruitment.
"""

from __future__ import annotations

import base64
import hashlib
import html
import random
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["PAGE_SIZE", "ChannelMessage", "ChannelServer", "ChannelSite", "generate_channels",
           "onion_v3"]

PAGE_SIZE = 20

_MENU = {
    "nl": ["🍁 {w} {g}g — €{p}", "❄️ Coke {g}g nu €{p} 🔥", "💊 XTC pillen {n} stuks €{p}",
           "🍄 Truffels {g}g = €{p}"],
    "en": ["🍁 {w} {g}g for £{p}", "❄️ Peruvian flake {g}g — ${p}", "💊 MDMA caps x{n} ${p}"],
    "fr": ["🍁 Beuh {w} {g}g à {p}€", "❄️ CC {g}g {p}€ 🚀", "💊 Ecsta x{n} pour {p}€"],
    "es": ["🍁 Hierba {w} {g}g por {p}€", "❄️ Farlopa {g}g {p}€ 💯", "💊 Pastis x{n} {p}€"],
}
_HEAD = {"nl": "📋 MENU van vandaag", "en": "📋 Today's MENU", "fr": "📋 CARTE du jour",
         "es": "📋 CARTA de hoy"}
_COURIER = {
    "nl": "🚗 Koeriers gezocht in {city}! €{p} per dag, eigen auto. DM {h}",
    "en": "🚚 Drivers wanted {city} area, £{p}/day cash, no questions. Message {h}",
    "fr": "🛵 On recrute des livreurs sur {city}, {p}€/jour, discrétion. Contact {h}",
    "es": "🛵 Buscamos repartidores en {city}, {p}€ al día, pago diario. Escribe a {h}",
}
_JOB = {
    "nl": "💰 Snel geld verdienen? Klusje in de haven van {city}, 18+, {p} euro. Stuur een berichtje naar {h}",
    "en": "💸 Easy money for young people in {city}: hold a package, earn {p}. Ask {h}",
    "fr": "💶 Job facile pour jeunes motivés à {city}: guetteur, {p}€ la semaine. Écris à {h}",
    "es": "💶 Trabajo fácil para chavales en {city}: vigilar la calle, {p}€ por semana. Contacta {h}",
}
_CHAT = {
    "nl": ["Vandaag geen levering in {city} door controles 🚔", "Bedankt voor de reviews 🙏 tot morgen"],
    "en": ["Restock coming Friday, stay tuned 👀", "Closed Sunday, orders open Monday"],
    "fr": ["Pas de livraison ce soir sur {city}, désolé 🙏", "Nouveau stock demain 🔥"],
    "es": ["Hoy no hay entregas en {city} 🚫", "Gracias por la confianza, volvemos el lunes"],
}
_STRAINS = ["Amnesia Haze", "Gelato", "Lemon Kush", "White Widow", "Critical"]
_CITIES = {"nl": ["Rotterdam", "Antwerpen", "Utrecht"], "en": ["London", "Brussels"],
           "fr": ["Liège", "Lille", "Charleroi"], "es": ["Madrid", "Valencia", "Málaga"]}
_MEDIA = ["photo", "video", "document", "voice", "poll"]


def onion_v3(seed: bytes) -> str:
    """A valid v3 onion host (checksum holds) derived from `seed` (not a real service)."""
    pubkey = hashlib.sha256(seed).digest()
    checksum = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + checksum + b"\x03").decode().lower() + ".onion"


def _views_shown(views: int) -> str:
    if views < 1000:
        return str(views)
    if views < 1_000_000:
        return f"{views / 1000:.1f}K".replace(".0K", "K")
    return f"{views / 1_000_000:.1f}M".replace(".0M", "M")


def views_value(shown: str) -> int:
    """The number a shown view count stands for: `1.2K` is 1200."""
    shown = shown.strip().upper()
    scale = {"K": 1000, "M": 1_000_000}.get(shown[-1:], 1)
    number = shown[:-1] if scale > 1 else shown
    return round(float(number) * scale)


@dataclass(frozen=True)
class ChannelMessage:
    channel: str
    id: int
    posted_at: str
    text: str
    views: int
    media: str = ""
    forwarded_from: str = ""
    signature: str = ""
    edited: bool = False
    lang: str = ""
    kind: str = "chat"
    recruitment: bool = False
    service: bool = False


class ChannelSite:
    """One channel: its messages (by id) and the preview pages rendered from them."""

    def __init__(self, name: str, title: str, messages: list[ChannelMessage]):
        self.name = name
        self.title = title
        self._lock = threading.Lock()
        self._messages = {m.id: m for m in messages}

    # --- changes while served ------------------------------------------------------------------
    def post(self, text: str, *, lang: str = "", kind: str = "chat", recruitment: bool = False,
             when: datetime | None = None, views: int = 1) -> ChannelMessage:
        with self._lock:
            next_id = max(self._messages, default=0) + 1
            last = max(self._messages.values(), key=lambda m: m.id, default=None)
            at = when or ((datetime.fromisoformat(last.posted_at) + timedelta(minutes=7))
                          if last else datetime(2031, 1, 1, tzinfo=UTC))
            msg = ChannelMessage(self.name, next_id, at.isoformat(), text, views, lang=lang, kind=kind,
                                 recruitment=recruitment)
            self._messages[next_id] = msg
            return msg

    def edit(self, message_id: int, text: str) -> None:
        with self._lock:
            self._messages[message_id] = replace(self._messages[message_id], text=text, edited=True)

    def delete(self, message_id: int) -> None:
        with self._lock:
            del self._messages[message_id]

    # --- reading -------------------------------------------------------------------------------
    def messages(self) -> list[ChannelMessage]:
        with self._lock:
            return [self._messages[i] for i in sorted(self._messages)]

    def truth(self) -> list[dict[str, Any]]:
        """Every visible (non-service) message as a reader sees it; see the module docstring."""
        out = []
        for m in self.messages():
            if m.service:
                continue
            row = asdict(m)
            row.pop("service")
            row["author"] = row.pop("signature") or self.title
            row["views"] = views_value(_views_shown(m.views))
            out.append(row)
        return out

    def page(self, before: int | None = None) -> str:
        """The preview page: the `PAGE_SIZE` newest messages with an id below `before`."""
        shown = [m for m in self.messages() if before is None or m.id < before][-PAGE_SIZE:]
        blocks = "\n".join(self._block(m) for m in shown)
        more = prev = ""
        if shown and shown[0].id > min(m.id for m in self.messages()):
            href = f"/s/{self.name}?before={shown[0].id}"
            more = (f'<a class="tme_messages_more js-messages_more" data-before="{shown[0].id}" '
                    f'href="{href}"></a>')
            prev = f'<link rel="prev" href="{href}">'
        return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(self.title)} '
                f'– Telegram</title>{prev}<meta property="og:title" content="{html.escape(self.title)}">'
                '</head><body class="widget_frame_base tgme_webpreview">'
                '<header class="tgme_header"><div class="tgme_channel_info_header_title">'
                f'<span dir="auto">{html.escape(self.title)}</span></div>'
                f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{self.name}">'
                f'@{self.name}</a></div></header><main class="tgme_main"><section '
                f'class="tgme_channel_history js-message_history">{more}\n{blocks}\n</section></main>'
                '</body></html>')

    def _text_html(self, text: str) -> str:
        out = []
        for line in text.split("\n"):
            escaped = html.escape(line)
            for ch in {c for c in line if ord(c) > 0x2500}:
                code = format(ord(ch), "x")
                escaped = escaped.replace(ch, f'<i class="emoji" style="background-image:url(\'//tel'
                                          f'egram.org/img/emoji/40/{code}.png\')"><b>{ch}</b></i>')
            out.append(escaped)
        return "<br/>".join(out)

    def _block(self, m: ChannelMessage) -> str:
        post = f"{self.name}/{m.id}"
        if m.service:
            return (f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget'
                    f'_message service_message js-widget_message" data-post="{post}"><div class="tgme_'
                    f'widget_message_service_date">{html.escape(m.text)}</div></div></div>')
        parts = [f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_'
                 f'widget_message text_not_supported_wrap js-widget_message" data-post="{post}" '
                 f'data-view="{hashlib.md5(post.encode()).hexdigest()[:16]}">',
                 '<div class="tgme_widget_message_bubble">',
                 f'<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_'
                 f'owner_name" href="https://t.me/{self.name}"><span dir="auto">'
                 f'{html.escape(self.title)}</span></a></div>']
        if m.forwarded_from:
            parts.append('<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
                         f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/'
                         f'{m.forwarded_from}"><span dir="auto">{html.escape(m.forwarded_from)}</span>'
                         '</a></div>')
        media = {"photo": '<a class="tgme_widget_message_photo_wrap" style="width:800px;background-image:'
                          'url(\'https://cdn4.telegram-cdn.org/file/x.jpg\')"></a>',
                 "video": '<a class="tgme_widget_message_video_player"><video class="tgme_widget_message'
                          '_video" src=""></video><time class="message_video_duration">0:14</time></a>',
                 "document": '<div class="tgme_widget_message_document"><div class="tgme_widget_message_'
                             'document_title">prijslijst.pdf</div></div>',
                 "voice": '<a class="tgme_widget_message_voice_player"><audio class="tgme_widget_message_'
                          'voice" src=""></audio><time class="tgme_widget_message_voice_duration">0:21'
                          '</time></a>',
                 "poll": '<div class="tgme_widget_message_poll"><div class="tgme_widget_message_poll_'
                         'question">Welke smaak volgende week?</div></div>'}.get(m.media, "")
        parts.append(media)
        if m.text:
            parts.append(f'<div class="tgme_widget_message_text js-message_text" dir="auto">'
                         f'{self._text_html(m.text)}</div>')
        edited = '<span class="tgme_widget_message_edited">edited</span> ' if m.edited else ""
        sign = (f'<span class="tgme_widget_message_from_author" dir="auto">{html.escape(m.signature)}'
                '</span>, ') if m.signature else ""
        time_shown = datetime.fromisoformat(m.posted_at).strftime("%H:%M")
        parts.append('<div class="tgme_widget_message_footer compact js-message_footer"><div class='
                     '"tgme_widget_message_info short js-message_info">'
                     f'<span class="tgme_widget_message_views">{_views_shown(m.views)}</span>'
                     '<span class="copyonly"> views</span>'
                     f'{sign}<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_'
                     f'message_date" href="https://t.me/{post}"><time datetime="{m.posted_at}" '
                     f'class="time">{time_shown}</time></a></span></div></div>')
        parts.append("</div></div></div>")
        return "".join(parts)


def _message_texts(rng: random.Random, lang: str, handle: str, onion: str) -> list[tuple[str, str, bool]]:
    """(text, kind, recruitment) of one channel's messages in `lang`."""
    out: list[tuple[str, str, bool]] = []
    city = rng.choice(_CITIES[lang])
    for _ in range(6):
        lines = [_HEAD[lang]] + [t.format(w=rng.choice(_STRAINS), g=rng.choice([1, 5, 10, 25]),
                                          p=rng.choice([35, 45, 60, 90, 250]), n=rng.choice([5, 10, 50]))
                                 for t in rng.sample(_MENU[lang], k=min(3, len(_MENU[lang])))]
        out.append(("\n".join(lines), "menu", False))
    for _ in range(3):
        out.append((_COURIER[lang].format(city=city, p=rng.choice([300, 500, 800]), h=handle), "courier", True))
        out.append((_JOB[lang].format(city=city, p=rng.choice([150, 200, 500]), h=handle), "job", True))
    for _ in range(4):
        out.append((rng.choice(_CHAT[lang]).format(city=city), "chat", False))
    notice = {"nl": "Nieuwe shop, zelfde team: {o}", "en": "Our market mirror: http://{o}/",
              "fr": "Notre boutique: {o}", "es": "Nuestra tienda: {o}"}[lang]
    out.append((notice.format(o=onion), "notice", False))
    rng.shuffle(out)
    return out


def generate_channels(seed: int = 7) -> dict[str, ChannelSite]:
    """Two channels: `noordzee_menu` (nl/en) and `mercado_canal` (es/fr), 34 messages each."""
    rng = random.Random(seed)
    specs = [("noordzee_menu", "Noordzee Menu 🇳🇱", ["nl", "en"], "@noordzee_bezorg"),
             ("mercado_canal", "Mercado Canal 🇪🇸🇫🇷", ["es", "fr"], "@mercado_reparto")]
    channels = {}
    for name, title, langs, handle in specs:
        onion = onion_v3(f"{seed}:{name}".encode())
        texts = [(t, lang, kind, rec) for lang in langs
                 for t, kind, rec in _message_texts(rng, lang, handle, onion)]
        rng.shuffle(texts)
        at = datetime(2031, 1, 5, 8, 0, tzinfo=UTC)
        messages: list[ChannelMessage] = []
        next_id = 100
        for index, (text, lang, kind, rec) in enumerate(texts):
            at += timedelta(minutes=rng.randint(20, 600))
            next_id += 1 if index % 9 else 2  # a gap: a message deleted before we ever looked
            media = _MEDIA[index % len(_MEDIA)] if index % 4 == 0 else ""
            messages.append(ChannelMessage(
                name, next_id, at.isoformat(), text if index % 13 != 5 else "", rng.randint(40, 25000),
                media=media or ("photo" if index % 13 == 5 else ""),
                forwarded_from="plug_central" if index % 11 == 3 else "",
                signature="Dispatcher" if kind == "courier" else "", edited=index % 10 == 7,
                lang=lang if text and index % 13 != 5 else "", kind=kind if index % 13 != 5 else "media",
                recruitment=rec and index % 13 != 5))
            if index == 12:
                next_id += 1
                messages.append(ChannelMessage(name, next_id, at.isoformat(), "Channel photo updated",
                                               0, service=True))
        channels[name] = ChannelSite(name, title, messages)
    return channels


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: ChannelServer

    def do_GET(self) -> None:
        self.server.record(self.path)
        parts = urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        site = self.server.channels.get(segments[1]) if len(segments) == 2 and segments[0] == "s" else None
        if site is None:
            body, status = b"<html><body>Not found</body></html>", 404
        else:
            before = parse_qs(parts.query).get("before", [""])[0]
            body = site.page(int(before) if before.isdigit() else None).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ChannelServer(ThreadingHTTPServer):
    """Serves `/s/<channel>` for each channel on 127.0.0.1; `hits` lists requested paths."""

    daemon_threads = True

    def __init__(self, channels: dict[str, ChannelSite], host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.channels = channels
        self.hits: list[str] = []
        self._hits_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, path: str) -> None:
        with self._hits_lock:
            self.hits.append(path)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self.serve_forever, name="demochannel", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ChannelServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
