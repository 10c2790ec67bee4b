"""Recruitment scoring placeholder (slice 1): replaced by the trained model in slice 3."""

from __future__ import annotations

from extractors.model import Recruitment

__all__ = ["score_recruitment"]


def score_recruitment(text: str) -> Recruitment:
    return Recruitment(label=False, score=0.0, evidence=(), rule="none")
