"""The traced graph's canvas: one scene item draws every box and edge of the view, culled to
the exposed rectangle with one NumPy test per frame, with three levels of detail (coloured
boxes far out; titles; then shape, statistics and gradients), so a 3,000-node graph pans and
zooms within a frame."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QStyleOptionGraphicsItem,
)

from gradviz.ui.panels.graph_editor.style import CanvasStyle, font
from gradviz.ui.panels.traced.drawing import Drawing

#: Below this zoom only coloured boxes are drawn; below FULL_LOD only titles.
TITLE_LOD = 0.32
FULL_LOD = 0.75
#: Callouts (the animation's numbers beside small boxes) are this tall on screen.
CALLOUT_PX = 14
MIN_ZOOM, MAX_ZOOM = 0.01, 4.0
#: Fit to view never zooms in beyond this (a three-box graph stays a three-box graph).
FIT_MAX = 1.25
ROLES = ("op", "leaf", "root", "module", "repeat")
#: Scene units kept around the graph for callouts (a callout is about 200 × 22 screen pixels).
CALLOUT_ROOM = 600.0


class GraphItem(QGraphicsItem):
    """Draws a :class:`Drawing`; extra per-item text (statistics, gradients) comes from
    ``details`` (index → line), filled by the panel for what is on screen."""

    def __init__(self, style: CanvasStyle) -> None:
        super().__init__()
        self.style = style
        self.drawing: Drawing | None = None
        # Qt objects are made for what is painted, once per drawing (a fold redraws at once).
        self._lines: dict[int, QLineF] = {}
        self._rects: dict[int, QRectF] = {}
        self._titles: dict[int, str] = {}
        self.role_codes = np.zeros(0, dtype=int)
        self.details: dict[int, str] = {}
        self.selected = -1
        self.hits: set[int] = set()
        self.reached: np.ndarray | None = None
        #: Items the forward animation has not computed yet (drawn faint, without numbers).
        self.pending: np.ndarray | None = None
        self.current: set[int] = set()
        #: Item → the value or gradient it just got, drawn at screen size beside its box while
        #: the boxes are too small for their own detail line.
        self.callouts: dict[int, str] = {}
        self._bounds = QRectF()
        #: The boxes' extent (what fit to view frames), without the callouts' room.
        self.graph_rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_drawing(self, drawing: Drawing) -> None:
        self.prepareGeometryChange()
        self.drawing = drawing
        self._lines, self._rects, self._titles = {}, {}, {}
        self.role_codes = np.array([ROLES.index(r) for r in drawing.roles], dtype=int)
        x0, y0, x1, y1 = drawing.bounds()
        self.graph_rect = QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(-20, -20, 20, 20)
        # Room for the callouts, which keep their screen size right of a box's top.
        self._bounds = self.graph_rect.adjusted(0, 0, CALLOUT_ROOM, CALLOUT_ROOM)
        self.details, self.selected, self.hits = {}, -1, set()
        self.reached, self.pending, self.current = None, None, set()
        self.callouts = {}
        self.update()

    def lines(self, idx: np.ndarray) -> list[QLineF]:
        cache, rows = self._lines, self.drawing.lines
        for i in idx.tolist():
            if i not in cache:
                cache[i] = QLineF(*rows[i].tolist())
        return [cache[i] for i in idx.tolist()]

    def rects(self, idx: np.ndarray) -> list[QRectF]:
        cache, rows = self._rects, self.drawing.rects
        for i in idx.tolist():
            if i not in cache:
                x0, y0, x1, y1 = rows[i].tolist()
                cache[i] = QRectF(x0, y0, x1 - x0, y1 - y0)
        return [cache[i] for i in idx.tolist()]

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def _fill(self, role: str) -> QColor:
        s = self.style
        return {"leaf": s.header_leaf, "root": s.header_output, "module": s.header_const,
                "repeat": s.header_const}.get(role, s.header_op)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        d = self.drawing
        if d is None or not len(d):
            return
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        r = option.exposedRect
        x0, y0, x1, y1 = r.left(), r.top(), r.right(), r.bottom()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= TITLE_LOD)
        self._paint_edges(painter, d, x0, y0, x1, y1)
        b = d.rects
        idx = np.flatnonzero((b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1))
        if lod < TITLE_LOD:
            self._paint_boxes(painter, d, idx)
        else:
            self._paint_nodes(painter, d, idx, full=lod >= FULL_LOD)
        if lod < FULL_LOD and self.callouts:
            self._paint_callouts(painter, d)

    def _paint_callouts(self, painter: QPainter, d: Drawing) -> None:
        """The animation's numbers for the lit boxes, in screen pixels over each box's body
        (empty at this level of detail), from its left edge below the title bar."""
        to_screen = painter.worldTransform()
        painter.save()
        painter.resetTransform()
        f = font(CALLOUT_PX)
        metrics = QFontMetricsF(f)
        painter.setFont(f)
        for i, text in self.callouts.items():
            x0, y0 = d.rects[i, :2].tolist()
            at = to_screen.map(QPointF(x0, y0 + 24))
            box = QRectF(at.x(), at.y() + 1, metrics.horizontalAdvance(text) + 12,
                         metrics.height() + 6)
            painter.setPen(QPen(self.style.lit, 1.5))
            painter.setBrush(QBrush(self.style.label_fill))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(self.style.text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_edges(self, painter: QPainter, d: Drawing, x0, y0, x1, y1) -> None:
        ln = d.lines
        if not len(ln):
            return
        lo_x, hi_x = np.minimum(ln[:, 0], ln[:, 2]), np.maximum(ln[:, 0], ln[:, 2])
        lo_y, hi_y = np.minimum(ln[:, 1], ln[:, 3]), np.maximum(ln[:, 1], ln[:, 3])
        vis = (hi_x >= x0) & (lo_x <= x1) & (hi_y >= y0) & (lo_y <= y1)
        lit = np.zeros(len(ln), dtype=bool)
        if self.reached is not None:
            lit = self.reached[d.edge_items[:, 0]] & self.reached[d.edge_items[:, 1]]
        faint = np.zeros(len(ln), dtype=bool)
        if self.pending is not None:  # a value not yet computed has not flowed along it
            faint = self.pending[d.edge_items[:, 0]]
        for colour, mask in ((self.style.idle_edge, vis & ~lit & ~faint),
                             (self.style.grid_major, vis & faint)):
            pen = QPen(colour, 1.2)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawLines(self.lines(np.flatnonzero(mask)))
        if lit.any():
            pen = QPen(self.style.lit, 3.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawLines(self.lines(np.flatnonzero(vis & lit)))

    def _paint_boxes(self, painter: QPainter, d: Drawing, idx: np.ndarray) -> None:
        """Far out: one ``drawRects`` per colour, the groups picked with NumPy masks."""
        painter.setPen(Qt.PenStyle.NoPen)
        role = self.role_codes[idx]
        marked = np.zeros(len(d), dtype=bool)
        marked[list(self.hits | {self.selected} - {-1})] = True
        reached = self.reached if self.reached is not None else np.zeros(len(d), dtype=bool)
        groups = [(self.style.accent, marked[idx]),
                  (self.style.lit, reached[idx] & ~marked[idx])]
        rest = ~(marked[idx] | reached[idx])
        if self.pending is not None:
            groups.append((self.style.grid_major, rest & self.pending[idx]))
            rest = rest & ~self.pending[idx]
        groups += [(self._fill(name), rest & (role == code)) for code, name in enumerate(ROLES)]
        for colour, mask in groups:
            if mask.any():
                painter.setBrush(QBrush(colour))
                painter.drawRects(self.rects(idx[mask]))

    def _paint_nodes(self, painter: QPainter, d: Drawing, idx: np.ndarray, full: bool) -> None:
        s = self.style
        title_font, small = font(16, bold=True), font(13)
        for i, box in zip(idx.tolist(), self.rects(idx), strict=True):
            x0, y0, x1 = box.left(), box.top(), box.right()
            reached = self.reached is not None and self.reached[i]
            pending = self.pending is not None and self.pending[i]
            border = s.accent if (i == self.selected or i in self.hits) else (
                s.lit if reached else s.grid_major if pending else s.node_border)
            painter.setPen(QPen(border, 3.0 if border in (s.accent, s.lit) else 1.0))
            dim = pending or d.roles[i] in ("module", "repeat")
            painter.setBrush(QBrush(s.node_dim if dim else s.node_fill))
            painter.drawRoundedRect(box, 5, 5)
            head = QRectF(x0, y0, x1 - x0, 24)
            painter.fillRect(head.adjusted(1, 1, -1, 0), s.lit if i in self.current else
                             s.grid_major if pending else self._fill(d.roles[i]))
            painter.setFont(title_font)
            painter.setPen(s.muted if pending and i not in self.current else s.header_text)
            painter.drawText(head.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter,
                             self._title(i, title_font, head.width() - 10))
            if d.badges[i]:
                self._badge(painter, box, d.badges[i])
            if full:
                painter.setFont(small)
                painter.setPen(s.text)
                extra = i in self.details and not pending
                lines = d.subtitles[i] + ("\n" + self.details[i] if extra else "")
                painter.drawText(box.adjusted(6, 26, -4, -1), Qt.AlignmentFlag.AlignLeft, lines)

    def _title(self, i: int, title_font, width: float) -> str:
        """The title as it fits its box: names (parameters, modules) keep their end, where the
        informative part is ("…self_attn.in_proj_weight"); operation names keep their start."""
        text = self._titles.get(i)
        if text is None:
            mode = Qt.TextElideMode.ElideRight if self.drawing.roles[i] == "op" \
                else Qt.TextElideMode.ElideLeft
            text = QFontMetricsF(title_font).elidedText(self.drawing.titles[i], mode, width)
            self._titles[i] = text
        return text

    def _badge(self, painter: QPainter, box: QRectF, text: str) -> None:
        pill = QRectF(box.right() - 50, box.top() - 14, 56, 26)
        painter.setBrush(QBrush(self.style.accent))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(pill, 11, 11)
        painter.setPen(self.style.header_text)
        painter.setFont(font(17, bold=True))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


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
        for bar, delta in ((self.horizontalScrollBar(), dx), (self.verticalScrollBar(), dy)):
            bar.setValue(bar.value() + round(delta))

    def fit_all(self) -> None:
        """Frame the whole graph, never zooming in beyond ``FIT_MAX``."""
        rect = self.item.graph_rect
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX:
            self.zoom_by(FIT_MAX / self.zoom())
            self.centerOn(rect.center())
        self.auto_fit = True
        self._update_hint()

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
