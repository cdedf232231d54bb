"""The built-in panels' views. Each panel is declared once, beside its model
(``PANEL = PanelInfo(...)`` in gradviz/core, gradviz/graph or gradviz/lesson); its ``view`` names
the class in this package that draws it, imported when the panel is first shown."""

from __future__ import annotations

from gradviz.lesson.catalog import panel_infos
from gradviz.ui.registry import PanelRegistry, PanelSpec


def builtin_registry() -> PanelRegistry:
    registry = PanelRegistry()
    for info in panel_infos():
        registry.register(PanelSpec.from_info(info))
    return registry
