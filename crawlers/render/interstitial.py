"""Anti-bot interstitials: queue / "please wait" / challenge pages and login walls.

`detect_interstitial` looks at one response (status, headers, HTML) and names what it is;
`InterstitialMiddleware` waits and retries queue pages within limits and turns what is left into
a failed request (`InterstitialBlocked`, `LoginWall`), so an interstitial is never indexed as if
it were the page. The raw response is still in the WARC evidence (it was fetched).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["Interstitial", "InterstitialBlocked", "InterstitialMiddleware", "LoginWall",
           "detect_interstitial"]

logger = logging.getLogger(__name__)

SHORT_PAGE = 1500  # characters of visible text: longer pages are content, whatever they say
# Each alternation starts with a lookahead on the first letters of its alternatives (same flags,
# so same case variants): a position that cannot start any of them is skipped at once (2x faster).
_QUEUE = re.compile(
    r"(?=[pyqwjcdavef])(?:please wait|you are (?:now )?in (?:the )?(?:queue|line)|queue position|position in (?:the )?queue"
    r"|waiting room|just a moment|checking your browser|ddos[- ]?(?:protection|guard)|anti-?ddos"
    r"|verifying (?:that )?you are (?:a )?human|endgame|wachtrij|even geduld"
    r"|veuillez patienter|file d'attente|por favor,? espere|cola de espera)",
    re.IGNORECASE)
_CHALLENGE = re.compile(r"(?=[csip])(?:captcha|solve the (?:puzzle|challenge)|i am not a robot"
                        r"|prove you are human)", re.IGNORECASE)
# Lower-case pieces at least one of which is in any text `_QUEUE` / `_CHALLENGE` can match: a short
# page containing none of them (nearly all) is not searched at all, 3x faster than the regexes alone.
_QUEUE_HINTS = ("please wait", "you are ", "queue", "waiting room", "just a moment", "checking your browser",
                "ddos", "verifying", "endgame", "wachtrij", "even geduld", "veuillez patienter",
                "file d'attente", "espere", "cola de espera")
_CHALLENGE_HINTS = ("captcha", "solve the ", "i am not a robot", "prove you are human")
_LOGIN_WORDS = re.compile(r"\b(?:log ?in|sign ?in|inloggen|aanmelden|connexion|se connecter"
                          r"|iniciar sesi[oó]n|acceder|members only|register to (?:view|see))\b",
                          re.IGNORECASE)
_LOGIN_PATH = re.compile(r"/(?:login|log-in|signin|sign-in|auth|account/login|connexion|inloggen)\b",
                         re.IGNORECASE)
_PASSWORD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_REFRESH = re.compile(rb"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[^>]*content\s*=\s*[\"']?\s*(\d+)",
                      re.IGNORECASE)
_SCRIPT = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"<[^>]+>")


@dataclass(frozen=True)
class Interstitial:
    """What stands between the crawler and the page: `kind` is queue, challenge or login."""

    kind: str
    reason: str
    retry_after: float = 0.0


def visible_text(body: bytes) -> str:
    text = _TAG.sub(b" ", _SCRIPT.sub(b" ", body))
    return " ".join(text.decode("utf-8", errors="replace").split())


def _folded(text: str) -> str:
    """`text` with every character `re.IGNORECASE` equates with an ASCII letter mapped onto that letter.

    casefold() covers A-Z, the long s and the Kelvin sign; the dotless i and the dot left by the
    folding of a dotted capital I are mapped by hand (the `re` module matches both as "i").
    """
    return text.casefold().replace("\u0131", "i").replace("\u0307", "")


def _search(pattern: re.Pattern[str], hints: tuple[str, ...], text: str, folded: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when none of `hints` is in `folded` (then it cannot match)."""
    if not any(hint in folded for hint in hints):
        return None
    return pattern.search(text)


def detect_interstitial(status: int, body: bytes, *, url: str = "", requested_url: str = "",
                        retry_after: str | None = None) -> Interstitial | None:
    """Name the interstitial this response is, or None for a real page."""
    text = visible_text(body[:200_000])
    short = len(text) < SHORT_PAGE
    wait = _seconds(retry_after)
    # a meta refresh only matters on a short page or a 429/503 (never on a long 200: skip the scan)
    refresh = _REFRESH.search(body[:20_000]) if short or status in (429, 503) else None
    if refresh:
        wait = wait or float(refresh.group(1))
    if status in (429, 503) and (short or retry_after):
        return Interstitial("queue", f"HTTP {status}", wait)
    folded = _folded(text) if short else ""
    if short and _search(_CHALLENGE, _CHALLENGE_HINTS, text, folded):
        return Interstitial("challenge", "captcha or challenge page", wait)
    if short and (match := _search(_QUEUE, _QUEUE_HINTS, text, folded)):
        return Interstitial("queue", f"queue page ({match.group(0).lower()})", wait)
    if short and refresh and len(text) < 300:
        return Interstitial("queue", "short page that refreshes itself", wait)
    moved_to_login = bool(url and requested_url and url != requested_url and _LOGIN_PATH.search(url)
                          and not _LOGIN_PATH.search(requested_url))
    if status in (401, 403) or moved_to_login or (
            short and _PASSWORD.search(body[:200_000]) and _LOGIN_WORDS.search(text)
            and not (requested_url and _LOGIN_PATH.search(requested_url))):
        return Interstitial("login", f"login wall (HTTP {status})", 0.0)
    return None


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


class InterstitialBlocked(IgnoreRequest):
    """A queue or challenge page did not clear within the retry limit: left pending, not indexed."""


class LoginWall(IgnoreRequest):
    """The page needs a session the crawl does not have (import one with `nachtwacht session`)."""


class InterstitialMiddleware:
    """Order 560 (sees decoded bodies). Settings: NACHTWACHT_INTERSTITIAL_RETRIES (count),
    NACHTWACHT_INTERSTITIAL_WAIT (s, default wait), NACHTWACHT_INTERSTITIAL_MAX_WAIT (s, cap)."""

    def __init__(self, crawler: Crawler, *, retries: int, wait: float, max_wait: float):
        self.crawler = crawler
        self.retries = retries
        self.wait = wait
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InterstitialMiddleware:
        s = crawler.settings
        return cls(crawler, retries=s.getint("NACHTWACHT_INTERSTITIAL_RETRIES", 3),
                   wait=s.getfloat("NACHTWACHT_INTERSTITIAL_WAIT", 5.0),
                   max_wait=s.getfloat("NACHTWACHT_INTERSTITIAL_MAX_WAIT", 60.0))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        retry_after = response.headers.get(b"Retry-After")
        found = detect_interstitial(
            response.status, response.body, url=response.url,
            requested_url=request.meta.get("frontier_url", request.url),
            retry_after=retry_after.decode("latin-1") if retry_after else None)
        if found is None:
            return response
        stats = self.crawler.stats
        stats.inc_value(f"interstitial/{found.kind}")
        tries = int(request.meta.get("interstitial_tries", 0))
        if found.kind == "login":
            raise LoginWall(f"{request.url}: {found.reason}")
        if tries >= self.retries:
            stats.inc_value("interstitial/blocked")
            raise InterstitialBlocked(f"{request.url}: {found.reason}, still there after {tries} retries")
        delay = min(found.retry_after or self.wait, self.max_wait)
        logger.info("%s: %s; retry %d/%d in %.1fs", request.url, found.reason, tries + 1, self.retries, delay)
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["interstitial_tries"] = tries + 1
        retry.meta.pop("nachtwacht_render", None)
        stats.inc_value("interstitial/retries")
        return retry
