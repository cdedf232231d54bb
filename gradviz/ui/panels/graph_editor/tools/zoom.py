"""Zooming and framing: the wheel zooms about the cursor, F frames every node."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter, QWheelEvent

from gradviz.ui.panels.graph_editor.items import COMPACT_LOD
from gradviz.ui.panels.graph_editor.node_item import NodeItem

MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.12, 4.0, 1.6
#: Zoom factor per degree of wheel turn (an eighth of the angle delta).
WHEEL_BASE = 1.0015
#: How long after the last wheel step far-out nodes get their titles back.
SETTLE_MS = 160


class ZoomTool:
    """Zoom between :data:`MIN_ZOOM` and :data:`MAX_ZOOM`, keeping the point under the cursor
    fixed; the level of detail follows (edge labels hide when too small to read, far-out nodes
    draw plain boxes while the wheel turns)."""

    def __init__(self, view) -> None:
        self.view = view
        self._settle = QTimer(view)
        self._settle.setSingleShot(True)
        self._settle.timeout.connect(self._interaction_ended)

    def zoom(self) -> float:
        return self.view.transform().m11()

    def wheel(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(WHEEL_BASE ** delta, event.position().toPoint())
        event.accept()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels) fixed."""
        view = self.view
        anchor = anchor if anchor is not None else view.viewport().rect().center()
        current = self.zoom()
        factor = max(MIN_ZOOM / current, min(MAX_ZOOM / current, factor))
        if abs(factor - 1.0) < 1e-9:
            return
        before = view.mapToScene(anchor)
        self._interaction_started()
        view.scale(factor, factor)
        self.zoom_changed()
        after = view.mapFromScene(before)
        self.pan_by(after.x() - anchor.x(), after.y() - anchor.y())

    def pan_by(self, dx: float, dy: float) -> None:
        h, v = self.view.horizontalScrollBar(), self.view.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def fit_all(self) -> None:
        """Frame every node; never zoom in beyond :data:`FIT_MAX_ZOOM`."""
        view = self.view
        items = list(view.nodes.values())
        if not items:
            view.resetTransform()
            view.centerOn(0, 0)
            self.zoom_changed()
            return
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-50, -50, 50, 50)
        view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX_ZOOM:
            view.resetTransform()
            view.scale(FIT_MAX_ZOOM, FIT_MAX_ZOOM)
        view.centerOn(rect.center())
        self.zoom_changed()

    def zoom_changed(self) -> None:
        """Hide edge labels when zoomed too far out to read them; show them again after."""
        readable = self.zoom() >= COMPACT_LOD
        mirror = self.view.mirror
        if readable != mirror.labels_readable:
            # Zoomed far out, smooth curves are invisible and cost most of a frame.
            self.view.setRenderHint(QPainter.RenderHint.Antialiasing, readable)
            mirror.set_labels_readable(readable)

    def _interaction_started(self) -> None:
        """While the wheel turns, far-out nodes skip their titles; they return when it stops."""
        NodeItem.interacting = True
        self._settle.start(SETTLE_MS)

    def _interaction_ended(self) -> None:
        NodeItem.interacting = False
        self.view.viewport().update()

    def stop(self) -> None:
        self._settle.stop()
        NodeItem.interacting = False
