"""Entities in text: wallets, PGP keys, onions, e-mails and contact handles, validated.

Every finder returns model objects with the span (character offsets into the text it was
given) and the rule that found them. Nothing here raises on any string.
"""

from __future__ import annotations

import re

from extractors._keys import ARMOR_RE, onion_v3_valid, pgp_fingerprint
from extractors._wallets import is_wif, validate_address
from extractors.model import Contact, Entities, Mention, PgpKey, Wallet

__all__ = [
    "find_contacts",
    "find_emails",
    "find_entities",
    "find_onions",
    "find_pgp_keys",
    "find_wallets",
]

_ETH_RE = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z])")
_SEGWIT_RE = re.compile(r"(?<![0-9A-Za-z])(?i:bc|tb|bcrt|ltc|tltc|rltc)1[0-9A-Za-z]{6,87}(?![0-9A-Za-z])")
_B58_RE = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{25,106}(?![0-9A-Za-z])")
# shapes that look enough like an address to be reported as invalid when the checksum fails
_LOOKS_B58 = re.compile(r"[13mn2LMDT][1-9A-HJ-NP-Za-km-z]{25,34}|[4-9AB][1-9A-HJ-NP-Za-km-z]{94}([1-9A-HJ-NP-Za-km-z]{11})?")
_ONION_RE = re.compile(r"(?<![a-z2-7])([a-z2-7]{56})\.onion(?![a-z0-9-])", re.IGNORECASE)
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24})(?![\w-])"
)
_FINGERPRINT_RE = re.compile(
    r"(?i:fingerprint|fpr|key\s*id)\s*[:=]?\s*((?:[0-9A-Fa-f]{4}\s?){9}[0-9A-Fa-f]{4})(?![0-9A-Fa-f])"
)
_MAX_ENTITIES = 500  # per kind and document: a page listing more is noise or an attack
# the four non-ASCII letters re.IGNORECASE matches to ASCII letters (re docs); casefold() misses two
_FOLD_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


def _folded(text: str) -> str | None:
    """``text.casefold()`` for the word pre-tests; ``None`` when it holds a letter that the
    regexes' IGNORECASE would match to an ASCII letter but casefold() does not fold to it."""
    return None if any(ch in text for ch in _FOLD_ODD) else text.casefold()


def _may_match(folded: str | None, words: tuple[str, ...]) -> bool:
    """False only when none of ``words`` is in the case-folded text (``None``: cannot tell)."""
    return folded is None or any(w in folded for w in words)


# the case-folded words each regex needs somewhere in the text (a cheap test before the regex)
_WALLET_WORDS = {"eth": ("0x",), "segwit": ("bc1", "tb1", "bcrt1", "ltc1"), "base58": ()}


def find_wallets(text: str) -> tuple[Wallet, ...]:
    """Candidate addresses validated by checksum; failed look-alikes kept with ``valid=False``."""
    found: dict[str, Wallet] = {}
    folded = _folded(text)
    for regex, rule in ((_ETH_RE, "eth"), (_SEGWIT_RE, "segwit"), (_B58_RE, "base58")):
        words = _WALLET_WORDS[rule]
        if words and not _may_match(folded, words):
            continue
        for m in regex.finditer(text):
            addr = m.group(0)
            if addr in found:
                continue
            info = validate_address(addr)
            if info is not None:
                found[addr] = Wallet(info.chain, addr, True, m.start(), m.end(), f"{rule}:{info.network}:{info.kind}")
            elif rule == "base58" and is_wif(addr):
                found[addr] = Wallet("btc", addr, False, m.start(), m.end(), "base58:wif_private_key")
            elif rule != "base58" or _LOOKS_B58.fullmatch(addr):
                chain = {"eth": "eth", "segwit": "btc"}.get(rule) or _guess_chain(addr)
                found[addr] = Wallet(chain, addr, False, m.start(), m.end(), f"{rule}:checksum_failed")
            if len(found) >= _MAX_ENTITIES:
                break
    return tuple(sorted(found.values(), key=lambda w: w.start))


def _guess_chain(addr: str) -> str:
    if len(addr) >= 95:
        return "xmr"
    return {"L": "ltc", "M": "ltc", "D": "doge", "T": "trx"}.get(addr[0], "btc")


def find_onions(text: str) -> tuple[Mention, ...]:
    """v3 onion hosts whose checksum holds, lower-cased, first occurrence each."""
    seen: dict[str, Mention] = {}
    if not _may_match(_folded(text), (".onion",)):
        return ()
    for m in _ONION_RE.finditer(text):
        host = m.group(0).lower()
        if host not in seen and onion_v3_valid(m.group(1)):
            seen[host] = Mention(host, m.start(), m.end(), "onion_v3_checksum")
        if len(seen) >= _MAX_ENTITIES:
            break
    return tuple(seen.values())


_JABBER_LABEL = re.compile(r"(?i:jabber|xmpp|jid|omemo)\W{0,4}(?:\w+\W{1,3}){0,2}$")
_JABBER_DOMAIN = re.compile(r"(?i)(?:xmpp|jabber|jabb|xmpp\.is|dismail|404\.city|exploit\.im|thesecure\.biz|creep\.im|yax\.im)")


