"""The alert event: what a detector raises, the store keeps, the workflow moves and the sinks send."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EVENT_TYPES", "STATUSES", "TRANSITIONS", "Event"]

EVENT_TYPES = ("new_vendor", "vendor_link", "new_listing", "price_change", "listing_gone", "market_down",
               "recruitment", "watchlist", "saved_search", "test")

#: Workflow: new -> acknowledged -> investigating -> closed | false_positive (reopen goes back).
STATUSES = ("new", "acknowledged", "investigating", "closed", "false_positive")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "investigating", "closed", "false_positive"),
    "acknowledged": ("investigating", "closed", "false_positive"),
    "investigating": ("acknowledged", "closed", "false_positive"),
    "closed": ("investigating",),
    "false_positive": ("investigating",),
}


@dataclass
class Event:
    """One alert. `entity` is what deduplication keys on, with the rule (e.g. "demo-x:vendor")."""

    rule: str
    type: str
    severity: str
    entity: str
    title: str
    site: str = ""
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    doc_ids: list[str] = field(default_factory=list)
    retro: bool = False
    id: int | None = None
    status: str = "new"
    assignee: str = ""
    created_at: str = ""
    updated_at: str = ""
    last_seen: str = ""
    count: int = 1
    delivery: str = "pending"  # pending | delivered | partial | failed | rate_limited | none

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
