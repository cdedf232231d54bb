"""Menu entries of the lesson feature: presentation (View), handouts (File), the tour (Help)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from gradviz.core.resources import resource_path
from gradviz.ui.presentation import SCALES

if TYPE_CHECKING:
    from gradviz.ui.main_window import QtMainWindow

TOUR = ("lessons", "why-derivatives.gradviz")


def tour_path():
    return resource_path(*TOUR)


def open_tour(window: QtMainWindow) -> bool:
    """Open the bundled tour as an untitled copy: Save asks where, the original stays as is."""
    if not window.lessons.maybe_save():
        return False
    path = tour_path()
    if not path.is_file():
        window.show_status("The tour is not part of this build")
        return False
    return window.lessons.load(path, as_copy=True)


def install_lesson_menus(window: QtMainWindow) -> None:
    view = window.view_menu
    view.addSeparator()
    present = QAction("Start &presentation", window)
    present.setObjectName("action-present")
    present.setShortcut(QKeySequence(Qt.Key.Key_F5))
    present.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    present.triggered.connect(lambda _=False: window.presentation.start())
    view.addAction(present)
    window.addAction(present)  # still works while the menu bar is hidden
    window.action_present = present

    scale_menu = view.addMenu("Presentation &scale")
    group = QActionGroup(window)
    window.scale_actions = {}
    for scale in SCALES:
        act = QAction(f"×{scale:g}", window)
        act.setCheckable(True)
        act.setChecked(scale == window.presentation.scale)
        act.triggered.connect(lambda _=False, s=scale: window.presentation.set_scale(s))
        group.addAction(act)
        scale_menu.addAction(act)
        window.scale_actions[scale] = act

    export = QAction("Export &scenes…", window)
    export.setObjectName("action-export-scenes")
    export.triggered.connect(lambda _=False: _export_scenes(window))
    quit_action = window.file_menu.actions()[-1]
    window.file_menu.insertAction(quit_action, export)
    window.file_menu.insertSeparator(quit_action)
    window.action_export_scenes = export

    tour = QAction("Open the &tour", window)
    tour.setObjectName("action-tour")
    tour.triggered.connect(lambda _=False: open_tour(window))
    window.help_menu.insertAction(window.help_menu.actions()[0], tour)
    window.help_menu.insertSeparator(window.help_menu.actions()[1])
    window.action_tour = tour


def _export_scenes(window: QtMainWindow) -> None:
    from gradviz.ui.handouts_dialog import export_scenes_dialog  # QPdfWriter: on first use

    export_scenes_dialog(window)
