"""Panning: middle-drag, or Space + left-drag, moves the canvas."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from gradviz.ui.panels.graph_editor.tools.base import CanvasTool


class PanTool(CanvasTool):
    """Space only arms panning (the cursor becomes an open hand); on its own it does nothing, so
    a clicker's or a lecturer's stray Space never changes the graph."""

    def __init__(self, view) -> None:
        super().__init__(view)
        #: Space is held: a left-drag pans instead of selecting.
        self.armed = False
        self._from: QPoint | None = None

    @property
    def active(self) -> bool:
        return self._from is not None

    def press(self, event: QMouseEvent, pos: QPoint) -> bool:
        button = event.button()
        if button != Qt.MouseButton.MiddleButton and not (
                button == Qt.MouseButton.LeftButton and self.armed):
            return False
        self._from = pos
        self.view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        return True

    def move(self, event: QMouseEvent, pos: QPoint) -> None:
        d = pos - self._from
        self._from = pos
        self.view.pan_by(-d.x(), -d.y())

    def release(self, event: QMouseEvent, pos: QPoint) -> None:
        self._from = None
        self.view.viewport().unsetCursor()

    def space_pressed(self, event: QKeyEvent) -> None:
        if not event.isAutoRepeat():
            self.armed = True
            self.view.viewport().setCursor(Qt.CursorShape.OpenHandCursor)

    def space_released(self, event: QKeyEvent) -> bool:
        """Disarm on a real release of Space (True); an auto-repeat release is not ours."""
        if event.isAutoRepeat():
            return False
        self.armed = False
        if not self.active:
            self.view.viewport().unsetCursor()
        return True

    def cancel(self) -> None:
        self.armed = False
