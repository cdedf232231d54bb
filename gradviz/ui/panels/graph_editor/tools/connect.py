"""Connecting: drag from an output port, drop on an input port (or a node, or empty canvas)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QMouseEvent

from gradviz.graph import KINDS, Connect, GraphError
from gradviz.ui.panels.graph_editor.items import RubberBandEdgeItem
from gradviz.ui.panels.graph_editor.node_item import PortItem
from gradviz.ui.panels.graph_editor.tools.base import CanvasTool


class ConnectTool(CanvasTool):
    """A rubber-band edge follows the mouse from the output port it started on, and every input
    port says whether it would accept (the model's own check, nothing changes). Dropped on an
    input port or a node it connects through the undo stack, or says in the status bar why not;
    dropped on empty canvas it offers the palette, to add a node fed by that output."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self.source: PortItem | None = None
        self.rubber: RubberBandEdgeItem | None = None

    @property
    def active(self) -> bool:
        return self.source is not None

    def press(self, event: QMouseEvent, pos: QPoint) -> bool:
        port = self.view.port_at(pos)
        if port is None:
            return False
        if port.is_output:
            self._start(port, pos)
        # An input port is taken too: there is nothing to drag from it.
        return True

    def _start(self, port: PortItem, pos: QPoint) -> None:
        view = self.view
        self.source = port
        self.rubber = RubberBandEdgeItem(view.style)
        view.scene_.addItem(self.rubber)
        self.rubber.follow(port.scenePos(), view.mapToScene(pos))
        src = port.node_item.node_id
        for item in view.nodes.values():
            for name, p in item.inputs.items():
                p.set_highlight("ok" if self.refusal(src, item.node_id, name) is None else "no")

    def move(self, event: QMouseEvent, pos: QPoint) -> None:
        self.rubber.follow(self.source.scenePos(), self.view.mapToScene(pos))

    def release(self, event: QMouseEvent, pos: QPoint) -> None:
        view = self.view
        src = self.source.node_item.node_id
        scene_pos = view.mapToScene(pos)
        self.cancel()
        port = view.port_at(pos)
        if port is not None and not port.is_output:
            self.try_connect(src, port.node_item.node_id, port.name)
            return
        node = view.node_at(pos)
        if node is not None:
            if node.node_id != src:
                self.try_connect(src, node.node_id, None)
            return
        kinds = [k for k, spec in KINDS.items() if spec.inputs]
        view.palette_tool.open(scene_pos, view.mapToGlobal(pos), kinds=kinds, source=src)

    def cancel(self) -> None:
        view = self.view
        if self.rubber is not None and self.rubber.scene() is not None:
            view.scene_.removeItem(self.rubber)
        self.rubber = None
        self.source = None
        for item in view.nodes.values():
            for p in item.inputs.values():
                p.set_highlight(None)

    def refusal(self, src: int, dst: int, port: str | None) -> str | None:
        """Why ``src → dst.port`` would be refused, or None if it is allowed (nothing changes)."""
        try:
            self.view.graph.check_connect(src, dst, port, replace=False)
        except GraphError as exc:
            return str(exc)
        return None

    def try_connect(self, src: int, dst: int, port: str | None) -> bool:
        """Connect through the undo stack, or explain in the status bar why not (no change)."""
        reason = self.refusal(src, dst, port)
        if reason is not None:
            self.view.status(f"Not connected: {reason}")
            return False
        return self.view.push(Connect(src, dst, port, graph=self.view.graph))
