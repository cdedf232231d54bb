"""The visualization section of the surface panel: the 3D view (or, without OpenGL, a note and
the contour map in its place), the contour map, the loss-vs-step plot and, for the network
loss, the 1-D interpolation plot, in splitters."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from gradviz.ui.panels.surface.contour import QtContourView, QtLossPlot
from gradviz.ui.panels.surface.network import InterpolationPlot
from gradviz.ui.theme import Theme

#: Environment switch that forces the 2D fallback (remote sessions with broken GL drivers).
NO_OPENGL_ENV = "GRADVIZ_NO_OPENGL"


def opengl_unavailable_reason() -> str | None:
    """Why the 3D view cannot be shown here, or None when OpenGL works."""
    if os.environ.get(NO_OPENGL_ENV, "").strip() not in ("", "0"):
        return f"OpenGL is switched off ({NO_OPENGL_ENV} is set)"
    from PySide6.QtGui import QGuiApplication

    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return f"the {platform!r} display has no OpenGL"
    from gradviz.ui.gl_info import gl_renderer

    renderer = gl_renderer()
    if renderer.startswith("unavailable"):
        return renderer.removeprefix("unavailable: ")
    return None


def _make_scene(background: str):
    """The 3D scene, or ``(None, reason)`` when the driver cannot give one."""
    reason = opengl_unavailable_reason()
    if reason is not None:
        return None, reason
    try:
        from gradviz.ui.panels.surface.scene3d import QtSurfaceScene

        return QtSurfaceScene(background), None
    except Exception as exc:  # a broken driver must not take the panel down
        return None, f"the 3D view could not start ({type(exc).__name__}: {exc})"


class SurfaceViews(QSplitter):
    """3D view | (contour map / loss plot); without OpenGL: (note + map) | loss plot.

    ``scene`` is the :class:`~gradviz.ui.panels.surface.scene3d.QtSurfaceScene` or None, and
    ``gl_reason`` says why there is none.
    """

    def __init__(self, background: str, on_click: Callable[[float, float], None]) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.setObjectName("section-views")
        self.setChildrenCollapsible(False)
        self.contour = QtContourView(on_click)
        self.loss_plot = QtLossPlot()
        for plot, name in ((self.contour, "contour map: click to put the ball there"),
                           (self.loss_plot, "loss against step")):
            plot.setAccessibleName(name)
            plot.viewport().setAccessibleName(name)
        self.gl_note = QLabel()
        self.gl_note.setObjectName("surface-gl-note")
        self.gl_note.setWordWrap(True)
        self.gl_note.setTextFormat(Qt.TextFormat.RichText)
        self.gl_note.hide()
        self.scene, self.gl_reason = _make_scene(background)
        left = QWidget()
        self._left_layout = QVBoxLayout(left)
        self._left_layout.setContentsMargins(0, 0, 0, 0)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        # The note is always in the layout (hidden while the 3D view works), so a fall-back
        # at run time only has to move the map.
        self._left_layout.addWidget(self.gl_note)
        if self.scene is not None:
            self.scene.view.setAccessibleName("3D loss surface: drag to orbit, wheel to zoom")
            self._left_layout.addWidget(self.scene.view, 1)
            right.addWidget(self.contour)
        else:
            self._show_note()
            self._left_layout.addWidget(self.contour, 1)
        right.addWidget(self.loss_plot)
        # The network loss's 1-D interpolations, beside the surface (shown for that source).
        self.interp = InterpolationPlot()
        self.interp.setMinimumHeight(120)
        self.interp.hide()
        right.addWidget(self.interp)
        self._right = right
        self.addWidget(left)
        self.addWidget(right)
        self.setSizes([620, 380] if self.scene is not None else [560, 440])
        self.setMinimumHeight(200)

    def show_interpolation(self, visible: bool) -> None:
        """Show or hide the interpolation plot, sharing the column evenly when shown."""
        if visible == self.interp.isVisibleTo(self):
            return
        self.interp.setVisible(visible)
        if visible:
            count = self._right.count()
            self._right.setSizes([max(self._right.height(), 300) // count] * count)

    def fall_back_to_2d(self, reason: str) -> bool:
        """Replace the 3D view by the contour map and a note; False if there was no 3D view."""
        if self.scene is None:
            return False
        self.scene.view.hide()
        self.scene = None
        self.gl_reason = reason
        self._left_layout.insertWidget(1, self.contour, 1)
        self._show_note()
        return True

    def _show_note(self) -> None:
        self.gl_note.setText(
            f"<b>3D view unavailable:</b> {self.gl_reason}. The contour map shows the same "
            "surface from above, with the same balls, paths and arrows; everything else works.")
        self.gl_note.show()

    def apply_theme(self, theme: Theme) -> None:
        self.contour.apply_theme(theme)
        self.loss_plot.apply_theme(theme)
        self.interp.apply_theme(theme)
        if self.scene is not None:
            self.scene.set_background(theme.plot_bg)
        self.gl_note.setStyleSheet(f"color: {theme.text}; background: {theme.base}; "
                                   f"border: 2px solid {theme.warning}; padding: 6px;")
