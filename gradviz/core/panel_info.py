"""A panel's one declaration, kept Qt-free beside the sub-model it shows.

Each model module that backs a panel declares ``PANEL = PanelInfo(...)``: the panel's registry
name and title, where its view lives (a ``"module:attribute"`` path under ``gradviz.ui.panels``,
imported only when the panel is first shown), its dock area and menu order, the sub-models it
needs and what it shows when presenting. The view path is a name, not an import, so the model
layers still never import Qt; :mod:`gradviz.lesson.catalog` collects the declarations and builds
the application model from them, with or without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gradviz.core.model import AppModel


def no_models(model: AppModel) -> list[Any]:
    """For panels that only read sub-models other panels declare (or none)."""
    return []


def shared(model: AppModel, factory: Callable[[], Any], key: str) -> Any:
    """The sub-model registered under ``key``, registered first from ``factory`` if missing:
    panels that share one sub-model (the mini network) get the same object, never copies."""
    if key not in model:
        model.register(factory())
    return model[key]


@dataclass(frozen=True)
class Presenter:
    """What a panel shows in presentation mode and how it lays it out.

    Parameters
    ----------
    show
        Sections to keep: the visualization first, then the stepping controls and readouts.
    fold
        Sections that fold away into the panel's strip of toggles (editing chrome).
    overlay
        Live readouts (section or object names) that float over the visualization's corner
        instead of taking a column or a row of their own.
    row
        Sections (or object names) laid side by side in one row under the visualization
        instead of beside it, so the visualization gets the panel's whole width.
    """

    show: tuple[str, ...] = ()
    fold: tuple[str, ...] = ()
    overlay: tuple[str, ...] = ()
    row: tuple[str, ...] = ()


@dataclass(frozen=True)
class PanelInfo:
    """The single declaration of one dockable panel.

    Parameters
    ----------
    name, title
        Registry name (used in lessons and on the command line) and the title users see.
    view
        ``"module:attribute"`` relative to ``gradviz.ui.panels``; the attribute is called with the
        panel context and returns the panel widget.
    area, order
        Default dock area ("left", "right", "bottom", "top") and position in menus.
    models
        Returns the sub-models this panel needs that are not registered yet (use :func:`shared`
        for one that several panels use); runs once, when the application model is built.
    presenter
        What presentation mode shows and folds.
    """

    name: str
    title: str
    view: str
    area: str = "right"
    order: int = 100
    models: Callable[[AppModel], list[Any]] = no_models
    presenter: Presenter | None = None
