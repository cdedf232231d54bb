"""Presentation mode: full screen, no menus, only the current scene's panels, its caption in
large type, fonts and lines scaled for the back row, clicker keys, a blank screen and a pen.

Keys while presenting (none of them fires while a text field has the focus):

- PageDown / Right: the next step of the visible panel that can step, else the next scene;
- PageUp / Left: the previous step, else the previous scene;
- B or ``.`` (what many clickers send): blank the screen, again to come back;
- P: pen on/off; C: clear the drawing (a scene change clears it too);
- Esc: leave presentation mode.

Panels may offer ``apply_scale(scale: float)`` to scale what the application font does not reach
(custom-painted labels); pyqtgraph plots are scaled generically (axis fonts and line widths
here, legend text in ``QtPanel.set_presenting``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QGraphicsView,
    QLabel,
    QToolBar,
    QWidget,
)

from gradviz.ui.panels.presenting import NO_SCALE
from gradviz.ui.pen_overlay import QtPenOverlay
from gradviz.ui.presentation_layout import (
    QtCaptionBox,
    fold_for_share,
    fold_to_fit,
    may_drop_secondary,
    settle_layouts,
    show_side_by_side,
)

if TYPE_CHECKING:
    from gradviz.ui.main_window import QtMainWindow

log = logging.getLogger(__name__)

__all__ = ["SCALES", "QtPresentation", "scale_plots", "scale_fonts_and_views",
           "show_side_by_side"]

SCALES = (1.0, 1.5, 2.0, 2.5, 3.0)
BLANK_KEYS = (Qt.Key.Key_B, Qt.Key.Key_Period)
#: Posted events a refit delivers before it measures (see ``refit``).
SETTLE_FIRST = (QEvent.Type.ApplicationFontChange, QEvent.Type.FontChange)


def scale_plots(root: QWidget, scale: float, normal_font: QFont | None = None) -> int:
    """Scale the axis fonts and curve widths of every pyqtgraph plot under ``root``; ``scale``
    is relative to each plot's original look, so ``1.0`` restores it. Returns how many plots.
    ``normal_font``: the application font before presenting scaled it (an axis without a font
    of its own starts from it, not from the scaled one: its ticks were scaled twice)."""
    count = 0
    for plot in root.findChildren(pg.PlotWidget):
        item = plot.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            base = getattr(axis, "_gv_base_font", None)
            if base is None:
                base = QFont(axis.style.get("tickFont") or normal_font or QApplication.font())
                axis._gv_base_font = base
            font = QFont(base)
            font.setPointSizeF(max(1.0, base.pointSizeF() * scale))
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        for curve in item.listDataItems():
            if not isinstance(curve, pg.PlotDataItem):
                continue
            base_pen = getattr(curve, "_gv_base_pen", None)
            if base_pen is None:
                base_pen = pg.mkPen(curve.opts.get("pen"))
                curve._gv_base_pen = base_pen
            pen = pg.mkPen(base_pen)
            pen.setWidthF(max(1.0, base_pen.widthF()) * scale if scale != 1.0
                          else base_pen.widthF())
            curve.setPen(pen)
        count += 1
    return count


def scale_fonts_and_views(root: QWidget, scale: float) -> None:
    """Scale what the application font does not reach: widgets with a font of their own (code
    views, tables, big numbers) and node-editor canvases (``QGraphicsView`` other than plots,
    zoomed so node labels grow). ``scale`` is relative to the original, so ``1.0`` restores."""
    for widget in root.findChildren(QWidget):
        if widget.property(NO_SCALE) or (widget.parentWidget() is not None
                                         and widget.parentWidget().property(NO_SCALE)):
            continue
        if widget.styleSheet() and not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            # A widget with a style sheet keeps the font it was polished with when the
            # application font changes (a status line stayed ×1.5 after presenting): polish
            # it again.
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            base = getattr(widget, "_gv_base_font", None)
            if base is None:
                base = QFont(widget.font())
                widget._gv_base_font = base
            font = QFont(base)
            if base.pointSizeF() > 0:
                font.setPointSizeF(base.pointSizeF() * scale)
            elif base.pixelSize() > 0:
                font.setPixelSize(max(1, round(base.pixelSize() * scale)))
            widget.setFont(font)
    for view in root.findChildren(QGraphicsView):
        if isinstance(view, pg.GraphicsView):
            continue  # plots are scaled by scale_plots
        previous = getattr(view, "_gv_scale", 1.0)
        if scale != previous:
            view.scale(scale / previous, scale / previous)
            view._gv_scale = scale


class _ThinTitle(QWidget):
    """A dock title of a few pixels: the dock keeps a visible strip of its own (the clicker
    asks docks whether they are on screen), without a line of text. (The dock's layout reads
    a title's height from its size hint.)"""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, 3)


class QtPresentation(QObject):
    """Presentation mode of one main window."""

    def __init__(self, window: QtMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.scale = 1.5
        self.active = False
        self.blanked = False
        self._saved: dict = {}
        self.caption_dock: QDockWidget | None = None
        self.caption: QLabel | None = None
        self.caption_box: QtCaptionBox | None = None
        self.shown: list[str] = []
        self.folded: list[str] = []
        self._refit_pending = False
        self.blank: QWidget | None = None
        self.pen: QtPenOverlay | None = None

    # -- entering and leaving ------------------------------------------------------------------
    def start(self) -> None:
        if self.active:
            return
        w = self.window
        from gradviz.ui.window_common import LAYOUT_VERSION

        app = QApplication.instance()
        self._saved = {
            "state": w.saveState(LAYOUT_VERSION),
            "geometry": w.saveGeometry(),
            "window_state": w.windowState(),
            "menubar": w.menuBar().isVisible(),
            "statusbar": w.statusBar().isVisible(),
            "toolbars": [t for t in w.findChildren(QToolBar) if t.isVisible()],
            "font": QFont(app.font()),
        }
        self.active = True
        w.menuBar().hide()
        w.statusBar().hide()
        for toolbar in self._saved["toolbars"]:
            toolbar.hide()
        for dock in w.docks.values():  # the caption says what is on screen; titles take room
            dock.setTitleBarWidget(_ThinTitle())
        self._build_caption()
        self.pen = QtPenOverlay(w, width=4.0 * self.scale)
        self.pen.show()
        self._apply_scale(self.scale)
        scenes = w.lessons.scenes
        if scenes is not None and 0 <= scenes.current < len(scenes):
            # Back into a lecture that is under way: show where it was, keep any live changes.
            scene = scenes[scenes.current]
            self._show_only(list(scene.panels), scene.caption)
        elif scenes is not None and len(scenes):
            self.go_to_scene(0)
        else:
            self._set_caption("")
        w.installEventFilter(self)
        w.showFullScreen()
        if self.pen is not None:
            self.pen.raise_()

    def stop(self) -> None:
        if not self.active:
            return
        w = self.window
        from gradviz.ui.window_common import LAYOUT_VERSION

        self.active = False
        w.removeEventFilter(self)
        self._set_blank(False)
        if self.pen is not None:
            self.pen.deleteLater()
            self.pen = None
        if self.caption_dock is not None:
            w.removeDockWidget(self.caption_dock)
            self.caption_dock.deleteLater()
            self.caption_dock = self.caption = self.caption_box = None
        QApplication.instance().setFont(self._saved["font"])
        self._apply_scale(1.0)
        for panel in w.built_panels():
            panel.set_presenting(False, 1.0)
        for dock in w.docks.values():
            dock.setTitleBarWidget(None)
        self._restore_window()
        self.shown, self.folded = [], []
        w.restoreState(self._saved["state"], LAYOUT_VERSION)
        self._saved = {}
        w.show_status("Presentation ended")

    def _restore_window(self) -> None:
        w, saved = self.window, self._saved
        w.setWindowState(saved["window_state"])
        state = saved["window_state"]
        if state & Qt.WindowState.WindowMaximized:
            w.showMaximized()
        elif not state & Qt.WindowState.WindowFullScreen:
            w.showNormal()
            w.restoreGeometry(saved["geometry"])
        w.menuBar().setVisible(saved["menubar"])
        w.statusBar().setVisible(saved["statusbar"])
        for toolbar in saved["toolbars"]:
            toolbar.show()

    def toggle(self) -> None:
        self.stop() if self.active else self.start()

    def normal_layout(self) -> QByteArray | None:
        """While presenting, the layout to save is the one from before presenting."""
        return self._saved.get("state") if self.active else None

    def set_scale(self, scale: float) -> None:
        self.scale = min(3.0, max(1.0, float(scale)))
        if self.active:
            QApplication.instance().setFont(self._saved["font"])
            self._apply_scale(self.scale)
            self.refit()

    # -- scale ---------------------------------------------------------------------------------
    def _apply_scale(self, scale: float) -> None:
        app = QApplication.instance()
        if scale != 1.0:
            font = QFont(self._saved.get("font", app.font()))
            font.setPointSizeF(font.pointSizeF() * scale)
            app.setFont(font)
        for panel in self.window.built_panels():
            self._scale_panel(panel, scale)
        if self.caption is not None:
            self._style_caption()
        if self.pen is not None:
            self.pen.width = 4.0 * scale

    def _scale_panel(self, panel, scale: float) -> None:
        try:
            if self.active:
                panel.set_presenting(True, scale)
            hook = getattr(panel, "apply_scale", None)
            if callable(hook):
                hook(scale)
            scale_plots(panel, scale, self._saved.get("font"))
            scale_fonts_and_views(panel, scale)
        except Exception:  # a panel that cannot scale must not stop the lecture
            log.exception("panel %s could not scale", panel.panel_name)

    # -- caption -------------------------------------------------------------------------------
    def _build_caption(self) -> None:
        dock = QDockWidget(self.window)
        dock.setObjectName("dock-presentation-caption")
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setTitleBarWidget(QWidget())
        box = QtCaptionBox()
        dock.setWidget(box)
        self.window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
        # The dock area keeps its last height unless told: make it exactly the caption's.
        box.height_changed.connect(
            lambda h: self.window.resizeDocks([dock], [h], Qt.Orientation.Vertical))
        self.caption_dock, self.caption_box, self.caption = dock, box, box.label
        self._style_caption()

    def _style_caption(self) -> None:
        theme = self.window.theme
        self.caption_box.set_style(self._saved.get("font", QApplication.font()), self.scale,
                                   theme.text, theme.window)

    def _set_caption(self, text: str) -> None:
        if self.caption_dock is None:
            return
        self.caption_box.set_text(text)
        self.caption_dock.setVisible(bool(text))

    # -- scenes --------------------------------------------------------------------------------
    def go_to_scene(self, index: int) -> bool:
        w = self.window
        if not w.lessons.go_to_scene(index, show_panels=False):
            return False
        scene = w.lessons.scenes[index]
        self._show_only(list(scene.panels), scene.caption)
        if self.pen is not None:
            self.pen.clear()
            self.pen.raise_()
        return True

    def _show_only(self, names: list[str], caption: str) -> None:
        """The scene's panels alone, in their presenter layout, folded to fit the screen."""
        built = set(map(id, self.window.built_panels()))
        self._build_at_normal_size(names)
        show_side_by_side(self.window, names)
        self.shown = [n for n in names if n in self.window.docks]
        for panel in self.window.built_panels():
            if id(panel) not in built:  # built just now: scale it like the others
                self._scale_panel(panel, self.scale)
        if not caption and self.shown:
            # A scene without a caption: the first panel's explainer says what it shows.
            caption = type(self.window.docks[self.shown[0]].panel).explainer
        self._set_caption(caption)
        self.refit()

    def _refit_soon(self) -> None:
        if not self._refit_pending:
            self._refit_pending = True  # one refit after a burst of changes
            QTimer.singleShot(0, self.refit)

    def _build_at_normal_size(self, names: list[str]) -> None:
        """Panels not built yet are built under the normal application font: fonts a panel
        derives from it (a bigger readout) are then scaled once, like everyone else's, not
        twice."""
        docks = [self.window.docks[n] for n in names if n in self.window.docks]
        if all(d.panel is not None for d in docks):
            return
        app = QApplication.instance()
        scaled = QFont(app.font())
        app.setFont(self._saved["font"])
        for dock in docks:
            dock.ensure_panel()
        app.setFont(scaled)

    def refit(self) -> None:
        """Fold what must go for the scene to fit the window as it is now (again after a
        resize or a new scale: what was folded to fit comes back first)."""
        self._refit_pending = False
        if not self.active:
            return
        # A new application font reaches a hidden widget by posted events: deliver them first,
        # or a dock shown a moment ago measures with the fonts it had while hidden (tangent's
        # first scene at ×3 scrolled). Only these: paints come once, after the fit.
        for kind in SETTLE_FIRST:
            QApplication.sendPostedEvents(None, kind)
        panels = [self.window.docks[n].panel for n in self.shown]
        for panel in panels:
            if panel is not None:
                panel.presenter_sections.unfold_dropped()
        settle_layouts()
        for panel in panels:
            if panel is not None:
                panel.presenter_sections.favour_visualization()
        self.folded = fold_to_fit(self.window, self.shown, may_drop_secondary(
            self.window.screen().geometry(), self.scale))
        for _ in range(2):  # the status line saying what was folded takes room too
            self.folded += fold_for_share(self.window, self.shown, self.scale)
            if self.caption_box is not None:
                self.caption_box.set_status(
                    f"Folded to fit: {'; '.join(self.folded)}" if self.folded else "")

    @property
    def hidden_note(self) -> str:
        """What the status line says was folded to fit (empty when nothing was)."""
        return "; ".join(self.folded)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.window and event.type() == QEvent.Type.Resize and self.active:
            self._refit_soon()
        return False

    def step(self, direction: int) -> bool:
        """The clicker: the visible panel's next step, else the next scene."""
        if self.window.route_step(direction):
            return True
        scenes = self.window.lessons.scenes
        if scenes is None or not len(scenes):
            return False
        target = scenes.current + direction
        if 0 <= target < len(scenes):
            return self.go_to_scene(target)
        return False

    # -- blank screen and pen ------------------------------------------------------------------
    def _set_blank(self, on: bool) -> None:
        if on and self.blank is None:
            self.blank = QWidget(self.window)
            self.blank.setObjectName("presentation-blank")
            self.blank.setAutoFillBackground(True)
            pal = self.blank.palette()
            pal.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
            self.blank.setPalette(pal)
        if self.blank is not None:
            self.blank.setGeometry(self.window.rect())
            self.blank.setVisible(on)
            if on:
                self.blank.raise_()
        self.blanked = on

    def toggle_blank(self) -> None:
        self._set_blank(not self.blanked)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Presentation keys; returns True when the key was used."""
        from gradviz.ui.window_common import NEXT_KEYS, PREV_KEYS, text_input_has_focus

        if not self.active or text_input_has_focus():
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            if self.blanked:
                self._set_blank(False)
            else:
                self.stop()
            return True
        if key in BLANK_KEYS:
            self.toggle_blank()
            return True
        if self.blanked:
            return True  # nothing else happens behind a blank screen
        if key == Qt.Key.Key_C:
            if self.pen is not None:
                self.pen.clear()
            return True
        if key == Qt.Key.Key_P:
            if self.pen is not None:
                self.pen.set_pen_enabled(not self.pen.pen_enabled)
            return True
        if key in NEXT_KEYS or key in PREV_KEYS:
            self.step(+1 if key in NEXT_KEYS else -1)
            return True
        return False
