"""Machinery for hostile pages: a streamed page of exact size, invalid bytes, calendars."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ._html import HTML, Reply

__all__ = ["BAD", "BIG_PAGE_BYTES", "big_page", "month_step", "with_bad_bytes"]

BIG_PAGE_BYTES = 20 * 1024 * 1024  # 20 MiB, exact Content-Length
BAD = "\x00BAD\x00"  # marker in template text, replaced by invalid UTF-8 byte sequences
_BAD_BYTES = (b"\xff\xfe", b"\xc3\x28", b"\xe2\x82", b"\x80", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80")


def with_bad_bytes(text: str) -> bytes:
    """Encode ``text`` as UTF-8, replacing each :data:`BAD` marker by an invalid sequence."""
    parts = text.split(BAD)
    out = bytearray(parts[0].encode("utf-8"))
    for i, part in enumerate(parts[1:]):
        out += _BAD_BYTES[i % len(_BAD_BYTES)]
        out += part.encode("utf-8")
    return bytes(out)


def big_page(head: str, rows: list[str], foot: str, size: int = BIG_PAGE_BYTES) -> Reply:
    """A reply of exactly ``size`` bytes, streamed in ~64 KiB chunks.

    The body is ``head``, then ``rows`` repeated, then an HTML comment as padding, then
    ``foot``; nothing of ``size`` is ever built in memory.
    """
    head_b, foot_b = head.encode(), foot.encode()
    chunk = bytearray()
    while len(chunk) < 64 * 1024:
        for row in rows:
            chunk += row.encode()
    block = bytes(chunk)
    room = size - len(head_b) - len(foot_b)
    count = room // len(block)
    rest = room - count * len(block)
    if rest < 8 and count:
        count -= 1
        rest += len(block)
    pad = b"<!--" + b" " * (rest - 7) + b"-->"
    if rest < 8 or len(pad) != rest:
        raise ValueError("page size too small for its head and foot")

    def chunks() -> Iterator[bytes]:
        yield head_b
        for _ in range(count):
            yield block
        yield pad
        yield foot_b

    return Reply(status=200, content_type=HTML, stream=chunks, length=size)


def month_step(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by ``delta`` months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def calendar_route(
    render: Callable[[int, int], str], max_year: int = 999_999
) -> Callable[[int, int], Reply | None]:
    """Wrap a month renderer: months 1-12 and years 1..max_year exist, forever linked."""

    def handler(year: int, month: int) -> Reply | None:
        if not (1 <= month <= 12 and 1 <= year <= max_year):
            return None
        return Reply(status=200, content_type=HTML, body=render(year, month).encode())

    return handler
