"""Load a YAML policy file into a pydantic model; errors name the file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from nachtwacht.rights.exceptions import PolicyError

__all__ = ["load_model"]

M = TypeVar("M", bound=BaseModel)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk a composed YAML node along a pydantic error location; a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                if knode.value == key:
                    line, node = knode.start_mark.line + 1, vnode
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_model(path: str | Path, model: type[M]) -> M:
    """Read `path` and validate it as `model`. An empty file gives the model's defaults.

    Raises `PolicyError` (file, line, field) on unreadable files, bad YAML or invalid values.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=str(path),
                          line=mark.line + 1 if mark is not None else None) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError("expected a mapping at the top level", path=str(path), line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif "input" in err and err["type"] != "missing" and not isinstance(err["input"], dict | list):
            message = f"{message} (got {err['input']!r})"
        raise PolicyError(message, path=str(path), line=_line_of(node, loc),
                          field=".".join(str(p) for p in loc)) from exc
