"""The canvas: a ``QGraphicsView`` of the graph model.

It mirrors the model through the graph's events (``node_added``, ``edge_removed``, ``moved``, …),
turns gestures into graph commands pushed through the window's undo stack, and paints what the
panel tells it (:meth:`QtGraphView.apply_scene`). It computes nothing about gradients.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPainter, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLineEdit, QMenu, QWidget

from gradviz.graph import (
    Connect,
    Disconnect,
    Edge,
    Graph,
    GraphError,
    MoveNodes,
    Node,
    SetValue,
)
from gradviz.graph.elements import check_value
from gradviz.ui.panels.graph_editor.display import Scene
from gradviz.ui.panels.graph_editor.edits import (
    AddConnected,
    Macro,
    PasteNodes,
    delete_nodes,
    new_node_command,
)
from gradviz.ui.panels.graph_editor.items import (
    COMPACT_LOD,
    EdgeItem,
    NodeItem,
    PortItem,
    PulseItem,
    RubberBandEdgeItem,
    model_position,
    port_of,
    scene_point,
)
from gradviz.ui.panels.graph_editor.palette import KIND_MIME, QtPalettePopup
from gradviz.ui.panels.graph_editor.style import GRID, CanvasStyle, sign_colour

log = logging.getLogger(__name__)

MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.12, 4.0, 1.6
#: Value change per pixel when a leaf's value is scrubbed (Shift: ten times finer).
SCRUB_STEP = 0.05
SCENE_EXTENT = 100_000.0


class QtGraphView(QGraphicsView):
    """The node-editor canvas.

    Parameters
    ----------
    graph
        The model it shows.
    push
        ``push(command) -> bool``: runs a graph command through the undo stack.
    status
        Shows a message in the status bar (refused connections say why there).
    listen
        Connects a model signal so the owner can disconnect it later.
    """

    selection_changed = Signal()

    def __init__(self, graph: Graph, push: Callable[[Any], bool], status: Callable[[str], None],
                 listen: Callable[[Any, Callable], None], style: CanvasStyle,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graph-canvas")
        self.graph = graph
        self.push = push
        self.status = status
        self.style = style
        # Nodes keep a cached picture each; the default 10 MB cache holds ~100 of them.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 64 * 1024))
        self.scene_ = QGraphicsScene(self)
        self.scene_.setSceneRect(-SCENE_EXTENT, -SCENE_EXTENT, 2 * SCENE_EXTENT, 2 * SCENE_EXTENT)
        self.scene_.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setScene(self.scene_)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.pulse = PulseItem()
        self.scene_.addItem(self.pulse)
        self._scene_text = Scene()
        self._space = False
        self._labels_readable = True
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.timeout.connect(self._interaction_ended)
        self._last_mouse: QPoint | None = None
        self._pan_from: QPoint | None = None
        self._connect_from: PortItem | None = None
        self._rubber: RubberBandEdgeItem | None = None
        self._drag_start: dict[int, QPointF] = {}
        self._scrub: dict[str, Any] | None = None
        self._clipboard: tuple[list[Node], list[Edge]] | None = None
        self._paste_count = 0
        self.editor: QLineEdit | None = None
        self.popup: QtPalettePopup | None = None
        self.scene_.selectionChanged.connect(self._on_selection_changed)
        ev = graph.events
        listen(ev.node_added, self._on_node_added)
        listen(ev.node_removed, self._on_node_removed)
        listen(ev.edge_added, self._on_edge_added)
        listen(ev.edge_removed, self._on_edge_removed)
        listen(ev.moved, self._on_moved)
        listen(ev.value_changed, self._on_node_changed)
        listen(ev.renamed, self._on_node_changed)
        listen(ev.requires_grad_changed, self._on_node_changed)
        listen(ev.rebuilt, self.rebuild)
        self.rebuild()
        self.centerOn(0, 0)

    # ================================================================== model → items
    def rebuild(self) -> None:
        """Drop every item and build them again from the model (after load or reset)."""
        self._cancel_connect()
        for item in list(self.edges.values()):
            self._drop_edge_item(item)
        for item in list(self.nodes.values()):
            self.scene_.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self.pulse.setVisible(False)
        for node in self.graph.nodes:
            self._on_node_added(node)
        for edge in self.graph.edges:
            self._on_edge_added(edge)

    def _on_node_added(self, node: Node) -> None:
        if node.id in self.nodes:
            return
        item = NodeItem(node, self.style)
        self.nodes[node.id] = item
        self.scene_.addItem(item)
        view = self._scene_text.nodes.get(node.id)
        if view is not None:
            item.set_view(view)

    def _on_node_removed(self, node: Node) -> None:
        item = self.nodes.pop(node.id, None)
        if item is None:
            return
        for e in list(item.edges):
            self._drop_edge_item(e)
        self.scene_.removeItem(item)

    def _on_edge_added(self, edge: Edge) -> None:
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if src is None or dst is None or edge in self.edges:
            return
        item = EdgeItem(edge, src, dst, self.style)
        self.edges[edge] = item
        self.scene_.addItem(item)
        self.scene_.addItem(item.label)
        item.label.set_readable(self._labels_readable)

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self.edges.get(edge)
        if item is not None:
            self._drop_edge_item(item)

    def _drop_edge_item(self, item: EdgeItem) -> None:
        item.detach_from_nodes()
        self.edges.pop(item.edge, None)
        if item.label.scene() is not None:
            self.scene_.removeItem(item.label)
        if item.scene() is not None:
            self.scene_.removeItem(item)

    def _on_moved(self, node_id: int, position: tuple[float, float]) -> None:
        item = self.nodes.get(node_id)
        if item is not None:
            item.setPos(scene_point(position))

    def _on_node_changed(self, node_id: int, *_: Any) -> None:
        item = self.nodes.get(node_id)
        if item is not None and node_id in self.graph:
            item.set_node(self.graph.node(node_id))

    # ================================================================== painting state
    def apply_scene(self, scene: Scene) -> None:
        """Show the texts and states the panel worked out for the current frame."""
        self._scene_text = scene
        for nid, item in self.nodes.items():
            view = scene.nodes.get(nid)
            if view is not None:
                item.set_view(view)
        finite = [abs(v.contribution) for v in scene.edges.values()
                  if v.contribution is not None and math.isfinite(v.contribution)]
        largest = max(finite, default=0.0)
        for edge, item in self.edges.items():
            view = scene.edges.get(edge)
            if view is not None:
                item.set_view(view, largest)

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        for item in self.nodes.values():
            item.set_style(style)
        for item in self.edges.values():
            item.set_style(style)
        self.resetCachedContent()
        self.viewport().update()

    def show_pulse(self, edge: Edge, t: float) -> bool:
        """Put the gradient pulse at fraction ``t`` of its way back along ``edge`` (0 → 1 runs
        from the consumer's input port to the producer's output port)."""
        item = self.edges.get(edge)
        if item is None:
            self.pulse.setVisible(False)
            return False
        path = item.path()
        self.pulse.setPos(path.pointAtPercent(min(1.0, max(0.0, 1.0 - t))))
        sign = item.sign()
        self.pulse.set_colours(sign_colour(self.style, sign) if sign else self.style.muted,
                               self.style.lit)
        self.pulse.setVisible(True)
        return True

    def hide_pulse(self) -> None:
        self.pulse.setVisible(False)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.fillRect(rect, self.style.background)
        scale = self.transform().m11()
        if GRID * scale < 10:
            step = GRID * 5
            pens = [(step, QPen(self.style.grid_major, 0))]
        else:
            pens = [(GRID, QPen(self.style.grid_minor, 0)),
                    (GRID * 5, QPen(self.style.grid_major, 0))]
        for step, pen in pens:
            painter.setPen(pen)
            left = math.floor(rect.left() / step) * step
            top = math.floor(rect.top() / step) * step
            x = left
            lines = []
            while x <= rect.right():
                lines.append(QLineF(x, rect.top(), x, rect.bottom()))
                x += step
            y = top
            while y <= rect.bottom():
                lines.append(QLineF(rect.left(), y, rect.right(), y))
                y += step
            painter.drawLines(lines)

    # ================================================================== navigation
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_changed(self) -> None:
        """Hide edge labels when zoomed too far out to read them; show them again after."""
        readable = self.zoom() >= COMPACT_LOD
        if readable != self._labels_readable:
            self._labels_readable = readable
            # Zoomed far out, smooth curves are invisible and cost most of a frame.
            self.setRenderHint(QPainter.RenderHint.Antialiasing, readable)
            for item in self.edges.values():
                item.label.set_readable(readable)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels) fixed."""
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        current = self.zoom()
        factor = max(MIN_ZOOM / current, min(MAX_ZOOM / current, factor))
        if abs(factor - 1.0) < 1e-9:
            return
        before = self.mapToScene(anchor)
        self._interaction_started()
        self.scale(factor, factor)
        self.zoom_changed()
        after = self.mapFromScene(before)
        self.pan_by(after.x() - anchor.x(), after.y() - anchor.y())

    def pan_by(self, dx: float, dy: float) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def fit_all(self) -> None:
        """Frame every node (F); never zoom in beyond 160 %."""
        items = list(self.nodes.values())
        if not items:
            self.resetTransform()
            self.centerOn(0, 0)
            self.zoom_changed()
            return
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-50, -50, 50, 50)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX_ZOOM:
            self.resetTransform()
            self.scale(FIT_MAX_ZOOM, FIT_MAX_ZOOM)
        self.centerOn(rect.center())
        self.zoom_changed()

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015 ** delta, event.position().toPoint())
        event.accept()

    def _interaction_started(self) -> None:
        """While the wheel turns, far-out nodes skip their titles; they return when it stops."""
        NodeItem.interacting = True
        self._settle_timer.start(160)

    def _interaction_ended(self) -> None:
        NodeItem.interacting = False
        self.viewport().update()

    # ================================================================== mouse
    def _port_at(self, pos: QPoint) -> PortItem | None:
        for item in self.items(pos):
            port = port_of(item)
            if port is not None:
                return port
        return None

    def node_at(self, pos: QPoint) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
            port = port_of(item)
            if port is not None:
                return port.node_item
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = pos
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if button == Qt.MouseButton.LeftButton:
            self._close_editor()
            port = self._port_at(pos)
            if port is not None and port.is_output:
                self._start_connect(port, pos)
                event.accept()
                return
            node = self.node_at(pos)
            if node is not None and node.editable and port is None:
                local = node.mapFromScene(self.mapToScene(pos))
                if node.value_rect().contains(local):
                    self.scene_.clearSelection()
                    node.setSelected(True)
                    self._scrub = {"node": node.node_id, "x": pos.x(),
                                   "start": node.node.value, "active": False}
                    event.accept()
                    return
            if port is not None:
                event.accept()  # an input port: nothing to drag from here
                return
            edge = self._edge_at(pos) if node is None else None
            extend = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                          | Qt.KeyboardModifier.ShiftModifier)
            if not extend:
                self.pick_edges([])
            if edge is not None:
                self.scene_.clearSelection()
                self.pick_edges([*self.picked_edges(), edge])
                event.accept()
                return
        super().mousePressEvent(event)
        if button == Qt.MouseButton.LeftButton:
            self._drag_start = {i.node_id: i.pos() for i in self.selected_node_items()}

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        self._last_mouse = pos
        if self._pan_from is not None:
            d = pos - self._pan_from
            self._pan_from = pos
            self.pan_by(-d.x(), -d.y())
            event.accept()
            return
        if self._connect_from is not None:
            self._rubber.follow(self._connect_from.scenePos(), self.mapToScene(pos))
            event.accept()
            return
        if self._scrub is not None:
            dx = pos.x() - self._scrub["x"]
            if not self._scrub["active"] and abs(dx) < 4:
                return
            self._scrub["active"] = True
            fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            step = SCRUB_STEP / 10 if fine else SCRUB_STEP
            value = round(self._scrub["start"] + dx * step, 3 if fine else 2)
            nid = self._scrub["node"]
            if nid in self.graph and self.graph.node(nid).value != value:
                try:
                    check_value(value)
                except GraphError as exc:
                    self.status(str(exc))
                    return
                self.push(SetValue(nid, value, graph=self.graph))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._connect_from is not None:
            self._finish_connect(pos)
            event.accept()
            return
        if self._scrub is not None:
            self._scrub = None
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._drag_start:
            self._commit_drag()

    def _commit_drag(self) -> None:
        """One MoveNodes command for the whole drag, however many nodes moved."""
        moved = {}
        for nid, start in self._drag_start.items():
            item = self.nodes.get(nid)
            if item is not None and (item.pos() - start).manhattanLength() > 0.5:
                moved[nid] = model_position(item.pos())
        self._drag_start = {}
        if moved and not self.push(MoveNodes(moved, graph=self.graph)):
            for nid in moved:  # refused: put the items back where the model says
                if nid in self.graph:
                    self._on_moved(nid, self.graph.node(nid).position)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        node = self.node_at(pos)
        if node is not None and node.editable:
            self.edit_value(node.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.pos()
        node = self.node_at(pos)
        if node is None:
            edge = self._edge_at(pos)
            if edge is not None:
                menu = QMenu(self)
                menu.addAction("Disconnect", lambda: self.push(
                    Disconnect(edge.edge.dst, edge.edge.port, graph=self.graph)))
                menu.exec(event.globalPos())
                return
            self.open_palette(self.mapToScene(pos), event.globalPos())
            return
        if not node.isSelected():
            self.scene_.clearSelection()
            node.setSelected(True)
        menu = QMenu(self)
        if node.editable:
            menu.addAction("Edit value", lambda: self.edit_value(node.node_id))
        menu.addAction("Duplicate", self.duplicate)
        menu.addAction("Delete", self.delete_selection)
        menu.exec(event.globalPos())

    def _edge_at(self, pos: QPoint) -> EdgeItem | None:
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                return item
        return None

    # ================================================================== connecting
    def _start_connect(self, port: PortItem, pos: QPoint) -> None:
        self._connect_from = port
        self._rubber = RubberBandEdgeItem(self.style)
        self.scene_.addItem(self._rubber)
        self._rubber.follow(port.scenePos(), self.mapToScene(pos))
        src = port.node_item.node_id
        for item in self.nodes.values():
            for name, p in item.inputs.items():
                p.set_highlight("ok" if self.connect_refusal(src, item.node_id, name) is None
                                else "no")

    def connect_refusal(self, src: int, dst: int, port: str | None) -> str | None:
        """Why ``src → dst.port`` would be refused, or None if it is allowed (nothing changes)."""
        try:
            self.graph.check_connect(src, dst, port, replace=False)
        except GraphError as exc:
            return str(exc)
        return None

    def _cancel_connect(self) -> None:
        if self._rubber is not None and self._rubber.scene() is not None:
            self.scene_.removeItem(self._rubber)
        self._rubber = None
        self._connect_from = None
        for item in self.nodes.values():
            for p in item.inputs.values():
                p.set_highlight(None)

    def _finish_connect(self, pos: QPoint) -> None:
        src = self._connect_from.node_item.node_id
        scene_pos = self.mapToScene(pos)
        self._cancel_connect()
        port = self._port_at(pos)
        if port is not None and not port.is_output:
            self.try_connect(src, port.node_item.node_id, port.name)
            return
        node = self.node_at(pos)
        if node is not None:
            if node.node_id != src:
                self.try_connect(src, node.node_id, None)
            return
        # Dropped on empty canvas: offer the palette, to create a node fed by this output.
        kinds = [k for k, spec in self._kinds().items() if spec.inputs]
        self.open_palette(scene_pos, self.mapToGlobal(pos), kinds=kinds, source=src)

    def try_connect(self, src: int, dst: int, port: str | None) -> bool:
        """Connect through the undo stack, or explain in the status bar why not (no change)."""
        reason = self.connect_refusal(src, dst, port)
        if reason is not None:
            self.status(f"Not connected: {reason}")
            return False
        return self.push(Connect(src, dst, port, graph=self.graph))

    @staticmethod
    def _kinds():
        from gradviz.graph import KINDS

        return KINDS

    # ================================================================== adding nodes
    def open_palette(self, scene_pos: QPointF, global_pos: QPoint, kinds: list[str] | None = None,
                     source: int | None = None) -> QtPalettePopup:
        """The searchable palette at the cursor; the chosen kind is added at ``scene_pos``."""
        if self.popup is not None:
            self.popup.close()
            self.popup.deleteLater()
        title = "Add a node" if source is None else "Add a node fed by this output"
        self.popup = QtPalettePopup(self, lambda kind: self.add_node(kind, scene_pos, source),
                                    kinds=kinds, title=title)
        self.popup.popup_at(global_pos)
        return self.popup

    def add_node(self, kind: str, scene_pos: QPointF, source: int | None = None) -> bool:
        position = model_position(scene_pos)
        command = new_node_command(self.graph, kind, position)
        if source is not None and source in self.graph:
            return self.push(AddConnected(command, source, self.graph))
        return self.push(command)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        data = event.mimeData()
        if not data.hasFormat(KIND_MIME):
            super().dropEvent(event)
            return
        kind = bytes(data.data(KIND_MIME)).decode("ascii", "replace")
        if kind in self._kinds():
            self.add_node(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()

    # ================================================================== editing values
    def edit_value(self, node_id: int) -> QLineEdit | None:
        """An in-place editor over the value of an input or constant (Enter applies)."""
        item = self.nodes.get(node_id)
        if item is None or not item.editable:
            return None
        self._close_editor()
        rect = item.mapRectToScene(item.value_rect())
        view_rect = self.mapFromScene(rect).boundingRect()
        editor = QLineEdit(self.viewport())
        editor.setObjectName("graph-value-editor")
        editor.setText(repr(item.node.value))
        editor.selectAll()
        editor.setGeometry(view_rect.adjusted(-2, -4, 2, 4))
        f = editor.font()
        f.setPixelSize(max(12, round(14 * self.zoom())))
        editor.setFont(f)
        editor.returnPressed.connect(lambda: self._commit_editor(node_id))
        editor.installEventFilter(self)
        editor.show()
        editor.setFocus()
        self.editor = editor
        return editor

    def _commit_editor(self, node_id: int) -> None:
        if self.editor is None:
            return
        text = self.editor.text().strip()
        try:
            value = check_value(float(text))
        except (ValueError, OverflowError) as exc:
            reason = str(exc) if isinstance(exc, GraphError) else f"{text!r} is not a number"
            self.status(f"Value not changed: {reason}")
            self.editor.setStyleSheet(f"border: 2px solid {self.style.error.name()};")
            return
        self._close_editor()
        if node_id in self.graph and self.graph.node(node_id).value != value:
            self.push(SetValue(node_id, value, graph=self.graph))

    def _close_editor(self) -> None:
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.removeEventFilter(self)
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.editor:
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self._close_editor()
                return True
            if event.type() == QEvent.Type.FocusOut:
                self._close_editor()
        return super().eventFilter(obj, event)

    # ================================================================== selection, clipboard
    def selected_node_items(self) -> list[NodeItem]:
        return [i for i in self.scene_.selectedItems() if isinstance(i, NodeItem)]

    def selected_ids(self) -> list[int]:
        return sorted(i.node_id for i in self.selected_node_items())

    def select_all(self) -> None:
        for item in self.nodes.values():
            item.setSelected(True)

    def picked_edges(self) -> list[EdgeItem]:
        return [i for i in self.edges.values() if i.picked]

    def pick_edges(self, items: list[EdgeItem]) -> None:
        """Mark edges as picked (click an edge; Ctrl or Shift adds); Delete disconnects them."""
        keep = set(map(id, items))
        for item in self.edges.values():
            item.set_picked(id(item) in keep)

    def delete_selection(self) -> bool:
        ids = self.selected_ids()
        edges = [i for i in self.picked_edges()
                 if i.edge.src not in ids and i.edge.dst not in ids]
        commands = []
        if ids:
            commands.append(delete_nodes(self.graph, ids))
        commands += [Disconnect(e.edge.dst, e.edge.port, graph=self.graph) for e in edges]
        if not commands:
            return False
        if len(commands) == 1:
            return self.push(commands[0])
        return self.push(Macro(f"Delete {len(ids)} nodes and {len(edges)} edges", commands))

    def copy(self) -> bool:
        ids = set(self.selected_ids())
        if not ids:
            return False
        nodes = [self.graph.node(i) for i in sorted(ids)]
        edges = [e for e in self.graph.edges if e.src in ids and e.dst in ids]
        self._clipboard = (nodes, edges)
        self._paste_count = 0
        self.status(f"Copied {len(nodes)} node{'s' if len(nodes) != 1 else ''}")
        return True

    def paste(self, label: str = "Paste") -> bool:
        if self._clipboard is None:
            return False
        self._paste_count += 1
        d = 30.0 * self._paste_count
        command = PasteNodes(*self._clipboard, offset=(d, d), label=label)
        ok = self.push(command)
        if ok:
            self.scene_.clearSelection()
            for nid in command.new_ids:
                if nid in self.nodes:
                    self.nodes[nid].setSelected(True)
        return ok

    def duplicate(self) -> bool:
        return self.copy() and self.paste("Duplicate")

    # ================================================================== keys
    def event(self, event) -> bool:
        # Tab opens the palette instead of moving the focus to the next widget.
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def cursor_scene_pos(self) -> tuple[QPointF, QPoint]:
        """Where the mouse is (scene and global): the last position the canvas saw it at."""
        local = self._last_mouse if self._last_mouse is not None else \
            self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        return self.mapToScene(local), self.viewport().mapToGlobal(local)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        key, mods = event.key(), event.modifiers()
        ctrl = mods & Qt.KeyboardModifier.ControlModifier
        if key == Qt.Key.Key_Space:
            # Space only arms panning (Space+drag); on its own it does nothing.
            if not event.isAutoRepeat():
                self._space = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif ctrl and key == Qt.Key.Key_D:
            self.duplicate()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not ctrl:
            self.delete_selection()
        elif key == Qt.Key.Key_F and not mods:
            self.fit_all()
        elif key == Qt.Key.Key_Tab and not mods:
            scene_pos, global_pos = self.cursor_scene_pos()
            self.open_palette(scene_pos, global_pos)
        elif key == Qt.Key.Key_Escape:
            if self._connect_from is not None:
                self._cancel_connect()
            else:
                self.scene_.clearSelection()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            if self._pan_from is None:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._space = False
        super().focusOutEvent(event)

    def _on_selection_changed(self) -> None:
        self.selection_changed.emit()

    def teardown(self) -> None:
        self._settle_timer.stop()
        NodeItem.interacting = False
        # The scene clears its selection while it is destroyed: nobody must hear that.
        try:
            self.scene_.selectionChanged.disconnect(self._on_selection_changed)
        except (RuntimeError, TypeError):
            pass  # already disconnected
        self._close_editor()
        if self.popup is not None:
            self.popup.close()
            self.popup.deleteLater()
            self.popup = None
