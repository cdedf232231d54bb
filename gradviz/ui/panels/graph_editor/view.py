"""The canvas: a ``QGraphicsView`` of the graph model.

It mirrors the model through the graph's events (:class:`.mirror.SceneMirror`), hands each mouse,
wheel, key and drop event to the interaction tool it belongs to (:mod:`.tools`), and paints what
the panel tells it (:meth:`QtGraphView.apply_scene`). It computes nothing about gradients; the
tools turn gestures into graph commands pushed through the window's undo stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPainter, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLineEdit, QWidget

from gradviz.graph import Edge, Graph
from gradviz.ui.panels.graph_editor.display import Scene
from gradviz.ui.panels.graph_editor.edge_item import EdgeItem
from gradviz.ui.panels.graph_editor.mirror import SceneMirror
from gradviz.ui.panels.graph_editor.node_item import NodeItem, PortItem, port_of
from gradviz.ui.panels.graph_editor.palette import QtPalettePopup
from gradviz.ui.panels.graph_editor.style import GRID, CanvasStyle
from gradviz.ui.panels.graph_editor.tools.clipboard import ClipboardTool
from gradviz.ui.panels.graph_editor.tools.connect import ConnectTool
from gradviz.ui.panels.graph_editor.tools.context_menu import open_context_menu
from gradviz.ui.panels.graph_editor.tools.drag import DragTool
from gradviz.ui.panels.graph_editor.tools.palette import PaletteTool
from gradviz.ui.panels.graph_editor.tools.pan import PanTool
from gradviz.ui.panels.graph_editor.tools.scrub import ScrubTool
from gradviz.ui.panels.graph_editor.tools.selection import SelectionTool
from gradviz.ui.panels.graph_editor.tools.value_editor import ValueEditTool
from gradviz.ui.panels.graph_editor.tools.zoom import ZoomTool

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
    style
        The colours it paints with.
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
        self._set_up_view()
        self.mirror = SceneMirror(graph, self.scene_, style)
        self.nodes: dict[int, NodeItem] = self.mirror.nodes
        self.edges: dict[Edge, EdgeItem] = self.mirror.edges
        self.pulse = self.mirror.pulse
        #: Where the mouse was last seen over the canvas (Tab opens the palette there).
        self._last_mouse: QPoint | None = None
        self._make_tools()
        self.scene_.selectionChanged.connect(self._on_selection_changed)
        self._listen_to(graph, listen)
        self.rebuild()
        self.centerOn(0, 0)

    def _set_up_view(self) -> None:
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

    def _make_tools(self) -> None:
        self.pan = PanTool(self)
        self.connector = ConnectTool(self)
        self.scrubber = ScrubTool(self)
        self.selection = SelectionTool(self)
        self.dragger = DragTool(self)
        self.clipboard = ClipboardTool(self)
        self.palette_tool = PaletteTool(self)
        self.zoomer = ZoomTool(self)
        self.value_editor = ValueEditTool(self)
        #: The tools offered a left press, in this order; the first to take it owns the drag.
        self._left_tools = (self.connector, self.scrubber, self.selection)
        #: The tools that can own a drag, in the order they are asked.
        self._drag_tools = (self.pan, self.connector, self.scrubber)

    def _listen_to(self, graph: Graph, listen: Callable[[Any, Callable], None]) -> None:
        ev, m = graph.events, self.mirror
        listen(ev.node_added, m.on_node_added)
        listen(ev.node_removed, m.on_node_removed)
        listen(ev.edge_added, m.on_edge_added)
        listen(ev.edge_removed, m.on_edge_removed)
        listen(ev.moved, m.on_moved)
        listen(ev.value_changed, m.on_node_changed)
        listen(ev.renamed, m.on_node_changed)
        listen(ev.requires_grad_changed, m.on_node_changed)
        listen(ev.rebuilt, self.rebuild)

    # ================================================================== model → items
    def rebuild(self) -> None:
        """Drop every item and build them again from the model (after load or reset)."""
        self.connector.cancel()
        self.mirror.rebuild()

    def apply_scene(self, scene: Scene) -> None:
        """Show the texts and states the panel worked out for the current frame."""
        self.mirror.apply_scene(scene)

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        self.mirror.set_style(style)
        self.resetCachedContent()
        self.viewport().update()

    def show_pulse(self, edge: Edge, t: float) -> bool:
        """Put the gradient pulse at fraction ``t`` of its way back along ``edge``."""
        return self.mirror.show_pulse(edge, t)

    def hide_pulse(self) -> None:
        self.pulse.setVisible(False)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.fillRect(rect, self.style.background)
        if GRID * self.zoom() < 10:
            pens = [(GRID * 5, QPen(self.style.grid_major, 0))]
        else:
            pens = [(GRID, QPen(self.style.grid_minor, 0)),
                    (GRID * 5, QPen(self.style.grid_major, 0))]
        for step, pen in pens:
            painter.setPen(pen)
            painter.drawLines(_grid_lines(rect, step))

    # ================================================================== what is where
    def port_at(self, pos: QPoint) -> PortItem | None:
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

    def edge_at(self, pos: QPoint) -> EdgeItem | None:
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                return item
        return None

    def cursor_scene_pos(self) -> tuple[QPointF, QPoint]:
        """Where the mouse is (scene and global): the last position the canvas saw it at."""
        local = self._last_mouse if self._last_mouse is not None else \
            self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        return self.mapToScene(local), self.viewport().mapToGlobal(local)

    def selected_ids(self) -> list[int]:
        return self.selection.ids()

    # ================================================================== the tools' doors
    def zoom(self) -> float:
        return self.zoomer.zoom()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels) fixed;
        the user's own framing then stays through resizes."""
        self.zoomer.auto_fit = False
        self.zoomer.zoom_by(factor, anchor)

    def pan_by(self, dx: float, dy: float) -> None:
        self.zoomer.auto_fit = False
        self.zoomer.pan_by(dx, dy)

    def fit_all(self, focus: QPointF | None = None) -> None:
        """Frame every node (F); never zoom in beyond 160 %, nor, while presenting, out below
        legible value text (then ``focus``, a scene point, is centred)."""
        self.zoomer.fit_all(focus if focus is not None else self._lit_centre())

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """Presentation mode at ``scale``: values and gradients always drawn, legibly."""
        self.zoomer.set_presenting(scale if on else None)

    def follow_lit(self) -> None:
        """Pan so the lit (active) nodes are in view, when the graph is too large to fit."""
        if not self.zoomer.overflowing:
            return
        rect = QRectF()
        for item in self.nodes.values():
            if item.view.lit:
                rect = rect.united(item.sceneBoundingRect())
        self.zoomer.follow(rect)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.zoomer.auto_fit:
            self.fit_all()

    def _lit_centre(self) -> QPointF | None:
        lit = [item.scenePos() for item in self.nodes.values() if item.view.lit]
        return lit[0] if lit else None

    def add_node(self, kind: str, scene_pos: QPointF, source: int | None = None) -> bool:
        return self.palette_tool.add(kind, scene_pos, source)

    def edit_value(self, node_id: int) -> QLineEdit | None:
        """An in-place editor over the value of an input or constant (Enter applies)."""
        return self.value_editor.open(node_id)

    @property
    def popup(self) -> QtPalettePopup | None:
        """The palette pop-up last opened (None before the first)."""
        return self.palette_tool.popup

    @property
    def editor(self) -> QLineEdit | None:
        """The in-place value editor while it is open."""
        return self.value_editor.editor

    # ================================================================== mouse
    def _drag_owner(self):
        return next((tool for tool in self._drag_tools if tool.active), None)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        if self.pan.press(event, pos):
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.value_editor.close()
            if any(tool.press(event, pos) for tool in self._left_tools):
                event.accept()
                return
        super().mousePressEvent(event)
        self.dragger.after_press(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        self._last_mouse = pos
        tool = self._drag_owner()
        if tool is None:
            super().mouseMoveEvent(event)
            return
        tool.move(event, pos)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        tool = self._drag_owner()
        if tool is not None:
            tool.release(event, event.position().toPoint())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.dragger.after_release(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt's name
        node = self.node_at(event.position().toPoint())
        if node is not None and node.editable:
            self.edit_value(node.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        open_context_menu(self, event)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.zoomer.wheel(event)

    # ================================================================== drops
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.palette_tool.accepts(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.palette_tool.accepts(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.palette_tool.drop(event):
            super().dropEvent(event)

    # ================================================================== keys
    def event(self, event) -> bool:
        # Tab opens the palette instead of moving the focus to the next widget.
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space:
            self.pan.space_pressed(event)
            event.accept()
            return
        action = self._shortcut(event)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def _shortcut(self, event: QKeyEvent) -> Callable[[], Any] | None:
        """What a key does on the canvas (None: not the canvas's key)."""
        key, mods = event.key(), event.modifiers()
        ctrl = mods & Qt.KeyboardModifier.ControlModifier
        for standard, action in ((QKeySequence.StandardKey.SelectAll, self.selection.select_all),
                                 (QKeySequence.StandardKey.Copy, self.clipboard.copy),
                                 (QKeySequence.StandardKey.Paste, self.clipboard.paste)):
            if event.matches(standard):
                return action
        if ctrl and key == Qt.Key.Key_D:
            return self.clipboard.duplicate
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not ctrl:
            return self.selection.delete
        if key == Qt.Key.Key_F and not mods:
            return self.fit_all
        if key == Qt.Key.Key_Tab and not mods:
            return self.palette_tool.open_at_cursor
        if key == Qt.Key.Key_Escape:
            return self._escape
        return None

    def _escape(self) -> None:
        """Escape drops a connection being dragged, else the selection."""
        if self.connector.active:
            self.connector.cancel()
        else:
            self.scene_.clearSelection()

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and self.pan.space_released(event):
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.pan.cancel()
        super().focusOutEvent(event)

    def _on_selection_changed(self) -> None:
        self.selection_changed.emit()

    def teardown(self) -> None:
        self.zoomer.stop()
        # The scene clears its selection while it is destroyed: nobody must hear that.
        try:
            self.scene_.selectionChanged.disconnect(self._on_selection_changed)
        except (RuntimeError, TypeError):
            pass  # already disconnected
        self.value_editor.close()
        self.palette_tool.close()


def _grid_lines(rect: QRectF, step: float) -> list[QLineF]:
    """The lines of a grid of ``step`` that cross ``rect``."""
    lines = []
    x = math.floor(rect.left() / step) * step
    while x <= rect.right():
        lines.append(QLineF(x, rect.top(), x, rect.bottom()))
        x += step
    y = math.floor(rect.top() / step) * step
    while y <= rect.bottom():
        lines.append(QLineF(rect.left(), y, rect.right(), y))
        y += step
    return lines
