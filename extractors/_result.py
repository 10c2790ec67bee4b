"""The result of one extraction: a plain, picklable record of what was found in a page or text.

Kept apart from the extraction code so that a process receiving results from extraction workers
(the crawl process) unpickles them without loading spaCy, the lexicons or the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.model import (
    Entities,
    HubMention,
    Listing,
    Post,
    Product,
    Recruitment,
    _plain,
    picklable_by_fields,
)

__all__ = ["Extraction"]


@picklable_by_fields
@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one page or text record; ``to_dict`` is the scorer's JSON shape."""

    source: str
    lang: str
    page_type: str
    listings: tuple[Listing, ...] = ()
    posts: tuple[Post, ...] = ()
    products: tuple[Product, ...] = ()
    entities: Entities = field(default_factory=Entities)
    recruitment: Recruitment | None = None
    links: tuple[str, ...] = ()
    url: str = ""
    site: str = ""
    notes: tuple[str, ...] = ()
    logistics: tuple[HubMention, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        rec = self.recruitment
        return {
            "source": self.source,
            "url": self.url,
            "site": self.site,
            "lang": self.lang,
            "page_type": self.page_type,
            "listings": [listing.to_dict() for listing in self.listings],
            "posts": [post.to_dict() for post in self.posts],
            "products": [_plain(p) for p in self.products],
            "entities": self.entities.to_dict(),
            "recruitment": (
                {"label": rec.label, "score": rec.score, "evidence": [m.value for m in rec.evidence],
                 "spans": [_plain(m) for m in rec.evidence], "rule": rec.rule}
                if rec else {"label": False, "score": 0.0, "evidence": []}
            ),
            "links": list(self.links),
            "notes": list(self.notes),
            "logistics": [_plain(m) for m in self.logistics],
        }
