"""The one scene item that draws a traced view: culled to the exposed rectangle with one NumPy
test per frame; coloured boxes far out, compact boxes (their title only, as large as the box
allows) while a shape line would be too small to read, and then title, shape, statistics and
gradients. Its text sizes are in :mod:`.legibility`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from gradviz.ui.panels.graph_editor.style import CanvasStyle, font
from gradviz.ui.panels.traced.drawing import Drawing, title_lines
from gradviz.ui.panels.traced.legibility import BODY_PX, COMPACT_PX, LEGIBLE_PX, TITLE_PX

#: Below this zoom only coloured boxes are drawn; below FULL_LOD (where the shape line would
#: be under LEGIBLE_PX on screen) boxes are compact, their title only.
TITLE_LOD = 0.32
FULL_LOD = LEGIBLE_PX / BODY_PX
#: Callouts (the animation's numbers for lit boxes whose own lines are too small) are at least
#: this tall on screen, and as tall as values must be while presenting.
CALLOUT_PX = 14
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
        #: On-screen height values and gradients must reach (larger while presenting).
        self.value_px = LEGIBLE_PX
        #: What the last paint drew: ``mode`` ("boxes", "compact", "full"), the smallest
        #: ``title_px`` and the ``body_px`` in scene units, ``callout_px`` on screen, and
        #: ``empty_bodies``: full boxes drawn without a line of text (there should be none).
        self.painted: dict[str, object] = {}
        self._fonts: dict[int, QFont] = {}
        self._compact: dict[int, str] = {}
        self._bounds = QRectF()
        #: The boxes' extent (what fit to view frames), without the callouts' room.
        self.graph_rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_drawing(self, drawing: Drawing) -> None:
        self.prepareGeometryChange()
        self.drawing = drawing
        self._lines, self._rects, self._titles, self._compact = {}, {}, {}, {}
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

    def value_text_pixels(self) -> float:
        """How tall a box's value and gradient lines are, in scene units (times the view's
        scale, what the back row reads), as the hand-built canvas's nodes report it."""
        return QFontMetricsF(font(BODY_PX)).height()

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
        self.painted = {"mode": "boxes", "title_px": None, "body_px": None,
                        "callout_px": None, "empty_bodies": 0}
        if lod < TITLE_LOD:
            self._paint_boxes(painter, d, idx)
        elif lod < FULL_LOD:
            self._paint_compact(painter, d, idx)
        else:
            self._paint_nodes(painter, d, idx)
        # While presenting, a lit box whose own lines are under the room's size gets its
        # number at that size: level of detail never hides the value or gradient being shown.
        if self.callouts and lod * BODY_PX < self.value_px:
            self._paint_callouts(painter, d)

    def _paint_callouts(self, painter: QPainter, d: Drawing) -> None:
        """The animation's numbers for the lit boxes, in screen pixels over each box's body
        (from its left edge below the title bar), as large as the room needs."""
        to_screen = painter.worldTransform()
        painter.save()
        painter.resetTransform()
        px = max(CALLOUT_PX, round(self.value_px + 0.49))
        self.painted["callout_px"] = float(px)
        f = font(px)
        metrics = QFontMetricsF(f)
        painter.setFont(f)
        for i, text in self.callouts.items():
            x0, y0 = d.rects[i, :2].tolist()
            at = to_screen.map(QPointF(x0, y0 + 26))
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

    def _border(self, painter: QPainter, i: int, pending: bool) -> None:
        """The box's outline: accent when selected or found, pink once reached."""
        s = self.style
        reached = self.reached is not None and self.reached[i]
        border = s.accent if (i == self.selected or i in self.hits) else (
            s.lit if reached else s.grid_major if pending else s.node_border)
        painter.setPen(QPen(border, 3.0 if border in (s.accent, s.lit) else 1.0))

    def _head_fill(self, i: int, pending: bool) -> QColor:
        s = self.style
        return s.lit if i in self.current else s.grid_major if pending \
            else self._fill(self.drawing.roles[i])

    def _title_pen(self, painter: QPainter, i: int, pending: bool) -> None:
        s = self.style
        painter.setPen(s.muted if pending and i not in self.current else s.header_text)

    def _paint_compact(self, painter: QPainter, d: Drawing, idx: np.ndarray) -> None:
        """Shape lines too small to read: each box is all title, in ``COMPACT_PX`` type on up
        to two lines ("Addmm" over "Backward0"), rather than a header over an empty body. A
        lit box keeps its title bar: its callout (:meth:`_paint_callouts`) is its body."""
        big = self._font(int(COMPACT_PX))
        painter.setFont(big)
        smallest = COMPACT_PX
        for i, box in zip(idx.tolist(), self.rects(idx), strict=True):
            pending = self.pending is not None and self.pending[i]
            if i in self.callouts:
                self._paint_head(painter, d, i, box, pending)
                painter.setFont(big)
                smallest = TITLE_PX
                continue
            self._border(painter, i, pending)
            painter.setBrush(QBrush(self._head_fill(i, pending)))
            painter.drawRoundedRect(box, 5, 5)
            self._title_pen(painter, i, pending)
            painter.drawText(box.adjusted(7, 0, -5, 0), Qt.AlignmentFlag.AlignVCenter,
                             self._compact_title(i, box.width() - 12))
            if d.badges[i]:
                self._badge(painter, box, d.badges[i])
        self.painted.update(mode="compact", title_px=smallest if len(idx) else None)

    def _paint_nodes(self, painter: QPainter, d: Drawing, idx: np.ndarray) -> None:
        """Title bar, then the shape line and the value or gradient line (legible here)."""
        small, text = font(BODY_PX), self.style.text
        empty = 0
        for i, box in zip(idx.tolist(), self.rects(idx), strict=True):
            pending = self.pending is not None and self.pending[i]
            self._paint_head(painter, d, i, box, pending)
            painter.setFont(small)
            painter.setPen(text)
            extra = i in self.details and not pending
            lines = d.subtitles[i] + ("\n" + self.details[i] if extra else "")
            empty += not lines.strip()
            painter.drawText(box.adjusted(6, 26, -4, -1), Qt.AlignmentFlag.AlignLeft, lines)
        self.painted.update(mode="full", title_px=TITLE_PX, body_px=BODY_PX,
                            empty_bodies=empty)

    def _paint_head(self, painter: QPainter, d: Drawing, i: int, box: QRectF,
                    pending: bool) -> None:
        """A full box's outline, fill and title bar (its badge too), without its lines."""
        s = self.style
        self._border(painter, i, pending)
        dim = pending or d.roles[i] in ("module", "repeat")
        painter.setBrush(QBrush(s.node_dim if dim else s.node_fill))
        painter.drawRoundedRect(box, 5, 5)
        head = QRectF(box.left(), box.top(), box.width(), 24)
        painter.fillRect(head.adjusted(1, 1, -1, 0), self._head_fill(i, pending))
        title_font = self._font(int(TITLE_PX))
        painter.setFont(title_font)
        self._title_pen(painter, i, pending)
        painter.drawText(head.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter,
                         self._title(i, title_font, head.width() - 10))
        if d.badges[i]:
            self._badge(painter, box, d.badges[i])

    def _font(self, px: int) -> QFont:
        f = self._fonts.get(px)
        if f is None:
            f = self._fonts[px] = font(px, bold=True)
        return f

    def _compact_title(self, i: int, width: float) -> str:
        """A compact box's title: one line when it fits ``width``, else two
        (:func:`~.drawing.title_lines`), each elided as :meth:`_title` does."""
        text = self._compact.get(i)
        if text is None:
            f = self._font(int(COMPACT_PX))
            whole = self.drawing.titles[i]
            lines = [whole] if QFontMetricsF(f).horizontalAdvance(whole) <= width \
                else title_lines(whole)
            text = self._compact[i] = "\n".join(self._elide(i, f, width, line)
                                                 for line in lines)
        return text

    def _title(self, i: int, title_font, width: float) -> str:
        """The title as it fits its box: names (parameters, modules) keep their end, where the
        informative part is ("…self_attn.in_proj_weight"); operation names keep their start."""
        text = self._titles.get(i)
        if text is None:
            text = self._titles[i] = self._elide(i, title_font, width)
        return text

    def _elide(self, i: int, title_font: QFont, width: float, text: str | None = None) -> str:
        mode = Qt.TextElideMode.ElideRight if self.drawing.roles[i] == "op" \
            else Qt.TextElideMode.ElideLeft
        text = self.drawing.titles[i] if text is None else text
        return QFontMetricsF(title_font).elidedText(text, mode, width)

    def _badge(self, painter: QPainter, box: QRectF, text: str) -> None:
        pill = QRectF(box.right() - 50, box.top() - 14, 56, 26)
        painter.setBrush(QBrush(self.style.accent))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(pill, 11, 11)
        painter.setPen(self.style.header_text)
        painter.setFont(font(17, bold=True))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
