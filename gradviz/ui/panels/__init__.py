"""The built-in panels. Each module named here exposes ``SPEC`` (a :class:`PanelSpec`)."""

from __future__ import annotations

import importlib

from gradviz.ui.registry import PanelRegistry

#: Modules of gradviz.ui.panels that define a panel, in menu order.
BUILTIN_PANEL_MODULES = (
    "chapter_map",
    "tangent",
    "approaches",
    "chain",
    "graph_editor",
    "trap",
    "training",
    "nograd",
    "surface",
    "scenes",
)


def register_builtin_panels(registry: PanelRegistry) -> PanelRegistry:
    for name in BUILTIN_PANEL_MODULES:
        module = importlib.import_module(f"gradviz.ui.panels.{name}")
        registry.register(module.SPEC)
    return registry


def builtin_registry() -> PanelRegistry:
    return register_builtin_panels(PanelRegistry())
