"""The main window: one dock per registered panel, menus, the one undo stack, clicker routing."""

from __future__ import annotations

import logging
import platform
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from gradviz._version import __version__
from gradviz.core.model import AppModel
from gradviz.lesson.catalog import build_model
from gradviz.ui.lesson_controller import LessonController
from gradviz.ui.lesson_menus import install_lesson_menus
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.presentation import QtPresentation
from gradviz.ui.registry import PanelContext, PanelRegistry
from gradviz.ui.theme import LIGHT, THEMES, Theme, apply_theme
from gradviz.ui.undo import QtCommand
from gradviz.ui.window_common import (
    LAYOUT_VERSION,
    NEXT_KEYS,
    PREV_KEYS,
    text_input_has_focus,
    widget_uses_arrows,
)

log = logging.getLogger(__name__)

#: The first start's size on a screen with room for it; smaller screens get a share of theirs.
START_SIZE = (1400, 880)
#: How much of a small screen's free area the window takes, leaving room for its frame.
SCREEN_SHARE = 0.92

_AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}


#: Old panel names that are now a page of another panel: name → (panel, page). A lesson or a
#: scene naming "traced" opens the graph editor on its traced page.
PAGES = {"traced": ("graph", "traced")}


class DockMap(dict):
    """The window's docks by panel name; a name in :data:`PAGES` is found too, as the dock of
    the panel that holds that page (iterating lists every dock once)."""

    def __contains__(self, name: object) -> bool:
        owner = PAGES.get(name, (name,))[0] if isinstance(name, str) else name
        return dict.__contains__(self, owner)

    def __missing__(self, name: str) -> PanelDock:
        if name in PAGES and dict.__contains__(self, PAGES[name][0]):
            return dict.__getitem__(self, PAGES[name][0])
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default


class PanelDock(QDockWidget):
    """A dock that builds its panel the first time it becomes visible, so start-up pays only for
    what is on screen."""

    def __init__(self, spec, ctx: PanelContext, parent: QWidget) -> None:
        # Tabs and the View menu read a single & as a keyboard mnemonic ("no_grad & detach").
        super().__init__(spec.title.replace("&", "&&"), parent)
        self.spec = spec
        self.ctx = ctx
        self.panel: QtPanel | None = None
        #: The view a scene named before the panel was built (see ``QtPanel.show_view``).
        self.pending_view: str | None = None
        self.setObjectName(f"dock-{spec.name}")
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.setWidget(QLabel(f"{spec.title}…"))
        self.visibilityChanged.connect(self._on_visibility_changed)

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.ensure_panel()

    def ensure_panel(self) -> QtPanel:
        if self.panel is None:
            self.panel = self.spec.factory(self.ctx)
            old = self.widget()
            # A scroll area lets every dock shrink to fit a 1366×768 laptop; on a large screen
            # the panel simply fills it.
            scroll = QScrollArea()
            scroll.setObjectName(f"scroll-{self.spec.name}")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(self.panel)
            self.setWidget(scroll)
            old.deleteLater()
            window = self.parent()
            if isinstance(window, QtMainWindow):
                self.panel.apply_theme(window.theme)
        if self.pending_view is not None:
            view, self.pending_view = self.pending_view, None
            self.panel.show_view(view)
        return self.panel

    def teardown(self) -> None:
        if self.panel is not None:
            self.panel.teardown()


