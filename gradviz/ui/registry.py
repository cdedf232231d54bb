"""The panel registry: what the window docks, read from the panels' declarations.

A panel is declared once, Qt-free, beside its model (:class:`~gradviz.core.panel_info.PanelInfo`);
the registry turns each declaration into a :class:`PanelSpec` whose factory imports the view only
when the panel is first shown. The window, the View menu and the chapter map read names and titles
from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gradviz.core.model import AppModel
from gradviz.core.panel_info import PanelInfo, Presenter

if TYPE_CHECKING:
    from gradviz.ui.panels.base import QtPanel
    from gradviz.ui.theme import Theme


@dataclass
class PanelContext:
    """What a panel may use besides its model: the window's undo stack (through ``push``), the
    status bar, a way to show another panel, and the current theme. Panels never talk to
    each other directly."""

    model: AppModel
    push: Callable[[Any], bool] = lambda command, target=None: _push_without_stack(command, target)
    status: Callable[[str], None] = lambda message: None
    show_panel: Callable[[str], bool] = lambda name: False
    theme: Callable[[], Theme] = field(default=lambda: _default_theme())
    panel_names: Callable[[], list[str]] = list
    panel_title: Callable[[str], str | None] = lambda name: None
    #: The declaration of the panel being built with this context (set by the dock).
    spec: PanelSpec | None = None


def _push_without_stack(command: Any, target: Any = None) -> bool:
    """Without a window (scripts, tests) commands simply run."""
    if target is None:
        command.do()
    else:
        command.do(target)
    return True


def _default_theme() -> Theme:
    from gradviz.ui.theme import LIGHT

    return LIGHT


@dataclass(frozen=True)
class PanelSpec:
    """How the window builds one dockable panel: the Qt side of a panel's declaration
    (:class:`~gradviz.core.panel_info.PanelInfo`, written once beside its model).

    ``area`` is the default dock area ("left", "right", "bottom"); the panels of one area are
    tabbed together in the default layout, in ``order``.
    """

    name: str
    title: str
    factory: Callable[[PanelContext], QtPanel]
    area: str = "right"
    order: int = 100
    presenter: Presenter | None = None
    view: str = ""

    @classmethod
    def from_info(cls, info: PanelInfo) -> PanelSpec:
        return cls(info.name, info.title, _lazy_view(info.view), info.area, info.order,
                   info.presenter, info.view)


def _lazy_view(view: str) -> Callable[[PanelContext], QtPanel]:
    """The view is imported when the panel is first built: start-up pays only for what shows."""
    def factory(ctx: PanelContext) -> QtPanel:
        return resolve_view(view)(ctx)

    factory.__qualname__ = f"view[{view}]"
    return factory


def resolve_view(view: str) -> Callable[[PanelContext], QtPanel]:
    module, _, attribute = view.partition(":")
    return getattr(importlib.import_module(f"gradviz.ui.panels.{module}"), attribute)


class PanelRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, PanelSpec] = {}

    def register(self, spec: PanelSpec) -> PanelSpec:
        if spec.name in self._specs:
            raise ValueError(f"a panel named {spec.name!r} is already registered")
        self._specs[spec.name] = spec
        return spec

    def __getitem__(self, name: str) -> PanelSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def specs(self) -> list[PanelSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.order, s.name))

    def names(self) -> list[str]:
        return [s.name for s in self.specs()]

    def title(self, name: str) -> str | None:
        spec = self._specs.get(name)
        return spec.title if spec is not None else None