def _is_jabber(text: str, start: int, address: str) -> bool:
    before = text[max(0, start - 40) : start]
    return bool(_JABBER_LABEL.search(before)) or bool(_JABBER_DOMAIN.search(address.split("@", 1)[1]))


def find_emails(text: str) -> tuple[Mention, ...]:
    """E-mail addresses that are not Jabber IDs (those are contacts of kind ``jabber``)."""
    seen: dict[str, Mention] = {}
    for m in _EMAIL_RE.finditer(text) if "@" in text else ():
        addr = m.group(1).rstrip(".").lower()
        if addr in seen or _is_jabber(text, m.start(), addr):
            continue
        seen[addr] = Mention(addr, m.start(1), m.start(1) + len(addr), "email_regex")
        if len(seen) >= _MAX_ENTITIES:
            break
    return tuple(seen.values())


_HANDLE = r"@?([A-Za-z0-9][A-Za-z0-9_.-]{2,40}[A-Za-z0-9_])"
# (kind, regex, label words): the regex can only match where one of its (case-folded) label words is
_CONTACT_RULES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("telegram", re.compile(r"(?i:t\.me|telegram\.me)/" + r"([A-Za-z0-9_]{4,32})"), ("t.me", "telegram.me")),
    ("telegram", re.compile(r"(?i:telegram|tg|telegramm)\s*(?:id|:|-|=)?\s*(?::\s*)?" + r"@([A-Za-z0-9_]{4,32})"),
     ("telegram", "tg")),
    ("telegram", re.compile(r"(?i:telegram|telegramm)\s*(?:id)?\s*[:=-]\s*" + r"([A-Za-z][A-Za-z0-9_]{3,31})\b"),
     ("telegram",)),
    ("wickr", re.compile(r"(?i:wickr(?:\s*me)?|wickr\s*id)\s*(?:id)?\s*[:=-]\s*" + _HANDLE), ("wickr",)),
    ("session", re.compile(r"(?i:session)(?:\s*id)?\s*[:=-]?\s*(05[0-9a-fA-F]{64})\b"), ("session",)),
    ("threema", re.compile(r"(?i:threema)(?:\s*id)?\s*[:=-]?\s*([A-Z0-9*][A-Z0-9]{7})\b"), ("threema",)),
    ("signal", re.compile(r"(?i:signal)(?:\s*(?:id|nr|number|nummer|numéro))?\s*[:=-]\s*(\+?\d[\d\s().-]{6,18}\d)"),
     ("signal",)),
    ("signal", re.compile(r"(?i:signal)(?:\s*(?:id|username|user))?\s*[:=-]\s*@?([A-Za-z][A-Za-z0-9_]{2,31}\.\d{2,9})\b"),
     ("signal",)),
    ("phone", re.compile(r"(?i:tel|phone|téléphone|telefoon|teléfono|gsm|whatsapp|mobile|móvil)\.?\s*[:=-]?\s*"
                         r"(\+\d[\d\s().-]{7,18}\d)"),
     ("tel", "phone", "téléphone", "telefoon", "teléfono", "gsm", "whatsapp", "mobile", "móvil")),
)


def find_contacts(text: str) -> tuple[Contact, ...]:
    """Messenger handles and phone numbers introduced by their label; Jabber IDs by label or domain."""
    out: dict[tuple[str, str], Contact] = {}
    folded = _folded(text)
    for kind, regex, words in _CONTACT_RULES:
        if not _may_match(folded, words):
            continue
        for m in regex.finditer(text):
            value = m.group(1).strip()
            key = (kind, value.lower())
            if key not in out:
                out[key] = Contact(kind, value, m.start(1), m.end(1), f"{kind}_label")
    for m in _EMAIL_RE.finditer(text) if "@" in text else ():
        addr = m.group(1).rstrip(".")
        if _is_jabber(text, m.start(), addr) and ("jabber", addr.lower()) not in out:
            out[("jabber", addr.lower())] = Contact("jabber", addr, m.start(1), m.start(1) + len(addr), "jabber_id")
    return tuple(sorted(out.values(), key=lambda c: c.start)[:_MAX_ENTITIES])


def find_pgp_keys(text: str) -> tuple[PgpKey, ...]:
    """Armored public key blocks (fingerprint computed) and bare labelled fingerprints."""
    keys: dict[str, PgpKey] = {}
    for i, m in enumerate(ARMOR_RE.finditer(text)):
        fpr = pgp_fingerprint(m.group(1)) or ""
        rule = "pgp_armored_parsed" if fpr else "pgp_armored_unparsed"
        keys.setdefault(fpr or f"unparsed-{i}", PgpKey(fpr, True, m.start(), m.end(), rule))
        if i >= 20:
            break
    for m in _FINGERPRINT_RE.finditer(text) if _may_match(_folded(text), ("fingerprint", "fpr", "key")) else ():
        fpr = re.sub(r"\s", "", m.group(1)).upper()
        if fpr not in keys:
            keys[fpr] = PgpKey(fpr, False, m.start(1), m.end(1), "pgp_fingerprint_label")
    return tuple(keys.values())


def find_entities(text: str) -> Entities:
    """All entity kinds of one text."""
    return Entities(
        wallets=find_wallets(text),
        pgp_keys=find_pgp_keys(text),
        onions=find_onions(text),
        emails=find_emails(text),
        contacts=find_contacts(text),
    )
