"""Zooming and framing: the wheel zooms about the cursor, F frames every node.

While presenting, framing never zooms out below the zoom at which a node's value and gradient
lines are legible from the back of a room (:meth:`ZoomTool.legible_zoom`); a graph too large to
fit at that zoom is shown around its active node instead.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, QTimer
from PySide6.QtGui import QPainter, QWheelEvent

from gradviz.ui.panels.graph_editor.items import COMPACT_LOD
from gradviz.ui.panels.graph_editor.node_item import NodeItem, value_text_height
from gradviz.ui.widgets.view_zoom import fit_legibly, scroll_by

MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.12, 4.0, 1.6
#: Scene units of margin around the graph when it is framed.
FIT_MARGIN = 50.0
#: While presenting, value text is at least this many screen pixels tall per unit of the
#: presentation scale (18 px at ×1.5, 24 px at ×2), and never under PRESENT_MIN_PX.
PRESENT_PX_PER_SCALE = 12.0
PRESENT_MIN_PX = 18.0
#: A hair above the floor, so rounding never lands the type a fraction of a pixel under it.
_HEADROOM = 1.005
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
        #: The presentation scale while presenting, else None.
        self.presenting_scale: float | None = None
        #: True while the view shows what the last fit framed: a resize frames again; the
        #: user's own wheel zoom or pan keeps its view.
        self.auto_fit = True
        #: True when the last fit could not show the whole graph at a legible zoom.
        self.overflowing = False

    def zoom(self) -> float:
        return self.view.transform().m11()

    def wheel(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.auto_fit = False
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
        scroll_by(self.view, dx, dy)

    def legible_zoom(self) -> float:
        """The least zoom at which value text is legible while presenting (``MIN_ZOOM`` when
        not presenting): its on-screen height is ``PRESENT_PX_PER_SCALE`` × the scale, and at
        least ``PRESENT_MIN_PX``."""
        if self.presenting_scale is None:
            return MIN_ZOOM
        smallest = min((item.value_text_pixels() for item in self.view.nodes.values()),
                       default=value_text_height())
        pixels = max(PRESENT_MIN_PX, PRESENT_PX_PER_SCALE * self.presenting_scale)
        wanted = pixels * _HEADROOM / smallest
        return min(MAX_ZOOM, max(MIN_ZOOM, wanted))

    def set_presenting(self, scale: float | None) -> None:
        """Start (``scale``) or stop (None) presenting: level of detail keeps every value and
        gradient, and the graph is framed again."""
        self.presenting_scale = scale
        NodeItem.presenting = scale is not None
        for item in self.view.nodes.values():
            item.update()
        self.fit_all()

    def fit_all(self, focus: QPointF | None = None) -> None:
        """Frame every node with a margin; never zoom in beyond :data:`FIT_MAX_ZOOM`, nor out
        below :meth:`legible_zoom`. When the graph does not fit at that zoom, centre ``focus``
        (scene point, e.g. the active node), or else show its left end: the leaves, where the
        ``.grad`` a lecture is about is written, rather than a middle that cuts them off."""
        view = self.view
        self.auto_fit = True
        items = list(view.nodes.values())
        if not items:
            self.overflowing = False
            view.resetTransform()
            view.centerOn(0, 0)
            self.zoom_changed()
            return
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        zoom, self.overflowing = fit_legibly(view, rect, self.legible_zoom(), FIT_MAX_ZOOM)
        if not self.overflowing:
            view.centerOn(rect.center())
        elif focus is not None:
            view.centerOn(focus)
        else:
            half_width = view.viewport().width() / (2 * zoom)
            view.centerOn(min(rect.center().x(), rect.left() + half_width), rect.center().y())
        self.zoom_changed()

    def follow(self, rect: QRectF) -> None:
        """Pan just enough that ``rect`` (scene, e.g. the active node) is in view."""
        if not rect.isEmpty():
            self.view.ensureVisible(rect, 20, 20)

    def zoom_changed(self) -> None:
        """Hide edge labels when zoomed too far out to read them; show them again after."""
        readable = self.zoom() >= COMPACT_LOD or self.presenting_scale is not None
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
