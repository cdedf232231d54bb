"""The traced graph's canvas: one scene item (:mod:`.graph_item`) draws every box and edge of
the view with three levels of detail, so a 3,000-node graph pans and zooms within a frame.

Fit to view keeps a small graph (and, while presenting, any graph) at a zoom where its text
reads (:mod:`.legibility`): a graph wider than that scrolls, shown from its inputs or around the
active box, and the animation follows the active box."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel

from gradviz.ui.panels.graph_editor.style import CanvasStyle
from gradviz.ui.panels.traced.drawing import Drawing
from gradviz.ui.panels.traced.graph_item import FULL_LOD, TITLE_LOD, GraphItem
from gradviz.ui.panels.traced.legibility import SMALL_GRAPH, legible_zoom, value_px
from gradviz.ui.widgets.view_zoom import fit_legibly, scroll_by

__all__ = ["FULL_LOD", "TITLE_LOD", "GraphItem", "QtTracedCanvas"]

MIN_ZOOM, MAX_ZOOM = 0.01, 4.0
#: Fit to view never zooms in beyond this (a three-box graph stays a three-box graph).
FIT_MAX = 1.25


class QtTracedCanvas(QGraphicsView):
    """Pan (drag), zoom (wheel), fit; a click reports the item under the pointer."""

    item_clicked = Signal(int)
    item_double_clicked = Signal(int)

    def __init__(self, style: CanvasStyle, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("traced-canvas")
        self.setAccessibleName("Traced graph canvas")
        self.setScene(QGraphicsScene(self))
        self.item = GraphItem(style)
        self.scene().addItem(self.item)
        self.setBackgroundBrush(style.background)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self._press: QPoint | None = None
        # A child of the view, not of its viewport: scrolling moves the viewport's children.
        self.hint = QLabel(self)
        self.hint.setObjectName("traced-zoom-hint")
        self.hint.hide()
        self._style_hint(style)
        #: Refit on resize until the user pans or zooms (the dock settles its size late).
        self.auto_fit = False
        #: The presentation scale while presenting, else None.
        self.presenting_scale: float | None = None
        #: True when the last fit could not show the whole graph at a legible zoom.
        self.overflowing = False

    def _style_hint(self, style: CanvasStyle) -> None:
        self.hint.setStyleSheet(f"background: {style.label_fill.name()}; "
                                f"color: {style.text.name()}; padding: 4px;")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # QGraphicsView hints the scene's size; the dock's scroll area sizes a word-wrapped
        # panel from its parts' hints, so a large graph would make the panel scroll.
        return QSize(480, 320)

    def set_style(self, style: CanvasStyle) -> None:
        self._style_hint(style)
        self.item.style = style
        self.setBackgroundBrush(style.background)
        self.item.update()

    def set_drawing(self, drawing: Drawing) -> None:
        self.item.set_drawing(drawing)
        self.scene().setSceneRect(self.item.graph_rect.adjusted(-400, -400, 400, 400))
        self._update_hint()

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels) fixed."""
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        factor = max(MIN_ZOOM / self.zoom(), min(MAX_ZOOM / self.zoom(), factor))
        self.auto_fit = False
        fixed = self.mapToScene(anchor)
        self.scale(factor, factor)
        shift = self.mapFromScene(fixed) - anchor
        self.pan_by(shift.x(), shift.y())
        self._update_hint()

    def pan_by(self, dx: float, dy: float) -> None:
        scroll_by(self, dx, dy)

    def set_presenting(self, scale: float | None) -> None:
        """Start presenting at ``scale`` (None: stop): values, gradients and callouts are
        drawn at the room's size and the graph is framed again at a zoom where they read."""
        if scale == self.presenting_scale:
            return
        self.presenting_scale = scale
        self.item.value_px = value_px(scale)
        self.item.update()
        self.fit_all()
        # Presentation mode zooms every canvas by its scale after telling the panels; this
        # canvas sizes its text itself, so the fit decides the zoom once that is done.
        QTimer.singleShot(0, self, self._refit)

    def _refit(self) -> None:
        if self.auto_fit:
            self.fit_all()

    def legible_zoom(self) -> float:
        """The least zoom fit to view may choose: where values read, for a small graph or
        while presenting; no floor for a large graph at the normal scale (it fits whole)."""
        d = self.item.drawing
        small = d is not None and len(d) <= SMALL_GRAPH
        if self.presenting_scale is None and not small:
            return MIN_ZOOM
        return min(MAX_ZOOM, legible_zoom(self.presenting_scale))

    def fit_all(self) -> None:
        """Frame the whole graph, never zooming in beyond ``FIT_MAX`` nor out below
        :meth:`legible_zoom`. A graph wider than that is shown around its active boxes, or
        else from its left end (the inputs, where a forward pass starts)."""
        rect = self.item.graph_rect
        if rect.isEmpty():
            return
        zoom, self.overflowing = fit_legibly(self, rect, self.legible_zoom(), FIT_MAX)
        self.centerOn(self._fit_centre(rect, zoom))
        self.auto_fit = True
        self._update_hint()

    def _fit_centre(self, rect: QRectF, zoom: float) -> QPointF:
        if not self.overflowing:
            return rect.center()
        d, current = self.item.drawing, sorted(self.item.current)
        if current:
            r = d.rects[current]
            return QPointF(float(r[:, [0, 2]].mean()), float(r[:, [1, 3]].mean()))
        half = self.viewport().width() / (2 * zoom)
        return QPointF(min(rect.center().x(), rect.left() + half), rect.center().y())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit_all()

    def center_on_item(self, index: int, zoom: float = 1.0) -> None:
        d = self.item.drawing
        if d is None or not 0 <= index < len(d):
            return
        x0, y0, x1, y1 = d.rects[index]
        self.zoom_by(zoom / self.zoom())
        self.centerOn(QPointF((x0 + x1) / 2, (y0 + y1) / 2))

    def visible_items(self) -> np.ndarray:
        """Indices of the items in view (for the panel to fill their detail lines)."""
        d = self.item.drawing
        if d is None:
            return np.zeros(0, dtype=int)
        r = self.mapToScene(self.viewport().rect()).boundingRect()
        b = d.rects
        return np.flatnonzero((b[:, 2] >= r.left()) & (b[:, 0] <= r.right())
                              & (b[:, 3] >= r.top()) & (b[:, 1] <= r.bottom()))

    def _update_hint(self) -> None:
        """Far out, say why the boxes carry no names and how to read them."""
        d = self.item.drawing
        far = d is not None and len(d) > 0 and self.zoom() < TITLE_LOD
        if far:
            self.hint.setText(f"Zoomed out to {self.zoom():.1%}: names appear from "
                              f"{TITLE_LOD:.0%}. Zoom in with the wheel, click a box to go to "
                              f"it, or fold modules with the slider.")
            self.hint.adjustSize()
            self.hint.move(self.viewport().pos() + QPoint(8, 8))
            self.hint.raise_()
        self.hint.setVisible(far)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15 ** steps, event.position().toPoint())
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._press = event.position().toPoint()
        self.auto_fit = False
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is not None and (event.position().toPoint() - press).manhattanLength() < 5 \
                and event.button() == Qt.MouseButton.LeftButton:
            self.item_clicked.emit(self._item_at(press))

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.item_double_clicked.emit(self._item_at(event.position().toPoint()))

    def _item_at(self, point: QPoint) -> int:
        d = self.item.drawing
        p = self.mapToScene(point)
        return -1 if d is None else d.item_at(p.x(), p.y())
