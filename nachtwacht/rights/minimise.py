"""Data minimisation at extraction time: personal data of non-targets is pseudonymised before
anything is indexed (Scrapy item pipeline, order 400: after ExtractPipeline, before IndexPipeline).

Targets keep their clear values: listings and vendor profiles (the vendor is the subject), posts
flagged as recruitment (criminal context), and handles named in the policy's `targets`. For
every other forum post: the author (`post_authors`) and contacts of the configured kinds
(`contact_kinds`, e.g. phone numbers, e-mail addresses) become pseudonyms, in the fields and in
the text, so the clear value is not searchable while the same person still links across
documents. The raw capture stays intact in the evidence store (access-controlled).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawlers.items import CrawledPage
from nachtwacht.rights.policy import MinimisationPolicy, load_rights
from nachtwacht.rights.pseudonym import (
    Pseudonymiser,
    PseudonymVault,
    is_pseudonym,
    load_key,
    normalise,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["MinimisePipeline", "minimise_extraction"]

logger = logging.getLogger(__name__)


def _replace_all(text: str, mapping: dict[str, str]) -> str:
    """Replace each clear value (whole word, case-insensitive) by its pseudonym."""
    if not text or not mapping:
        return text
    values = sorted((v for v in mapping if v), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(v) for v in values) + r")(?!\w)", re.IGNORECASE)
    folded = {v.casefold(): p for v, p in mapping.items()}
    return pattern.sub(lambda m: folded.get(m.group(1).casefold(), m.group(1)), text)


_WORD = re.compile(r"\w[\w.-]*\w")
MIN_HANDLE_MENTION = 5  # normalised characters: shorter handles are ordinary words too often


def _replace_handles(text: str, known: dict[str, str]) -> str:
    """Replace mentions of handles pseudonymised so far, in any spelling (JanJanssens, jan_janssens)."""
    if not text or not known:
        return text

    def sub(match: re.Match[str]) -> str:
        norm = normalise("handle", match.group(0))
        return known.get(norm, match.group(0)) if len(norm) >= MIN_HANDLE_MENTION else match.group(0)

    return _WORD.sub(sub, text)


def _is_target(post: Any, targets: set[str]) -> bool:
    recruitment = post.recruitment
    if recruitment is not None and recruitment.label:
        return True
    return normalise("handle", post.author) in targets


def minimise_extraction(extraction: Any, pseudonymiser: Pseudonymiser, policy: MinimisationPolicy
                        ) -> tuple[Any, int]:
    """The extraction with non-targets' personal data in its posts pseudonymised; and how many
    values were replaced. Pure apart from the vault writes of `pseudonymiser`."""
    if not extraction.posts:
        return extraction, 0
    targets = {normalise("handle", t) for t in policy.targets}
    kinds = set(policy.contact_kinds)
    authors: dict[str, str] = {}
    if policy.post_authors:
        for post in extraction.posts:
            if post.author and not is_pseudonym(post.author) and not _is_target(post, targets):
                authors[post.author] = pseudonymiser.pseudonym("handle", post.author)
    replaced = 0
    posts = []
    for post in extraction.posts:
        if _is_target(post, targets):
            posts.append(post)
            continue
        mapping = dict(authors)
        ents = post.entities
        contacts = []
        for contact in ents.contacts:
            if contact.kind in kinds and not is_pseudonym(contact.value):
                alias = pseudonymiser.pseudonym(contact.kind, contact.value)
                mapping[contact.value] = alias
                contact = replace(contact, value=alias, rule=f"{contact.rule}+pseudonymised".lstrip("+"))
            contacts.append(contact)
        emails = []
        for mention in ents.emails:
            if "email" in kinds and not is_pseudonym(mention.value):
                alias = pseudonymiser.pseudonym("email", mention.value)
                mapping[mention.value] = alias
                mention = replace(mention, value=alias)
            emails.append(mention)
        known = pseudonymiser.known("handle")
        text = _replace_handles(_replace_all(post.text, mapping), known)
        title = _replace_handles(_replace_all(post.title, mapping), known)
        author = authors.get(post.author, post.author)
        changed = (author != post.author) + sum(1 for c, o in zip(contacts, ents.contacts, strict=True) if c != o) \
            + sum(1 for e, o in zip(emails, ents.emails, strict=True) if e != o)
        replaced += changed
        posts.append(replace(post, author=author, text=text, title=title,
                             entities=replace(ents, contacts=tuple(contacts), emails=tuple(emails))))
    return replace(extraction, posts=tuple(posts)), replaced


class MinimisePipeline:
    """Pseudonymise non-targets' personal data in each page's extraction (see module docstring).

    Enabled by `nachtwacht.rights.crawl_settings` (setting NACHTWACHT_MINIMISE_DATA: the data
    directory of the vault and the default key file); off when minimisation is disabled.
    """

    def __init__(self, crawler: Crawler, pseudonymiser: Pseudonymiser, policy: MinimisationPolicy):
        self.crawler = crawler
        self.pseudonymiser = pseudonymiser
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MinimisePipeline:
        data_dir = crawler.settings.get("NACHTWACHT_MINIMISE_DATA")
        if not data_dir:
            raise NotConfigured("NACHTWACHT_MINIMISE_DATA is not set")
        policy = load_rights().minimisation
        if not policy.enabled:
            raise NotConfigured("minimisation is disabled in config/rights.yaml")
        key = load_key(data_dir, policy)
        return cls(crawler, Pseudonymiser(key, PseudonymVault(data_dir)), policy)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CrawledPage) or item.extraction is None:
            return item
        item.extraction, replaced = minimise_extraction(item.extraction, self.pseudonymiser, self.policy)
        if replaced:
            self.crawler.stats.inc_value("minimise/pseudonymised", replaced)
        return item
