"""Nachtwacht's extension points (pluggy hook specifications). Each hook: one stub, one line of contract.

Plugins register with setuptools entry points in the group ``nachtwacht``; the built-in alert
channels (smtp, webhook, file) go through `nachtwacht.alerts.sinks.build_sink` and a plugin adds
more with `nachtwacht_alert_channels`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec", "plugin_manager"]

hookspec = pluggy.HookspecMarker("nachtwacht")
hookimpl = pluggy.HookimplMarker("nachtwacht")


@hookspec
def nachtwacht_alert_channels() -> dict[str, Any]:
    """Alert channel kinds this plugin provides: {kind: factory(name, options) -> sink with send(payload)}."""


@hookspec
def nachtwacht_alert_raised(event: dict[str, Any]) -> None:
    """Called for every new (not deduplicated) alert event, before delivery; must not block."""


@cache
def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with the plugins installed as `nachtwacht` entry points."""
    import sys

    pm = pluggy.PluginManager("nachtwacht")
    pm.add_hookspecs(sys.modules[__name__])
    pm.load_setuptools_entrypoints("nachtwacht")
    return pm
