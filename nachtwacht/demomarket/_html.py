"""Small HTML helpers shared by the site templates, and the reply record the server sends."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["HTML", "Reply", "esc", "html_reply", "redirect", "text_reply"]

HTML = "text/html; charset=utf-8"


def esc(text: object) -> str:
    """HTML-escape any value (quotes too: values go into attributes)."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the server sends for one request.

    Either ``body`` (bytes) or ``stream`` (a factory of chunk iterables) with ``length``
    set to the exact total, so Content-Length is always known up front.
    """

    status: int
    content_type: str = HTML
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int = -1

    @property
    def content_length(self) -> int:
        return self.length if self.stream is not None else len(self.body)


def html_reply(body: bytes | str, status: int = 200) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(status=status, body=data)


def text_reply(body: str, content_type: str, status: int = 200) -> Reply:
    return Reply(status=status, content_type=content_type, body=body.encode("utf-8"))


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect with a root-relative Location and a tiny HTML body."""
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{status}</title></head>'
        f'<body><p>Redirecting to <a href="{esc(location)}">{esc(location)}</a></p></body></html>'
    )
    return Reply(status=status, body=body.encode(), headers=(("Location", location),))


def _png_pixel(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1x1 PNG (product photos and captchas are placeholders)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00" + bytes(rgb), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


PIXEL_PNG = _png_pixel((128, 128, 128))


def image_reply() -> Reply:
    return Reply(status=200, content_type="image/png", body=PIXEL_PNG)