class QtMainWindow(QMainWindow):
    """The GradViz window.

    Parameters
    ----------
    model, registry
        The shared model and the panels to dock.
    settings
        Where layout and theme persist; ``None`` means "ignore saved settings" (``--screenshot``,
        ``--selftest`` and tests).
    model_factory
        Builds a fresh model of the same shape (the lesson controller loads files into one
        before it touches the live model); by default every declared panel's sub-models.
    """

    def __init__(self, model: AppModel, registry: PanelRegistry,
                 settings: QSettings | None = None,
                 model_factory: Callable[[], AppModel] | None = None) -> None:
        super().__init__()
        self.model = model
        self.registry = registry
        self.settings = settings
        self.theme: Theme = LIGHT
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("GradViz")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self.setDockNestingEnabled(True)
        self.fit_to_screen(*START_SIZE)
        self.ctx = PanelContext(model=model, push=self.push, status=self.show_status,
                                show_panel=self.show_panel, theme=lambda: self.theme,
                                panel_names=registry.names, panel_title=registry.title)
        self.docks: dict[str, PanelDock] = DockMap()
        self._last_panel: str | None = None
        self._closed = False
        self._build_docks()
        self._build_menus()
        self.presentation = QtPresentation(self)
        self.lessons = LessonController(self, model_factory or build_model)
        install_lesson_menus(self)
        self.statusBar().showMessage("Ready")
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._default_geometry = self.saveGeometry()
        if settings is not None:
            self._restore_settings()
            self.fit_to_screen(self.width(), self.height())
        QApplication.instance().installEventFilter(self)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    # -- size ----------------------------------------------------------------------------
    def fit_to_screen(self, width: int, height: int) -> None:
        """Take ``width`` × ``height``, or less where the screen the window is on is smaller,
        and keep the whole window (its frame too) on that screen."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        room = screen.availableGeometry()
        width = min(width, round(room.width() * SCREEN_SHARE))
        height = min(height, round(room.height() * SCREEN_SHARE))
        self.resize(width, height)
        if not room.contains(self.frameGeometry()):
            self.move(room.x() + (room.width() - width) // 2,
                      room.y() + (room.height() - height) // 2)

    # -- docks ---------------------------------------------------------------------------
    def _build_docks(self) -> None:
        # One tab stack per dock area: panels are big, and stacking them side by side would
        # make the window taller than a laptop screen.
        first_in_group: dict[str, PanelDock] = {}
        for spec in self.registry.specs():
            dock = PanelDock(spec, replace(self.ctx, spec=spec), self)
            self.docks[spec.name] = dock
            self.addDockWidget(_AREAS.get(spec.area, Qt.DockWidgetArea.RightDockWidgetArea), dock)
            if spec.area in first_in_group:
                self.tabifyDockWidget(first_in_group[spec.area], dock)
            else:
                first_in_group[spec.area] = dock
        for dock in first_in_group.values():
            dock.raise_()
        left = [d for d in self.docks.values() if d.spec.area == "left"]
        right = [d for d in self.docks.values() if d.spec.area != "left"]
        if left and right:
            self.resizeDocks([left[0], right[0]], [330, 1070], Qt.Orientation.Horizontal)

    def panel(self, name: str) -> QtPanel:
        """The panel named ``name``, built if it was not yet."""
        return self.docks[name].ensure_panel()

    def built_panels(self) -> list[QtPanel]:
        return [d.panel for d in self.docks.values() if d.panel is not None]

    def show_panel(self, name: str) -> bool:
        """Show and raise the panel ``name`` (a name in :data:`PAGES`: its panel, on that page)."""
        dock = self.docks.get(name)
        if dock is None:
            self.show_status(f"There is no panel named {name!r} in this build.")
            return False
        dock.show()
        dock.raise_()
        panel = dock.ensure_panel()
        if name in PAGES:
            panel.show_page(PAGES[name][1])
        self._last_panel = dock.spec.name
        return True

    # -- commands and status -------------------------------------------------------------
    def push(self, command: Any, target: Any = None) -> bool:
        """Run a model command through the undo stack; False (and a status message) if refused."""
        qt_cmd = QtCommand(command, target,
                           on_error=lambda exc: self.show_status(f"{command.label}: {exc}"))
        self.undo_stack.push(qt_cmd)
        return qt_cmd.failed is None

    def show_status(self, message: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    # -- menus ---------------------------------------------------------------------------
    def _action(self, menu, text: str, slot=None, shortcut=None, enabled: bool = True) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            act.triggered.connect(slot)
        act.setEnabled(enabled)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        # Disabled until the lesson controller connects them (gradviz/ui/lesson_controller.py).
        self.action_new = self._action(file_menu, "&New", shortcut=QKeySequence.StandardKey.New,
                                       enabled=False)
        self.action_open = self._action(file_menu, "&Open…", shortcut=QKeySequence.StandardKey.Open,
                                        enabled=False)
        self.action_save = self._action(file_menu, "&Save", shortcut=QKeySequence.StandardKey.Save,
                                        enabled=False)
        self.action_save_as = self._action(file_menu, "Save &As…",
                                           shortcut=QKeySequence.StandardKey.SaveAs, enabled=False)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setEnabled(False)
        file_menu.addSeparator()
        self._action(file_menu, "&Export…", self.export_image_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.action_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.action_redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)

        view_menu = bar.addMenu("&View")
        self.view_menu = view_menu
        for name, dock in self.docks.items():
            act = dock.toggleViewAction()
            act.setObjectName(f"toggle-{name}")
            view_menu.addAction(act)
        view_menu.addSeparator()
        self._action(view_menu, "Reset &layout", self.reset_layout)
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in THEMES:
            act = self._action(theme_menu, name.capitalize(), lambda _=False, n=name: self.set_theme(n))
            act.setCheckable(True)
            act.setChecked(name == self.theme.name)
            group.addAction(act)
            self.theme_actions[name] = act

        help_menu = bar.addMenu("&Help")
        self.help_menu = help_menu
        self._action(help_menu, "&About GradViz", self.show_about)

    # -- theme ---------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        theme = THEMES.get(name)
        if theme is None:
            return
        self.theme = theme
        apply_theme(QApplication.instance(), theme)
        for panel in self.built_panels():
            panel.apply_theme(theme)
        self.theme_actions[name].setChecked(True)
        if self.settings is not None:
            self.settings.setValue("ui/theme", name)

    # -- layout persistence --------------------------------------------------------------
    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            if dock.isFloating():
                dock.setFloating(False)

    def _restore_settings(self) -> None:
        s = self.settings
        try:
            theme = s.value("ui/theme", LIGHT.name)
            self.set_theme(theme if isinstance(theme, str) and theme in THEMES else LIGHT.name)
            if s.value("layout/version") not in (LAYOUT_VERSION, str(LAYOUT_VERSION)):
                return  # a layout saved by another version: start from the default
            geometry = s.value("layout/geometry")
            state = s.value("layout/state")
            if isinstance(geometry, QByteArray | bytes):
                self.restoreGeometry(QByteArray(geometry))
            if isinstance(state, QByteArray | bytes) and not self.restoreState(QByteArray(state),
                                                                                LAYOUT_VERSION):
                log.info("saved dock layout ignored: it does not fit this version")
                self.restoreState(self._default_state, LAYOUT_VERSION)
        except Exception:  # a corrupt settings file must never stop the app from starting
            log.exception("saved settings ignored")

    def save_settings(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("layout/version", LAYOUT_VERSION)
        self.settings.setValue("layout/geometry", self.saveGeometry())
        self.settings.setValue("layout/state", self.saveState(LAYOUT_VERSION))
        self.settings.setValue("ui/theme", self.theme.name)
        self.settings.sync()

    # -- export and about ----------------------------------------------------------------
    def export_image_dialog(self) -> None:
        from gradviz.ui.export import QtExportDialog

        QtExportDialog(self).exec()

    def about_text(self) -> str:
        import pyqtgraph
        import torch
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from gradviz.ui.gl_info import gl_renderer

        return (f"<h3>GradViz {__version__}</h3>"
                "<p>Touch derivatives and PyTorch autograd.</p>"
                f"<p>Python {platform.python_version()} ({sys.platform})<br>"
                f"Qt {qVersion()} · PySide6 {pyside_version}<br>"
                f"torch {torch.__version__}<br>pyqtgraph {pyqtgraph.__version__}<br>"
                f"OpenGL: {gl_renderer()}</p>")

    def show_about(self) -> None:
        QMessageBox.about(self, "About GradViz", self.about_text())

    # -- clicker routing -----------------------------------------------------------------
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        w = new
        while w is not None:
            if isinstance(w, QtPanel):
                self._last_panel = w.panel_name
                return
            w = w.parentWidget()

    def steppable_panel(self) -> QtPanel | None:
        """The panel clicker keys drive: the last one used, else any visible one that can step."""
        order = [self._last_panel] if self._last_panel else []
        order += [n for n in self.docks if n != self._last_panel]
        for name in order:
            dock = self.docks.get(name)
            if dock is None or dock.panel is None or not dock.isVisible():
                continue
            if dock.visibleRegion().isEmpty() and not dock.isFloating():
                continue  # tabbed behind another dock
            if dock.panel.can_step():
                return dock.panel
        return None

    def route_step(self, direction: int) -> bool:
        panel = self.steppable_panel()
        return bool(panel is not None and panel.step(direction))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress \
                or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        focus = QApplication.focusWidget()
        # Application filters see a key again at every parent it propagates to: act once,
        # where Qt delivers it first (the focus widget, else the window itself).
        if not isinstance(obj, QWidget) or obj is not (focus or self) or obj.window() is not self:
            return False
        if self.presentation.active and self.presentation.handle_key(event):
            return True
        if True:
            key = event.key()
            if key in NEXT_KEYS or key in PREV_KEYS:
                arrows = key in (Qt.Key.Key_Left, Qt.Key.Key_Right)
                if text_input_has_focus() or (arrows and widget_uses_arrows(focus)):
                    return False
                return self.route_step(+1 if key in NEXT_KEYS else -1)
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self._closed and not self.lessons.confirm_close():
            event.ignore()  # the user chose Cancel
            return
        if not self._closed:
            self._closed = True
            self.presentation.stop()
            self.lessons.shutdown()
            self.save_settings()
            app = QApplication.instance()
            app.removeEventFilter(self)
            app.focusChanged.disconnect(self._on_focus_changed)
            for dock in self.docks.values():
                dock.teardown()
        super().closeEvent(event)

