"""Going to a scene of the open lesson: its state loaded (only what differs, see
:class:`~gradviz.lesson.scene_loading.SceneLoader`), its panels shown, each on the page the
scene names ("traced": the graph editor's traced page; "graph": its hand-built page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradviz.lesson.scene_loading import SceneLoader
from gradviz.lesson.scenes import SCENES_KEY, Scene

if TYPE_CHECKING:
    from gradviz.ui.main_window import QtMainWindow


def show_views(window: QtMainWindow, names: tuple[str, ...] | list[str]) -> None:
    """Turn each built panel among ``names`` to the view the name stands for; a panel not built
    yet turns to it when it is built (:attr:`PanelDock.pending_view`)."""
    for name in names:
        dock = window.docks.get(name)
        if dock is None:
            continue
        if dock.panel is None:
            dock.pending_view = name
        else:
            dock.panel.show_view(name)


def show_scene_panels(window: QtMainWindow, names: tuple[str, ...] | list[str]) -> None:
    """Show and raise the docks of ``names``, each on the view its name stands for."""
    for name in names:
        if name in window.docks:
            window.show_panel(name)
    show_views(window, names)


def hide_other_docks(window: QtMainWindow, names: tuple[str, ...] | list[str]) -> list:
    """Hide the shown docks that none of ``names`` stands for (none when no name is a dock of
    the window: such a scene changes no layout); returns the docks hidden."""
    keep = {window.docks[n].spec.name for n in names if n in window.docks}
    if not keep:
        return []
    hidden = [dock for name, dock in window.docks.items()
              if name not in keep and dock.isVisible()]
    for dock in hidden:
        dock.hide()
    return hidden


class SceneNavigator:
    """Shows the scenes of one window's lesson.

    Parameters
    ----------
    window
        The main window; its model holds the scene list.
    """

    def __init__(self, window: QtMainWindow) -> None:
        self.window = window
        self.loader = SceneLoader(window.model)

    @property
    def scenes(self):
        return self.window.model.get(SCENES_KEY)

    def go_to_scene(self, index: int, show_panels: bool = True, exclusive: bool = False) -> bool:
        """Load a scene's state, make it current and show its panels (``exclusive``: and hide
        the others; neither: only turn built panels to the scene's pages)."""
        scenes = self.scenes
        if scenes is None or not 0 <= index < len(scenes):
            return False
        scene: Scene = scenes[index]
        presentation = getattr(self.window, "presentation", None)
        # Panels the scene will hide go first, so that they put off redrawing what it loads.
        hidden = (hide_other_docks(self.window, scene.panels)
                  if exclusive or (presentation is not None and presentation.active) else [])
        try:
            self.loader.apply(scene)
        except Exception as exc:  # the model rolled back; the lecture goes on
            for dock in hidden:
                dock.show()
            self.window.show_status(f"Scene {index + 1} could not be shown: {exc}")
            return False
        scenes.set_current(index)
        if exclusive:
            from gradviz.ui.presentation_layout import show_side_by_side

            show_side_by_side(self.window, list(scene.panels))
            show_views(self.window, scene.panels)
        elif show_panels:
            show_scene_panels(self.window, scene.panels)
        else:
            show_views(self.window, scene.panels)
        return True
