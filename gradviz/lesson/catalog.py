"""The panels' declarations, collected from the model layers, and the application model built
from them.

Every module of ``gradviz.core``, ``gradviz.graph`` and ``gradviz.lesson`` may declare
``PANEL = PanelInfo(...)``; nothing else lists the panels. The walk imports those modules (not the
private ``_name`` ones), so they must stay cheap to import: heavy libraries such as sympy are
imported where first used; ``tests/core/test_catalog.py`` checks that.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from gradviz.core.model import AppModel
from gradviz.core.panel_info import PanelInfo

_PACKAGES = ("gradviz.core", "gradviz.graph", "gradviz.lesson")


@cache
def panel_infos() -> tuple[PanelInfo, ...]:
    """Every declared panel, in menu order (``order``, then name)."""
    found: dict[str, PanelInfo] = {}
    for package in _PACKAGES:
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path):
            if info.name.startswith("_"):
                continue  # private helpers (sympy's bridge) declare no panel: never imported here
            module = importlib.import_module(f"{package}.{info.name}")
            panel = vars(module).get("PANEL")  # not getattr: a lazy module would load
            if isinstance(panel, PanelInfo):
                if panel.name in found and found[panel.name] is not panel:
                    raise ValueError(f"two panels are named {panel.name!r}")
                found[panel.name] = panel
    return tuple(sorted(found.values(), key=lambda p: (p.order, p.name)))


def build_model(infos: tuple[PanelInfo, ...] | None = None) -> AppModel:
    """A fresh application model holding the sub-models of every declared panel."""
    model = AppModel()
    for panel in panel_infos() if infos is None else infos:
        for sub in panel.models(model):
            model.register(sub)
    return model
