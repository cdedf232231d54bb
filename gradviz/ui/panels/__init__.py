"""The built-in panels. Each module named here exposes ``SPEC`` (a :class:`PanelSpec`).

A panel's module is imported only when its dock is first shown: importing every panel up front
(sympy, OpenGL, the node editor, …) would delay the window's first frame. So the registry is
filled from this table, and ``tests/ui/test_panel_registry.py`` checks that each row says what
the module's own ``SPEC`` says.
"""

from __future__ import annotations

import importlib

from gradviz.ui.registry import PanelContext, PanelRegistry, PanelSpec

#: (module of gradviz.ui.panels, panel name, title, dock area, order), in menu order.
BUILTIN_PANELS = (
    ("chapter_map", "chapter_map", "Chapter map", "left", 0),
    ("tangent", "tangent", "Tangent slope", "right", 10),
    ("approaches", "approaches", "Three approaches", "right", 11),
    ("chain", "chain", "Chain rule", "right", 12),
    ("graph_editor", "graph", "Graph editor", "right", 40),
    ("trap", "trap", "zero_grad trap", "right", 50),
    ("training", "training", "Training loop", "right", 60),
    ("nograd", "nograd", "no_grad & detach", "right", 70),
    ("surface", "surface", "Loss surface", "right", 80),
    ("scenes", "scenes", "Scenes", "left", 900),
)
BUILTIN_PANEL_MODULES = tuple(row[0] for row in BUILTIN_PANELS)


def panel_module(module: str):
    return importlib.import_module(f"gradviz.ui.panels.{module}")


def _deferred_factory(module: str):
    def factory(ctx: PanelContext):
        return panel_module(module).SPEC.factory(ctx)

    factory.__qualname__ = f"deferred_factory[{module}]"
    return factory


def register_builtin_panels(registry: PanelRegistry) -> PanelRegistry:
    for module, name, title, area, order in BUILTIN_PANELS:
        registry.register(PanelSpec(name, title, _deferred_factory(module), area, order))
    return registry


def builtin_registry() -> PanelRegistry:
    return register_builtin_panels(PanelRegistry())
