"""Load a YAML file into a pydantic model, with errors that name the file, the line and the field.

Shared by every config loader (site definitions, alert rules, retention and rights policies), so
that all of them report mistakes the same way: `config/sites/x.yaml:7: limits.depth: ...`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from crawlers.exceptions import ConfigError

__all__ = ["dotted_field", "line_of", "load_yaml_model"]

M = TypeVar("M", bound=BaseModel)


class ErrorFactory(Protocol):
    def __call__(self, message: str, *, path: str = "", line: int | None = None,
                 field: str = "") -> Exception: ...


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk a composed YAML node along a pydantic error location; return a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                if knode.value == key:
                    line, node = knode.start_mark.line + 1, vnode
                    break
            else:
                continue  # not in the file: a missing field, or a union tag pydantic adds
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
    return line


def dotted_field(loc: tuple[Any, ...], data: Any) -> str:
    """The default field name of an error location: `limits.depth`, `follow.0.pattern`."""
    return ".".join(str(part) for part in loc)


def _message(err: dict[str, Any]) -> str:
    message = str(err["msg"]).removeprefix("Value error, ")
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "union_tag_invalid" and isinstance(given, dict):
        return f"unknown type {given.get('type')!r}"
    if "input" in err and kind != "missing" and not isinstance(given, dict | list):
        return f"{message} (got {given!r})"
    return message


def load_yaml_model(path: str | Path, model: type[M], *, error: ErrorFactory = ConfigError,
                    empty: dict[str, Any] | None = None, expected: str = "a mapping of settings",
                    field_name: Callable[[tuple[Any, ...], Any], str] = dotted_field) -> M:
    """Read `path` and validate it as `model`; the first problem raises `error(message, path=,
    line=, field=)`. An empty file gives `model(**empty)` when `empty` is given, else an error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=str(path),
                    line=mark.line + 1 if mark is not None else None) from exc
    if data is None and empty is not None:
        data = dict(empty)
    if not isinstance(data, dict):
        raise error(f"expected {expected} at the top level", path=str(path), line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise error(_message(dict(err)), path=str(path), line=line_of(node, loc),
                    field=field_name(loc, data)) from exc
