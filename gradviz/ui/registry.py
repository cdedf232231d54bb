"""The panel registry: a panel joins the window by registering a spec, not by editing the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gradviz.core.model import AppModel

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
    """How to build one dockable panel.

    ``area`` is the default dock area ("left", "right", "bottom"); the panels of one area are
    tabbed together in the default layout, in ``order``.
    """

    name: str
    title: str
    factory: Callable[[PanelContext], QtPanel]
    area: str = "right"
    order: int = 100


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
