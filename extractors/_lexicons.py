"""Lexicons (products, categories, recruitment cues) loaded from ``config/lexicons/*.yaml``.

The directory is found next to the package (repository or editable install) or through the
``NACHTWACHT_LEXICONS`` environment variable. Errors name the file and the entry.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from extractors.exceptions import LexiconError

__all__ = ["CategoryEntry", "ProductEntry", "lexicon_dir", "load_categories", "load_products"]


@dataclass(frozen=True, slots=True)
class ProductEntry:
    name: str
    category: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    path: str
    weight: float
    terms: tuple[str, ...]


def lexicon_dir() -> Path:
    """Directory holding the lexicon YAML files."""
    env = os.environ.get("NACHTWACHT_LEXICONS")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent
    candidates += [here.parent / "config" / "lexicons", here / "data" / "lexicons"]
    for cand in candidates:
        if (cand / "products.yaml").is_file():
            return cand
    raise LexiconError(f"no lexicon directory found (tried {', '.join(map(str, candidates))})")


def _read(name: str, key: str) -> dict[str, dict[str, object]]:
    path = lexicon_dir() / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise LexiconError(f"{path}: top-level mapping '{key}' missing")
    return data[key]


def _terms(path: str, entry: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str | int | float) for t in value):
        raise LexiconError(f"{path}: entry '{entry}': 'terms' must be a list of strings")
    return tuple(str(t).strip() for t in value if str(t).strip())


@functools.cache
def load_products() -> tuple[ProductEntry, ...]:
    out = []
    for name, spec in _read("products.yaml", "products").items():
        if not isinstance(spec, dict) or not isinstance(spec.get("category"), str):
            raise LexiconError(f"products.yaml: entry '{name}': needs 'category' (string)")
        out.append(ProductEntry(str(name), spec["category"], _terms("products.yaml", name, spec.get("terms"))))
    return tuple(out)


@functools.cache
def load_categories() -> tuple[CategoryEntry, ...]:
    out = []
    for path, spec in _read("categories.yaml", "categories").items():
        if not isinstance(spec, dict):
            raise LexiconError(f"categories.yaml: entry '{path}': must be a mapping")
        weight = spec.get("weight", 1)
        if not isinstance(weight, int | float):
            raise LexiconError(f"categories.yaml: entry '{path}': 'weight' must be a number")
        out.append(CategoryEntry(str(path), float(weight), _terms("categories.yaml", path, spec.get("terms"))))
    return tuple(out)
