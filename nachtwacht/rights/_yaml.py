"""Load a YAML policy file into a pydantic model; errors name the file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from crawlers.yamlconfig import load_yaml_model
from nachtwacht.rights.exceptions import PolicyError

__all__ = ["load_model"]

M = TypeVar("M", bound=BaseModel)


def load_model(path: str | Path, model: type[M]) -> M:
    """Read `path` and validate it as `model`. An empty file gives the model's defaults.

    Raises `PolicyError` (file, line, field) on unreadable files, bad YAML or invalid values.
    """
    return load_yaml_model(path, model, error=PolicyError, empty={}, expected="a mapping")
